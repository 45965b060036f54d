"""``lint-rules``: find curator mistakes in rules/ before they reach a build.

Reports, each as ``file:line: problem; fix``: everything the rule schemas refuse
(unknown or misspelt keys, wrong types, missing fields, unknown types, roles,
relations or codes: see :mod:`bigtech_events.ruleset`), and what a schema cannot
see: duplicate ids, a surface form claimed by two actors with no disambiguation
rule, references to ids that do not exist, patterns that cannot match (an
unfilled ``{part}``, a form padded with spaces), regular expressions that do not
compile or can backtrack catastrophically (nested unbounded repeats).

Some of these make the rules unsafe to run, not just doubtful: a regular expression
that does not compile, can backtrack without bound or (outside a context test) matches
the empty string, a trigger id used twice, an empty name or alias. ``build`` refuses
those at rules load with the same messages (:func:`unsafe_rule_problems`).
"""

from __future__ import annotations

import re
from pathlib import Path
from re import _constants as sre_constants  # the stdlib regex parser (public alias deprecated)
from re import _parser as sre_parse
from typing import Any

from .ruleset.load import GAZETTEER, check_rules_dir, rules_files

UNBOUNDED = sre_constants.MAXREPEAT


class Problems(list[str]):
    """Problems found, with those that make the rules unsafe to run also kept in ``unsafe``."""

    def __init__(self) -> None:
        super().__init__()
        self.unsafe: list[str] = []


def _refuse(problems: list[str], line: str) -> None:
    """Record a problem that makes the rules unsafe to run (``build`` refuses it too)."""
    problems.append(line)
    if isinstance(problems, Problems):
        problems.unsafe.append(line)


def nested_unbounded(pattern: str) -> bool:
    """True when an unbounded repeat contains another unbounded repeat: (a+)+, (\\w+\\s?)*."""

    def walk(items: Any, inside: bool) -> bool:
        for op, av in items:
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                _lo, hi, sub = av
                unbounded = hi == UNBOUNDED
                if unbounded and inside:
                    return True
                if walk(sub, inside or unbounded):
                    return True
            elif op == sre_constants.SUBPATTERN:
                if walk(av[-1], inside):
                    return True
            elif op == sre_constants.BRANCH:
                if any(walk(b, inside) for b in av[1]):
                    return True
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) and walk(av[1], inside):
                return True
        return False

    try:
        return walk(sre_parse.parse(pattern), False)
    except (re.error, sre_constants.error):
        return False


def check_regex(pattern: Any, where: str, problems: list[str], flags: int = 0, context: bool = False) -> None:
    """Compile, placeholder, backtracking and empty-match checks (``context`` regexes that test the
    text around a form may match the empty string)."""
    if not isinstance(pattern, str):
        _refuse(problems, f"{where}: pattern must be text; quote it")
        return
    leftover = re.findall(r"(?<!\\)\{([a-z_]+)\}", pattern)
    if leftover:
        problems.append(f"{where}: {{{leftover[0]}}} is not a defined part, so the pattern cannot match; "
                        "define it under parts: or fix the name")
        return
    try:
        re.compile(pattern, flags)
    except re.error as exc:
        _refuse(problems, f"{where}: regular expression does not compile ({exc.msg}); fix it")
        return
    if nested_unbounded(pattern):
        _refuse(problems, f"{where}: nested unbounded repeats can backtrack catastrophically; "
                "bound the inner or outer repeat (e.g. {0,4})")
    if not context and re.compile(pattern, flags).match(""):
        _refuse(problems, f"{where}: pattern matches the empty string, so it fires everywhere; require some text")


def lint_rules(rules: Path) -> list[str]:
    """Every problem in the rules directory: schema problems first, then what only the data shows."""
    if not rules.is_dir():
        return [f"{rules}: rules directory does not exist; pass --rules DIR"]
    if not (rules / GAZETTEER).is_dir():
        return [f"{rules / GAZETTEER}:1: gazetteer directory is missing; restore rules/gazetteer/"]
    files, problems = check_rules_dir(rules)
    return problems + lint_files(rules, files)


def unsafe_rule_problems(rules: Path, files: dict[Path, Any]) -> list[str]:
    """The problems in the (schema-checked) rules ``files`` that make them unsafe to run."""
    return lint_files(rules, files).unsafe


