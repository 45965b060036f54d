"""Citation metadata, generated from the package metadata (never written twice).

One source, ``dataset.yaml`` (or a package's ``datapackage.json``, which is
generated from it), gives every form: ``CITATION.cff`` (Citation File Format
1.2.0, ``type: dataset``), ``.zenodo.json``, BibTeX and an APA reference.
``bigtech-events release`` writes CITATION.cff and .zenodo.json for the
version it releases; ``bigtech-events cite`` prints any form.

The CFF 1.2.0 JSON Schema is vendored as ``citation-cff-1.2.0.schema.json``
(from the Citation File Format project, CC-BY-4.0; the copy shipped in
cffconvert 2.0.0, sha256 0b8d2214…c169b) so CITATION.cff is checked offline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

from .paths import package_file

CFF_SCHEMA = package_file("citation-cff-1.2.0.schema.json")
CFF_HEADER = ("# Generated from dataset.yaml by `bigtech-events release` (or `bigtech-events cite --format cff`);\n"
              "# edit dataset.yaml, not this file.\n")
CREDITED_ROLES = {"author", "creator"}
FORMATS = ("apa", "bibtex", "cff", "zenodo")
META_KEYS = ("name", "version", "created", "title", "description", "keywords", "licenses", "contributors")


def meta_from_descriptor(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The citation-relevant package metadata of a ``datapackage.json``."""
    return {k: descriptor.get(k) for k in META_KEYS}


def release_date(meta: dict[str, Any]) -> str:
    """The version's release date, ``YYYY-MM-DD`` (from ``created``)."""
    return str(meta["created"])[:10]


def _year_month(meta: dict[str, Any]) -> tuple[int, int]:
    day = dt.date.fromisoformat(release_date(meta))
    return day.year, day.month


def credited(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """Contributors credited as authors (roles author or creator; all of them if none has those)."""
    people = list(meta.get("contributors") or [])
    chosen = [c for c in people if CREDITED_ROLES & set(c.get("roles", []))]
    return chosen or people


def _is_person(c: dict[str, Any]) -> bool:
    return bool(c.get("familyName"))


def licence_id(meta: dict[str, Any]) -> str:
    """SPDX id of the tables' licence (the first licence listed)."""
    return str(meta["licenses"][0]["name"])


# ---------------------------------------------------------------- CFF and Zenodo


def _cff_author(c: dict[str, Any]) -> dict[str, str]:
    if _is_person(c):
        out = {"family-names": c["familyName"]}
        if c.get("givenName"):
            out["given-names"] = c["givenName"]
    else:
        out = {"name": c.get("title") or c.get("organization") or "anonymous"}
    if _is_person(c) and c.get("organization"):
        out["affiliation"] = c["organization"]
    if c.get("email"):
        out["email"] = c["email"]
    if c.get("path", "").startswith("https://orcid.org/"):
        out["orcid"] = c["path"]
    elif c.get("path"):
        out["website"] = c["path"]
    return out


def cff_data(meta: dict[str, Any]) -> dict[str, Any]:
    """CITATION.cff content as a mapping (keys in the order written)."""
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below, naming the version you used.",
        "type": "dataset",
        "title": meta["title"],
        "version": meta["version"],
        "date-released": release_date(meta),
        "authors": [_cff_author(c) for c in credited(meta)],
        "abstract": " ".join(str(meta["description"]).split()),
        "license": licence_id(meta),
    }
    if meta.get("keywords"):
        data["keywords"] = list(meta["keywords"])
    return data


def to_cff(meta: dict[str, Any]) -> str:
    """CITATION.cff text (YAML; the release date is quoted so it stays a string)."""
    body = yaml.safe_dump(cff_data(meta), sort_keys=False, allow_unicode=True, width=100)
    return CFF_HEADER + body


def _zenodo_creator(c: dict[str, Any]) -> dict[str, str]:
    if _is_person(c):
        name = c["familyName"] + (f", {c['givenName']}" if c.get("givenName") else "")
    else:
        name = c.get("title") or c.get("organization") or "anonymous"
    out = {"name": name}
    if _is_person(c) and c.get("organization"):
        out["affiliation"] = c["organization"]
    if c.get("path", "").startswith("https://orcid.org/"):
        out["orcid"] = c["path"].rsplit("/", 1)[-1]
    return out


