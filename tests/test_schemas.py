"""schemas/ is the single source: the generated forms must agree with it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from bigtech_events.pandera_schemas import pandera_schema
from bigtech_events.schemas import (
    SCHEMA_PROFILE,
    TABLES,
    arrow_schema,
    column_names,
    is_required,
    load_schemas,
)

REPO = Path(__file__).resolve().parent.parent


def test_every_table_has_a_v2_schema_file_with_described_fields():
    files = sorted(p.name for p in (REPO / "schemas").glob("*.schema.json"))
    assert files == sorted(f"{t}.schema.json" for t in TABLES)
    for table, schema in load_schemas().items():
        assert schema["$schema"] == SCHEMA_PROFILE, table
        assert schema["primaryKey"], table
        for field in schema["fields"]:
            assert field.get("description", "").strip(), f"{table}.{field['name']} has no description"


def test_spec_columns_are_present():
    spec = {
        "articles": "article_id title publisher original_publisher url published published_start "
                    "published_end language text_sha256 char_count",
        "actors": "actor_id name actor_type country description wikidata_id",
        "actor_aliases": "actor_id alias",
        "mentions": "mention_id article_id actor_id char_start char_end text resolution rule_id",
        "affiliations": "affiliation_id article_id subject_id relation object_id title qualifier valid "
                        "char_start char_end evidence rule_id",
        "events": "event_id article_id event_type cameo_code plover_type modality date date_start date_end "
                  "date_precision location summary char_start char_end evidence rule_id",
        "event_participants": "event_id actor_id role mention_id",
        "amounts": "amount_id article_id event_id value currency approximate text char_start char_end rule_id",
    }
    schemas = load_schemas()
    for table, cols in spec.items():
        missing = set(cols.split()) - set(column_names(schemas[table]))
        assert not missing, f"{table} lacks {missing}"


def test_pandera_and_arrow_are_generated_from_the_schema():
    for table, schema in load_schemas().items():
        names = column_names(schema)
        ps = pandera_schema(table, schema)
        assert list(ps.columns) == names
        arrow = arrow_schema(schema)
        assert arrow.names == names
        for f in schema["fields"]:
            assert ps.columns[f["name"]].nullable == (not is_required(f))
            assert arrow.field(f["name"]).nullable == (not is_required(f))
            assert arrow.field(f["name"]).metadata[b"description"].decode() == f["description"]
        pk = schema["primaryKey"]
        if len(pk) > 1:
            assert ps.unique == pk


def test_built_files_and_descriptor_follow_the_schema(built_package: Path):
    schemas = load_schemas()
    descriptor = json.loads((built_package / "datapackage.json").read_text())
    by_name = {r["name"]: r for r in descriptor["resources"]}
    assert sorted(by_name) == sorted(TABLES)
    for table, schema in schemas.items():
        res = by_name[table]
        assert [f["name"] for f in res["schema"]["fields"]] == column_names(schema)
        assert res["schema"]["fields"] == schema["fields"]
        assert res["schema"]["primaryKey"] == schema["primaryKey"]
        assert res["schema"].get("foreignKeys", []) == schema.get("foreignKeys", [])
        header = (built_package / res["path"]).read_text(encoding="utf-8").splitlines()[0]
        assert header.replace('"', "").split(",") == column_names(schema)
        pq_schema = pq.read_schema(built_package / res["parquet"]["path"])
        assert pq_schema.names == column_names(schema)
        assert pq_schema.field(schema["fields"][0]["name"]).metadata[b"description"]


def test_a_column_added_to_a_schema_reaches_every_generated_form(tmp_path: Path):
    import shutil

    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    path = tmp_path / "schemas" / "actors.schema.json"
    schema = json.loads(path.read_text())
    schema["fields"].append({"name": "extra_col", "type": "string", "description": "test"})
    path.write_text(json.dumps(schema))
    loaded = load_schemas(tmp_path / "schemas")["actors"]
    assert "extra_col" in pandera_schema("actors", loaded).columns
    assert "extra_col" in arrow_schema(loaded).names
