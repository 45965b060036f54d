"""CITATION.cff is valid CFF 1.2.0 and, like .zenodo.json and `cite`, agrees with dataset.yaml."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bigtech_events.cite import (
    CFF_SCHEMA,
    render,
    to_apa,
    to_bibtex,
    to_cff,
    to_zenodo,
    validate_cff,
)
from bigtech_events.cli import cli
from bigtech_events.metadata import load_dataset_meta

REPO = Path(__file__).resolve().parent.parent
REGENERATE = ("regenerate with `bigtech-events cite --format cff > CITATION.cff` and "
              "`bigtech-events cite --format zenodo > .zenodo.json` (or run `bigtech-events release`)")

PEOPLE = [
    {"title": "Jane Q. Doe", "givenName": "Jane Q.", "familyName": "Doe", "roles": ["author"],
     "organization": "Example University", "path": "https://orcid.org/0000-0002-1825-0097"},
    {"title": "Rick Roe", "givenName": "Rick", "familyName": "Roe", "roles": ["creator"]},
    {"title": "Data Desk", "roles": ["maintainer"]},
]


@pytest.fixture()
def meta() -> dict:
    return load_dataset_meta()


def test_committed_citation_cff_is_generated_from_dataset_yaml(meta):
    assert (REPO / "CITATION.cff").read_text(encoding="utf-8") == to_cff(meta), REGENERATE


def test_committed_zenodo_json_is_generated_from_dataset_yaml(meta):
    assert (REPO / ".zenodo.json").read_text(encoding="utf-8") == to_zenodo(meta), REGENERATE


def test_citation_cff_is_valid_against_the_cff_1_2_0_schema():
    schema = json.loads(CFF_SCHEMA.read_text())
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    assert validate_cff((REPO / "CITATION.cff").read_text(encoding="utf-8")) == []


def test_citation_cff_describes_the_current_version_as_a_dataset(meta):
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["type"] == "dataset"
    assert cff["version"] == meta["version"]
    assert cff["date-released"] == meta["created"][:10]
    assert cff["license"] == "CC-BY-4.0"
    assert cff["title"] == meta["title"]
    assert cff["authors"] and all("name" in a or "family-names" in a for a in cff["authors"])
    assert "repository-code" not in cff, "no public repository yet: do not invent one"


def test_zenodo_json_is_consistent_with_citation_cff():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    zen = json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))
    assert zen["upload_type"] == "dataset"
    assert (zen["title"], zen["version"], zen["publication_date"]) == (cff["title"], cff["version"],
                                                                        cff["date-released"])
    assert zen["license"] == cff["license"].lower()
    assert zen["keywords"] == cff["keywords"]
    assert zen["description"] == cff["abstract"]
    assert [c["name"] for c in zen["creators"]] == [a.get("name") or a["family-names"] for a in cff["authors"]]


def test_schema_validation_catches_an_invalid_file(meta):
    bad = to_cff(meta).replace("type: dataset", "type: data").replace("cff-version: 1.2.0\n", "")
    problems = validate_cff(bad)
    assert any("'cff-version' is a required property" in p for p in problems)
    assert any(p.startswith("CITATION.cff:type:") for p in problems)


def test_people_are_credited_by_name_with_roles_author_or_creator(meta):
    meta = dict(meta, contributors=PEOPLE)
    cff_text = to_cff(meta)
    assert validate_cff(cff_text) == []
    authors = yaml.safe_load(cff_text)["authors"]
    assert authors == [
        {"family-names": "Doe", "given-names": "Jane Q.", "affiliation": "Example University",
         "orcid": "https://orcid.org/0000-0002-1825-0097"},
        {"family-names": "Roe", "given-names": "Rick"},
    ]
    assert to_apa(meta).startswith("Doe, J. Q., & Roe, R. (2026). China Big Tech Events (Version ")
    assert "author       = {Doe, Jane Q. and Roe, Rick}" in to_bibtex(meta)
    assert json.loads(to_zenodo(meta))["creators"][0] == {
        "name": "Doe, Jane Q.", "affiliation": "Example University", "orcid": "0000-0002-1825-0097"}


@pytest.mark.parametrize("fmt", ["apa", "bibtex", "cff"])
def test_cli_cite_prints_the_current_version(fmt, meta):
    result = CliRunner().invoke(cli, ["cite", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.output == render(meta, fmt)
    assert meta["version"] in result.output


def test_cite_formats_name_version_type_and_year(meta):
    version, year = meta["version"], meta["created"][:4]
    assert to_apa(meta) == f"China Big Tech Events maintainers. ({year}). {meta['title']} (Version {version}) [Data set].\n"
    bib = to_bibtex(meta)
    assert bib.startswith("@misc{china_bigtech_events_" + version.replace(".", "_") + ",\n")
    assert f"version      = {{{version}}}" in bib and f"year         = {{{year}}}" in bib
    assert bib.count("{") == bib.count("}")


def test_cli_cite_of_a_package_uses_its_descriptor(built_package: Path, tmp_path: Path):
    d = json.loads((built_package / "datapackage.json").read_text())
    d["version"] = "7.8.9"
    (tmp_path / "datapackage.json").write_text(json.dumps(d))
    result = CliRunner().invoke(cli, ["cite", "--format", "apa", "--package", str(tmp_path)])
    assert "(Version 7.8.9) [Data set]" in result.output


def test_readme_how_to_cite_names_the_current_version(meta):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## How to cite\n(.*?)(?=^## |\Z)", readme, re.DOTALL | re.MULTILINE)
    assert section, "README.md needs a '## How to cite' section (draft: docs/README-sections.draft.md)"
    assert f"Version {meta['version']}" in section.group(1) or f"version {meta['version']}" in section.group(1)