def lint_files(rules: Path, files: dict[Path, Any]) -> Problems:
    """What only the data of the schema-checked rules ``files`` shows (files with problems left out)."""
    problems = Problems()
    gazetteer = {p: d for p, d in files.items() if p.parent.name == GAZETTEER}
    complete = len(gazetteer) == len([p for p in rules_files(rules) if p.parent.name == GAZETTEER])
    actors, forms = _lint_gazetteer(gazetteer, problems, check_refs=complete)
    known = actors if complete else None  # references are checked only against a whole gazetteer

    def lint(name: str, check: Any) -> None:
        path = rules / f"{name}.yaml"
        if path in files:
            check(path, files[path], problems)

    lint("disambiguation", lambda p, d, out: _lint_disambiguation(p, d, out, known, forms))
    lint("triggers", _lint_triggers)
    lint("titles", lambda p, d, out: _lint_titles(p, d, out, known))
    lint("relations", _lint_relations)
    lint("coreference", lambda p, d, out: _lint_coreference(p, d, out, known))
    lint("organisations", lambda p, d, out: _lint_patterns(p, d.get("patterns", []), "regex", out))
    lint("boilerplate", lambda p, d, out: _lint_patterns(p, d.get("lines", []), "regex", out))
    lint("names", _lint_names)
    return problems


def _dupes(entries: list[Any], key: str, path: Path, problems: list[str], what: str = "id",
           unsafe: bool = False) -> None:
    seen: dict[Any, int] = {}
    for e in entries:
        if e.get(key) in seen:
            line = (f"{path}:{e.line}: duplicate {what} {e[key]!r} (first at line "
                    f"{seen[e[key]]}); give it another id or merge the entries")
            if unsafe:
                _refuse(problems, line)
            else:
                problems.append(line)
        elif key in e:
            seen[e[key]] = e.line


