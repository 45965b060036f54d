"""CITATION.cff, .zenodo.json, datapackage.json, croissant.json and pyproject.toml name the same dataset."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import yaml

from bigtech_events.cite import meta_from_descriptor, to_cff, to_zenodo

REPO = Path(__file__).resolve().parent.parent
# The one place that says no public address exists yet (README.md, "Find and cite").
NO_ADDRESS = "no public address yet"


def identities() -> dict[str, dict]:
    pkg = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    zen = json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))
    cro = json.loads((REPO / "croissant.json").read_text(encoding="utf-8"))
    proj = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    urls = proj.get("urls", {})
    return {
        "datapackage.json": {"name": pkg["name"], "title": pkg["title"], "version": pkg["version"],
                             "licence": pkg["licenses"][0]["name"], "keywords": pkg["keywords"],
                             "address": pkg.get("homepage")},
        "CITATION.cff": {"title": cff["title"], "version": cff["version"], "licence": cff["license"],
                         "keywords": cff["keywords"], "address": cff.get("repository-code") or cff.get("url")},
        ".zenodo.json": {"title": zen["title"], "version": zen["version"], "licence": zen["license"].upper(),
                         "keywords": zen["keywords"],
                         "address": (zen.get("related_identifiers") or [{}])[0].get("identifier")},
        "croissant.json": {"name": cro["name"], "title": cro["alternateName"], "version": cro["version"],
                           "licence": "CC-BY-4.0" if cro["license"].endswith("/by/4.0/") else cro["license"],
                           "keywords": cro["keywords"], "address": cro.get("url")},
        "pyproject.toml": {"name": proj["name"], "version": proj["version"],
                           "licence": "CC-BY-4.0" if "CC-BY-4.0" in proj["license"].split(" AND ") else
                           proj["license"], "keywords": proj.get("keywords"),
                           "address": urls.get("Homepage") or urls.get("Repository")},
    }


def test_every_file_carries_the_same_identity():
    found = identities()
    for key in ("name", "title", "version", "licence", "keywords", "address"):
        values = {f: ids[key] for f, ids in found.items() if key in ids}
        assert len({json.dumps(v) for v in values.values()}) == 1, f"{key} differs: {values}"


def test_no_address_is_invented_while_none_exists():
    found = identities()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    if all(ids["address"] is None for ids in found.values()):
        assert readme.count(NO_ADDRESS) == 1, "README.md must say once that no public address exists yet"
    else:
        assert NO_ADDRESS not in readme


def test_the_committed_citation_files_are_generated_from_the_descriptor():
    meta = meta_from_descriptor(json.loads((REPO / "datapackage.json").read_text(encoding="utf-8")))
    assert (REPO / "CITATION.cff").read_text(encoding="utf-8") == to_cff(meta)
    assert (REPO / ".zenodo.json").read_text(encoding="utf-8") == to_zenodo(meta)
