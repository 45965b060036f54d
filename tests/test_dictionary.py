"""docs/data-dictionary.md is generated from schemas/ and names every table, column, type, constraint and key."""

from __future__ import annotations

import copy
from pathlib import Path

from bigtech_events.dictionary import constraints_text, dictionary_path, dtype_name, render
from bigtech_events.schemas import TABLES, load_schemas

REPO = Path(__file__).resolve().parent.parent


def test_committed_data_dictionary_is_up_to_date():
    assert dictionary_path() == REPO / "docs" / "data-dictionary.md"
    assert dictionary_path().read_text(encoding="utf-8") == render(load_schemas()), (
        "docs/data-dictionary.md is stale: run `python -m bigtech_events.dictionary` and commit it")


def _row(text: str, table: str, column: str) -> str:
    section = text.split(f"\n## {table}\n", 1)[1].split("\n## ", 1)[0]
    return next(line for line in section.splitlines() if line.startswith(f"| `{column}` |"))


def test_every_table_column_type_constraint_description_and_key_is_documented():
    schemas = load_schemas()
    text = render(schemas)
    for table in TABLES:
        schema = schemas[table]
        assert f"\n## {table}\n" in text
        section = text.split(f"\n## {table}\n", 1)[1].split("\n## ", 1)[0]
        assert schema["description"] in section
        assert "- Primary key: " + ", ".join(f"`{k}`" for k in schema["primaryKey"]) in section
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"].get("resource") or table
            assert f"→ [{target}](#{target})." in section
        for field in schema["fields"]:
            row = _row(text, table, field["name"])
            cells = [c.strip() for c in row.strip("|").split(" | ")]
            assert cells[1] == field["type"]
            assert cells[2] == dtype_name(field)
            assert cells[3] == ("yes" if field.get("constraints", {}).get("required") else "no")
            assert cells[4] == constraints_text(field).replace("|", "\\|")
            assert " ".join(field.get("description", "").split()) in row.replace("\\|", "|")
            for value in field.get("constraints", {}).get("enum", []):
                assert f"`{value}`" in cells[4]


def test_a_schema_change_makes_the_dictionary_stale():
    schemas = load_schemas()
    changed = copy.deepcopy(schemas)
    changed["events"]["fields"][0]["description"] = "Something else entirely."
    assert render(changed) != render(schemas)


def test_pipes_in_patterns_do_not_break_the_table():
    field = {"name": "x", "type": "string", "constraints": {"pattern": "^(a|b)$"}}
    assert constraints_text(field) == "pattern `^(a\\|b)$`"
