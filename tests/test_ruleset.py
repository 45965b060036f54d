"""Rules files are read one way: YAML with lines, hostile constructs refused, checked by a schema."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import RULES_DIR, SCHEMAS_DIR, SEEDS_DIR

from bigtech_events.contract.vocab import VOCABULARIES, enum, vocabulary
from bigtech_events.errors import ValidationFailed
from bigtech_events.ruleset import check_rules_file, load_rules, read_rules_file
from bigtech_events.ruleset.load import rules_files, schema_for
from bigtech_events.ruleset.parse import parse
from bigtech_events.ruleset.schema import rule_schema, schema_names

SRC = Path(__file__).resolve().parents[1] / "src" / "bigtech_events"
TRIGGER = """\
types:
  meeting: {cameo: "040", plover: CONSULT}
triggers:
  - id: meeting.met
    type: meeting
    pattern: "\\\\bmet\\\\b"
    subject: party
    object: party
"""


def _write(tmp_path: Path, text: str, name: str = "triggers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_shipped_trigger_sample_is_clean(tmp_path: Path):
    assert check_rules_file(_write(tmp_path, TRIGGER))[1] == []


def test_misspelt_key_is_refused_with_its_line_and_a_suggestion(tmp_path: Path):
    text = TRIGGER.replace("    object: party", "    objcet: party")
    path = _write(tmp_path, text)
    data, problems = check_rules_file(path)
    assert data is None
    line = _line_of(text, "objcet")
    assert problems == [f"{path}:{line}: unknown key 'objcet' in triggers[1]; did you mean 'object'?"]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(tmp_path: Path):
    path = _write(tmp_path, TRIGGER + "    colour: red\n")
    (problem,) = check_rules_file(path)[1]
    assert "unknown key 'colour' in triggers[1]; allowed keys: id, type, pattern, subject" in problem


def test_wrong_type_is_refused(tmp_path: Path):
    text = TRIGGER + "    each: 'yes'\n"
    path = _write(tmp_path, text)
    assert check_rules_file(path)[1] == [
        f"{path}:9: triggers[1].each is text ('yes'), not true or false; write true or false"]


def test_missing_required_field_is_refused(tmp_path: Path):
    text = TRIGGER.replace('    pattern: "\\\\bmet\\\\b"\n', "")
    path = _write(tmp_path, text)
    assert check_rules_file(path)[1] == [f"{path}:4: missing key 'pattern' in triggers[1]; add it"]


def test_unknown_vocabulary_value_is_refused_with_a_suggestion(tmp_path: Path):
    path = _write(tmp_path, TRIGGER.replace("subject: party", "subject: partty"))
    (problem,) = check_rules_file(path)[1]
    assert problem == f"{path}:7: unknown role 'partty' in triggers[1].subject; did you mean 'party'?"


def test_all_problems_are_reported_at_once_in_line_order(tmp_path: Path):
    text = (TRIGGER.replace("    object: party", "    objcet: party")
            + "  - {id: meeting.talks, type: meeting}\n  - {id: x, type: meeting, pattern: y, each: 1}\n")
    path = _write(tmp_path, text)
    with pytest.raises(ValidationFailed) as caught:
        read_rules_file(path)
    assert [p.split(": ", 1)[1] for p in caught.value.problems] == [
        "unknown key 'objcet' in triggers[1]; did you mean 'object'?",
        "missing key 'pattern' in triggers[2]; add it",
        "triggers[3].each is a number (1), not true or false; write true or false",
    ]
    assert [int(p.split(":")[1]) for p in caught.value.problems] == [8, 9, 10]


def test_duplicate_key_is_refused(tmp_path: Path):
    path = _write(tmp_path, TRIGGER + "    subject: target\n")
    assert check_rules_file(path)[1] == [
        f"{path}:9: key 'subject' is written twice (first at line 7); keep one"]


def test_yaml_aliases_and_anchors_are_refused(tmp_path: Path):
    text = TRIGGER.replace("    subject: party\n    object: party\n",
                           "    subject: &p party\n    object: *p\n")
    path = _write(tmp_path, text)
    assert check_rules_file(path)[1] == [
        f"{path}:7: YAML anchor &p is not allowed; remove it",
        f"{path}:8: YAML alias *p is not allowed; write the value out in full",
    ]


def test_alias_bomb_is_refused_quickly(tmp_path: Path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    start = time.perf_counter()
    data, problems = check_rules_file(path)
    assert data is None and len(problems) == 9 + 80
    assert time.perf_counter() - start < 5


def test_tags_and_merge_keys_are_refused(tmp_path: Path):
    path = _write(tmp_path, "a: !!python/object:os.system x\n<<: {b: 1}\n", "boilerplate.yaml")
    assert check_rules_file(path)[1] == [
        f"{path}:1: tag tag:yaml.org,2002:python/object:os.system is not allowed; write plain YAML",
        f"{path}:2: merge key << is not allowed; write the keys out in full",
    ]


def test_on_off_yes_no_stay_words_and_numbers_are_decimal():
    data, problems = parse("words: [On, Off, Yes, No, true]\ncode: 057\non: 1\n", "f.yaml")
    assert problems == []
    assert data == {"words": ["On", "Off", "Yes", "No", True], "code": 57, "on": 1}


def test_invalid_yaml_and_a_missing_file_are_one_line_each(tmp_path: Path):
    path = _write(tmp_path, "a: [1\n", "names.yaml")
    (problem,) = check_rules_file(path)[1]
    assert problem.startswith(f"{path}:2: not valid YAML") and problem.endswith("; fix the syntax")
    assert check_rules_file(tmp_path / "money.yaml")[1] == [
        f"{tmp_path / 'money.yaml'}:1: rule file is missing; restore it from the repository"]


@pytest.mark.parametrize("path", rules_files(RULES_DIR), ids=lambda p: p.relative_to(RULES_DIR).as_posix())
def test_every_shipped_rules_file_validates(path: Path):
    assert check_rules_file(path)[1] == []


def test_every_rules_file_has_a_schema():
    shipped = sorted(RULES_DIR.glob("*.yaml")) + sorted((RULES_DIR / "gazetteer").glob("*.yaml"))
    assert [p.name for p in shipped if schema_for(p) is None] == []
    assert set(schema_names()) == {p.stem for p in RULES_DIR.glob("*.yaml")} | {"gazetteer"}


def test_rule_schemas_are_draft_2020_12_and_refuse_unknown_keys_everywhere():
    def objects(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    for name in schema_names():
        schema = rule_schema(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert all(o.get("additionalProperties") is False for o in objects(schema)), name


def _table_enums() -> dict[str, list[str]]:
    out = {}
    for path in SCHEMAS_DIR.glob("*.schema.json"):
        for field in json.loads(path.read_text(encoding="utf-8"))["fields"]:
            if "enum" in field.get("constraints", {}):
                out[f"{path.name.removesuffix('.schema.json')}.{field['name']}"] = field["constraints"]["enum"]
    return out


def test_vocabularies_in_code_are_the_enums_of_schemas():
    tables = _table_enums()
    for name, (table, field) in VOCABULARIES.items():
        assert list(vocabulary(name)) == tables[f"{table}.{field}"]
    roles = rule_schema("triggers")["$defs"]["role"]["enum"]
    assert roles == [*tables["event_participants.role"], "location", "none"]
    assert rule_schema("triggers")["$defs"]["plover"]["enum"] == [*tables["events.plover_type"], None]
    assert rule_schema("gazetteer")["$defs"]["actor_id"]["pattern"] == (
        json.loads((SCHEMAS_DIR / "actors.schema.json").read_text())["fields"][0]["constraints"]["pattern"])
    assert enum("events", "event_type") == tuple(tables["events.event_type"])


def test_no_contract_enum_is_typed_again_in_code_or_rule_schemas():
    contract = [set(v) for k, v in _table_enums().items() if len(v) > 2]
    typed_again = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                words = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
                typed_again += [f"{path.name}:{node.lineno}" for values in contract if values <= words]
    assert typed_again == []
    for path in (SRC / "ruleset" / "schemas").glob("*.json"):
        raw = path.read_text(encoding="utf-8")

        def enums(node):
            if isinstance(node, dict):
                if "enum" in node:
                    yield set(node["enum"])
                for value in node.values():
                    yield from enums(value)

        every = set().union(*(set(v) for v in _table_enums().values()))
        assert all(not (e & every) for e in enums(json.loads(raw))), path.name


def test_extract_modules_do_not_import_the_rule_loader():
    for path in (SRC / "extract").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        runtime = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = [n.module or "" for n in runtime if isinstance(n, ast.ImportFrom)]
        assert not any("ruleset" in m or m == "rules" for m in names), path.name


@pytest.fixture()
def misspelt(tmp_path: Path) -> tuple[Path, str]:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    text = (rules / "triggers.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: meeting.summoned\n")
    at = text.index("    object: target\n", start)
    text = text[:at] + "    objcet: target\n" + text[at + len("    object: target\n"):]
    text = text.replace("  praise: {cameo:", "  praise: {camoe:")
    (rules / "triggers.yaml").write_text(text, encoding="utf-8")
    line = _line_of(text, "objcet")
    return rules, f"{rules / 'triggers.yaml'}:{line}: unknown key 'objcet' in triggers[6]; did you mean 'object'?"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    return subprocess.run([sys.executable, "-m", "bigtech_events", *args], capture_output=True, text=True,
                          check=False, env=env)


def test_lint_rules_and_build_refuse_a_misspelt_key_with_the_same_message(misspelt, tmp_path: Path):
    rules, message = misspelt
    lint = _run("lint-rules", "--rules", str(rules))
    build = _run("build", "--seeds", str(SEEDS_DIR), "--rules", str(rules), "--out", str(tmp_path / "out"))
    for result in (lint, build):
        assert result.returncode == 1
        assert f"error: {message}" in result.stderr.splitlines()
        assert "unknown key 'camoe' in types.praise; did you mean 'cameo'?" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "datapackage.json").exists()


def test_load_rules_reports_every_schema_problem_of_every_file(misspelt):
    rules, message = misspelt
    money = rules / "money.yaml"
    money.write_text(money.read_text(encoding="utf-8").replace('"US$": USD', '"US$": usd', 1), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_rules(rules)
    problems = caught.value.problems
    assert message in problems and len(problems) == 3
    assert any("money.yaml:5: currency code 'usd'" in p for p in problems)
