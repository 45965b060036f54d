"""croissant.json: generated from datapackage.json, in step with it, and valid for mlcroissant."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bigtech_events import croissant

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def doc(built_package: Path) -> dict:
    return croissant.croissant_data(json.loads((built_package / "datapackage.json").read_text()))


def test_the_committed_croissant_json_is_generated_from_the_committed_descriptor():
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    assert (REPO / "croissant.json").read_text(encoding="utf-8") == croissant.render(descriptor), \
        "croissant.json is stale: run `make package`"


def test_one_record_set_per_table_and_every_column_typed(built_package: Path, doc: dict):
    descriptor = json.loads((built_package / "datapackage.json").read_text())
    by_name = {rs["name"]: rs for rs in doc["recordSet"]}
    assert list(by_name) == [r["name"] for r in descriptor["resources"]]
    for res in descriptor["resources"]:
        fields = by_name[res["name"]]["field"]
        assert [f["name"] for f in fields] == [f["name"] for f in res["schema"]["fields"]]
        assert all(f["dataType"].startswith("sc:") for f in fields)
    events = {f["name"]: f for f in by_name["events"]["field"]}
    assert events["date_start"]["dataType"] == "sc:Date"
    assert events["char_start"]["dataType"] == "sc:Integer"
    assert events["article_id"]["references"] == {"field": {"@id": "articles/article_id"}}


def test_file_objects_carry_the_sha256_and_size_of_each_file(built_package: Path, doc: dict):
    files = {f["contentUrl"]: f for f in doc["distribution"]}
    on_disk = sorted(p.relative_to(built_package).as_posix() for p in (built_package / "dataset").iterdir())
    assert sorted(files) == on_disk
    for rel, entry in files.items():
        data = (built_package / rel).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["contentSize"] == f"{len(data)} B"


def test_schema_org_dataset_fields_come_from_the_package(doc: dict):
    assert doc["@type"] == "sc:Dataset"
    assert doc["name"] == "china-bigtech-events"
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["datePublished"] == "2026-11-25"
    assert doc["keywords"] and doc["creator"]


def test_mlcroissant_validates_it_and_reads_the_records(built_package: Path, tmp_path: Path):
    import mlcroissant as mlc

    # the package fixture is read-only: write croissant.json into a copy of its descriptor
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "dataset").symlink_to(built_package / "dataset")
    (pkg / "datapackage.json").write_bytes((built_package / "datapackage.json").read_bytes())
    path = croissant.write(pkg)
    ds = mlc.Dataset(jsonld=str(path))
    assert not ds.metadata.ctx.issues.errors
    assert not ds.metadata.ctx.issues.warnings
    rows = list(ds.records(record_set="actor_aliases"))
    expected = (built_package / "dataset" / "actor_aliases.csv").read_text().count("\n") - 1
    assert len(rows) == expected
    assert rows[0]["actor_aliases/actor_id"]


def test_a_missing_descriptor_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert croissant.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "datapackage.json: missing" in err