def zenodo_data(meta: dict[str, Any]) -> dict[str, Any]:
    """``.zenodo.json`` deposit metadata, consistent with :func:`cff_data`."""
    return {
        "upload_type": "dataset",
        "title": meta["title"],
        "version": meta["version"],
        "publication_date": release_date(meta),
        "description": " ".join(str(meta["description"]).split()),
        "creators": [_zenodo_creator(c) for c in credited(meta)],
        "license": licence_id(meta).lower(),
        "access_right": "open",
        "keywords": list(meta.get("keywords") or []),
    }


def to_zenodo(meta: dict[str, Any]) -> str:
    return json.dumps(zenodo_data(meta), indent=2, ensure_ascii=False) + "\n"


def validate_cff(text: str) -> list[str]:
    """Problems of a CITATION.cff text against the CFF 1.2.0 schema (empty when valid)."""
    import jsonschema

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [f"CITATION.cff: not valid YAML ({exc})"]
    data = json.loads(json.dumps(data, default=str))  # YAML dates -> strings, as the schema asks
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [f"CITATION.cff:{'/'.join(map(str, e.absolute_path)) or '-'}: {e.message}"
            for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))]


# ---------------------------------------------------------------- references


_BIBTEX_SPECIAL = re.compile(r"([&%#_$])")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _bib_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


def _bib_author(c: dict[str, Any]) -> str:
    if _is_person(c):
        return c["familyName"] + (f", {c['givenName']}" if c.get("givenName") else "")
    return "{" + (c.get("title") or c.get("organization") or "anonymous") + "}"


def to_bibtex(meta: dict[str, Any]) -> str:
    """A BibTeX ``@misc`` entry for the version (key ``<name>_<version>``)."""
    year, month = _year_month(meta)
    key = re.sub(r"[^A-Za-z0-9]+", "_", f"{meta['name']}_{meta['version']}")
    authors = " and ".join(_bib_author(c) for c in credited(meta))
    fields = [
        ("author", "{" + _bib_escape(authors) + "}"),
        ("title", "{{" + _bib_escape(meta["title"]) + "}}"),
        ("year", "{" + str(year) + "}"),
        ("month", _MONTHS[month - 1]),
        ("version", "{" + meta["version"] + "}"),
        ("howpublished", "{Dataset, version " + meta["version"] + "}"),
        ("note", "{Released " + release_date(meta) + ". Tables licensed " + licence_id(meta) + "}"),
    ]
    body = ",\n".join(f"  {name:<12} = {value}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def _apa_author(c: dict[str, Any]) -> str:
    if not _is_person(c):
        return c.get("title") or c.get("organization") or "Anonymous"
    initials = " ".join(f"{p[0]}." for p in str(c.get("givenName", "")).split() if p)
    return c["familyName"] + (f", {initials}" if initials else "")


def _apa_authors(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def to_apa(meta: dict[str, Any]) -> str:
    """An APA (7th edition) data set reference, as plain text."""
    year, _ = _year_month(meta)
    authors = _apa_authors([_apa_author(c) for c in credited(meta)])
    authors = authors if authors.endswith(".") else authors + "."
    return f"{authors} ({year}). {meta['title']} (Version {meta['version']}) [Data set].\n"


def render(meta: dict[str, Any], fmt: str) -> str:
    """The citation of the version described by ``meta`` in ``fmt`` (apa, bibtex, cff, zenodo)."""
    writers = {"apa": to_apa, "bibtex": to_bibtex, "cff": to_cff, "zenodo": to_zenodo}
    return writers[fmt](meta)


def write_citation_files(meta: dict[str, Any], root: Path) -> list[Path]:
    """Write ``CITATION.cff`` and ``.zenodo.json`` for ``meta`` into ``root``."""
    written = []
    for name, text in (("CITATION.cff", to_cff(meta)), (".zenodo.json", to_zenodo(meta))):
        path = root / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
