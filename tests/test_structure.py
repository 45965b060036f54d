"""The shape of the code: the extraction modules import each other without a cycle, and the
stages run in the declared order."""

from __future__ import annotations

import ast
from pathlib import Path

EXTRACT = Path(__file__).resolve().parent.parent / "src" / "bigtech_events" / "extract"


def import_graph(folder: Path = EXTRACT) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (at any depth, deferred imports and
    type-checking imports included)."""
    mods = {p.stem for p in folder.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        graph[path.stem] = deps & mods - {path.stem}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path, dep]
            if dep not in state and (found := visit(dep, [*path, dep])):
                return found
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node, [node])):
            return found
    return []


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_the_extraction_modules_import_each_other_without_a_cycle():
    assert find_cycle(import_graph()) == []


def test_the_stages_are_declared_once_in_order_and_read_only_rule_set_fields():
    from dataclasses import fields

    from bigtech_events.extract.stages import STAGES
    from bigtech_events.ruleset.compile import RuleSet

    names = [s.name for s in STAGES]
    assert len(names) == len(set(names))
    assert names[0] == "body" and names.index("references") < names.index("events") < names.index("acts")
    assert names[-1] == "used-references"
    known = {f.name for f in fields(RuleSet)}
    assert {r for s in STAGES for r in s.reads} <= known


def test_the_extractor_runs_the_declared_stages_and_nothing_else(monkeypatch):
    import hashlib

    from helpers import RULES_DIR

    from bigtech_events.extract import pipeline, stages
    from bigtech_events.ruleset import load_rules
    from bigtech_events.seeds import Article

    ran: list[str] = []
    wrapped = tuple(stages.Stage(s.name, s.reads, s.adds,
                                 lambda d, r, s=s: (ran.append(s.name), s.run(d, r))[1]) for s in stages.STAGES)
    monkeypatch.setattr(pipeline, "STAGES", wrapped)
    text = "Headline\n\nThe State Administration for Market Regulation fined Meituan on Tuesday."
    art = Article("stage-test", text, hashlib.sha256(text.encode()).hexdigest(),
                  {"title": "Headline", "publisher": "p", "published": "2024-03-15", "language": "en"},
                  Path("x.txt"))
    doc, result = pipeline.Extractor(load_rules(RULES_DIR)).process(art)
    assert ran == [s.name for s in stages.STAGES]
    assert doc.body is not None and [e["event_type"] for e in result.rows["events"]] == ["penalty"]


def test_only_the_coreference_stages_add_mentions_and_the_events_stage_uses_their_resolutions(monkeypatch):
    """Pronouns are resolved by the references stage; the events stage adds no mention of its
    own; the used-references stage records the pronoun an event took as a participant."""
    import hashlib

    from helpers import RULES_DIR

    from bigtech_events.extract import pipeline, stages
    from bigtech_events.ruleset import load_rules
    from bigtech_events.seeds import Article

    counts: dict[str, int] = {}
    wrapped = tuple(stages.Stage(s.name, s.reads, s.adds,
                                 lambda d, r, s=s: (s.run(d, r), counts.__setitem__(s.name, len(d.mentions)))[0])
                    for s in stages.STAGES)
    monkeypatch.setattr(pipeline, "STAGES", wrapped)
    text = ("Headline\n\nThe State Administration for Market Regulation opened a review of Meituan on Monday. "
            "On Tuesday it fined Meituan 3 billion yuan.")
    art = Article("stage-test", text, hashlib.sha256(text.encode()).hexdigest(),
                  {"title": "Headline", "publisher": "p", "published": "2024-03-15", "language": "en"},
                  Path("x.txt"))
    doc, result = pipeline.Extractor(load_rules(RULES_DIR)).process(art)
    names = [s.name for s in stages.STAGES]
    before_events = names[names.index("events") - 1]
    assert counts["events"] == counts["acts"] == counts[before_events]
    assert any(k == "pronoun" for k, _ in doc.references)
    pronouns = [m for m in result.rows["mentions"] if m["rule_id"] == "coreference.pronoun"]
    assert [m["text"] for m in pronouns] == ["it"]
    assert pronouns[0]["actor_id"] == "state-administration-for-market-regulation"
    assert counts["used-references"] == counts["acts"] + 1