def _lint_gazetteer(files: dict[Path, Any], problems: list[str],
                    check_refs: bool) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Actor ids (-> where defined) and surface forms (-> the ids claiming them)."""
    where_of: dict[str, str] = {}
    entries: list[tuple[str, Any]] = []
    forms: dict[str, list[str]] = {}
    for path, data in files.items():
        for e in data.get("actors", []):
            line, aid = f"{path}:{e.line}", e["id"]
            if aid in where_of:
                problems.append(f"{line}: duplicate actor id {aid!r} (also at {where_of[aid]}); choose another id")
                continue
            where_of[aid] = line
            entries.append((line, e))
            for form in [e["name"], *e.get("aliases", [])]:
                if not form.strip():
                    _refuse(problems, f"{line}: empty name or alias; remove it")
                    continue
                if form != form.strip():
                    problems.append(f"{line}: alias {form!r} has surrounding spaces and cannot match; trim it")
                forms.setdefault(form, [])
                if aid not in forms[form]:
                    forms[form].append(aid)
    if check_refs:
        for line, e in entries:
            refs = [("relation object", r["object"]) for r in e.get("relations", [])]
            refs += [("based_in", e["based_in"])] if e.get("based_in") else []
            refs += [("post org", p["org"]) for p in e.get("posts", [])]
            problems += [f"{line}: {what} {ref!r} is not a gazetteer id; add the actor or fix the id"
                         for what, ref in refs if ref not in where_of]
    return where_of, forms


def _missing(line: str, what: str, ref: str, known: dict[str, str] | None) -> list[str]:
    if known is None or ref in known:
        return []
    return [f"{line}: {what} {ref!r} is not a gazetteer id; add the actor or fix the id"]


def _lint_disambiguation(path: Path, data: Any, problems: list[str], known: dict[str, str] | None,
                         forms: dict[str, list[str]]) -> None:
    decided = set()
    for e in data.get("forms", []):
        decided.add(e["form"])
        for r in e.get("rules", []):
            problems += _missing(f"{path}:{r.line}", "actor", r["actor"], known)
            for k in ("before", "after"):
                if k in r:
                    check_regex(r[k], f"{path}:{r.line}", problems, context=True)
        problems += _missing(f"{path}:{e.line}", "default", e["default"], known)
    for form, ids in sorted(forms.items()):
        if len(ids) > 1 and form not in decided:
            problems.append(f"{path.parent / GAZETTEER}: alias {form!r} is claimed by {', '.join(ids)} with no "
                            f"rule to choose; add it to {path.name} or remove it from all but one")


def _lint_triggers(path: Path, data: Any, problems: list[str]) -> None:
    types = data.get("types", {})
    parts = data.get("parts", {})
    triggers = data.get("triggers", [])
    _dupes(triggers, "id", path, problems, "trigger id", unsafe=True)
    for t in triggers:
        where = f"{path}:{t.line}"
        if t["type"] not in types:
            problems.append(f"{where}: event type {t['type']!r} is not defined under types:; define it there")
        pattern = t["pattern"]
        for k, v in parts.items():
            pattern = pattern.replace("{" + k + "}", v)
        check_regex(pattern, where, problems, re.IGNORECASE)
    attach = data.get("attach", [])
    _dupes(attach, "id", path, problems, "attach id")
    for a in attach:
        check_regex(a["pattern"], f"{path}:{a.line}", problems, re.IGNORECASE)


def _lint_titles(path: Path, data: Any, problems: list[str], known: dict[str, str] | None) -> None:
    titles = data.get("titles", [])
    _dupes(titles, "id", path, problems)
    seen: dict[str, int] = {}
    for t in titles:
        for form in t["forms"]:
            if form in seen:
                problems.append(f"{path}:{t.line}: title form {form!r} is also at line {seen[form]}; "
                                "keep it in one title")
            seen[form] = t.line
    adjectives = data.get("org_adjectives", {})
    for word, actor in adjectives.items():
        problems += _missing(f"{path}:{adjectives.key_lines[word]}", "organisation", actor, known)


def _lint_relations(path: Path, data: Any, problems: list[str]) -> None:
    _lint_patterns(path, data.get("relations", []), "between", problems)
    for r in data.get("relations", []):
        if "after" in r:
            check_regex(r["after"], f"{path}:{r.line}", problems, context=True)
        if "object" in r and {r["subject"], r["object"]} != {"first", "second"}:
            problems.append(f"{path}:{r.line}: subject and object must be first and second (one each); "
                            "fix one of them")


def _lint_coreference(path: Path, data: Any, problems: list[str], known: dict[str, str] | None) -> None:
    _lint_patterns(path, data.get("nominal", []), "pattern", problems, re.IGNORECASE)
    _lint_patterns(path, data.get("executives", []), "pattern", problems)
    _lint_patterns(path, data.get("descriptors", []), "pattern", problems, re.IGNORECASE)
    for r in data.get("nominal", []):
        for aid in [*r.get("exclude", []), *r.get("prefer", [])]:
            problems += _missing(f"{path}:{r.line}", "actor", aid, known)
    for r in data.get("descriptors", []):
        problems += _missing(f"{path}:{r.line}", "actor", r["actor"], known)
        if "unless_named" in r:
            check_regex(r["unless_named"], f"{path}:{r.line}", problems)


def _lint_patterns(path: Path, entries: list[Any], key: str, problems: list[str], flags: int = 0) -> None:
    """Ids used once; each entry's ``key`` regex compiles, cannot backtrack badly, needs some text."""
    _dupes(entries, "id", path, problems)
    for e in entries:
        if key in e:
            check_regex(e[key], f"{path}:{e.line}", problems, flags)


def _lint_names(path: Path, data: Any, problems: list[str]) -> None:
    if "pinyin_syllable" in data:
        check_regex(data["pinyin_syllable"], f"{path}:{data.key_lines['pinyin_syllable']}", problems)


def cueless_rules(rules: Path) -> list[str]:
    """Information, not problems: the patterns from which the keyword pass derives no cue word
    (extract/prefilter.py), so that they are tried on every sentence, as ``file: id`` lines."""
    from .ruleset import load_rules
    from .ruleset.compile import rule_patterns

    ruleset = load_rules(rules)
    out = []
    for where, rx in rule_patterns(ruleset):
        if not ruleset.cues.groups.get(rx):
            file, rule_id = where.split(" ", 1)
            out.append(f"{rules / file}: {rule_id}: no literal word that every match contains, "
                       "so it is tried on every sentence")
    return out
