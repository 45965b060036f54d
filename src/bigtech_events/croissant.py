"""Croissant (ML Commons, 1.0) JSON-LD metadata of the package, ``croissant.json``.

Generated from ``datapackage.json`` alone, whose table schemas are those of
``schemas/``: the schema.org ``Dataset`` fields (name, description, version,
licence, keywords, creators, date) come from the package metadata, every
table's CSV and Parquet file is a ``FileObject`` with its ``sha256`` and size,
and every table is a ``RecordSet`` whose fields carry a ``dataType`` and read
their column from the CSV file. Keys and foreign keys become ``key`` and
``references``. The JSON is written with a fixed key order and no
timestamps, so the same descriptor always gives the same bytes.

``make package`` writes it beside ``datapackage.json`` (``python -m
bigtech_events.croissant``); ``bigtech-events release`` writes it and puts it
in the release zip.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .cite import credited, licence_id, release_date

FILE_NAME = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
# Table Schema type (and format) -> schema.org data type
DATA_TYPES = {
    "string": "sc:Text",
    "integer": "sc:Integer",
    "number": "sc:Float",
    "boolean": "sc:Boolean",
    "date": "sc:Date",
    "datetime": "sc:DateTime",
    "year": "sc:Integer",
}


def data_type(field: dict[str, Any]) -> str:
    """The schema.org type of a Table Schema field (``sc:URL`` for strings of format uri)."""
    if field.get("type") == "string" and field.get("format") == "uri":
        return "sc:URL"
    return DATA_TYPES.get(str(field.get("type")), "sc:Text")


def _file_object(entry: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "@type": "cr:FileObject",
        "@id": entry["path"],
        "name": entry["path"],
        "description": description,
        "contentUrl": entry["path"],
        "contentSize": f"{entry['bytes']} B",
        "encodingFormat": entry["mediatype"],
        "sha256": str(entry["hash"]).removeprefix("sha256:"),
    }


def _field(table: str, csv_id: str, field: dict[str, Any], refs: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": f"{table}/{field['name']}",
        "name": field["name"],
        "description": field.get("description", ""),
        "dataType": data_type(field),
        "source": {"fileObject": {"@id": csv_id}, "extract": {"column": field["name"]}},
    }
    if field["name"] in refs:
        out["references"] = {"field": {"@id": refs[field["name"]]}}
    return out


def _references(schema: dict[str, Any]) -> dict[str, str]:
    """Single-column foreign keys of a table: column -> ``table/column`` it refers to."""
    refs = {}
    for fk in schema.get("foreignKeys", []):
        fields, target = fk["fields"], fk["reference"]
        if isinstance(fields, str):
            fields, target = [fields], {**target, "fields": [target["fields"]]}
        if len(fields) == 1 and target.get("resource"):
            refs[fields[0]] = f"{target['resource']}/{target['fields'][0]}"
    return refs


def _record_set(res: dict[str, Any]) -> dict[str, Any]:
    table, schema = res["name"], res["schema"]
    refs = _references(schema)
    out: dict[str, Any] = {
        "@type": "cr:RecordSet",
        "@id": table,
        "name": table,
        "description": res.get("description", ""),
    }
    pk = schema.get("primaryKey") or []
    if pk:
        keys = [{"@id": f"{table}/{k}"} for k in ([pk] if isinstance(pk, str) else pk)]
        out["key"] = keys[0] if len(keys) == 1 else keys
    out["field"] = [_field(table, res["path"], f, refs) for f in schema["fields"]]
    return out


def _creator(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("familyName"):
        name = " ".join(p for p in (c.get("givenName"), c["familyName"]) if p)
        out: dict[str, Any] = {"@type": "sc:Person", "name": name}
    else:
        out = {"@type": "sc:Organization", "name": c.get("title") or c.get("organization") or "anonymous"}
    if c.get("path"):
        out["url"] = c["path"]
    return out


def croissant_data(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The Croissant document of the package described by ``descriptor`` (a ``datapackage.json``)."""
    licence = descriptor["licenses"][0]
    resources = [r for r in descriptor.get("resources", []) if r.get("schema")]
    files = []
    for res in resources:
        files.append(_file_object(res, f"{res['name']} table, CSV (UTF-8, header row)"))
        if isinstance(res.get("parquet"), dict):
            files.append(_file_object(res["parquet"], f"{res['name']} table, Parquet (same rows)"))
    meta = {k: descriptor.get(k) for k in ("name", "version", "created", "licenses", "contributors")}
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": descriptor["name"],
        "alternateName": descriptor.get("title", ""),
        "description": " ".join(str(descriptor.get("description", "")).split()),
        "version": descriptor["version"],
        "datePublished": release_date(meta),
        "license": licence.get("path") or licence_id(meta),
        "keywords": list(descriptor.get("keywords") or []),
        "creator": [_creator(c) for c in credited(meta)],
        "inLanguage": "en",
        "isAccessibleForFree": True,
        "citeAs": f"{descriptor.get('title', descriptor['name'])} (Version {descriptor['version']}) [Data set]",
        "distribution": files,
        "recordSet": [_record_set(r) for r in resources],
    }
    return doc


def render(descriptor: dict[str, Any]) -> str:
    """``croissant.json`` text (two-space indent, UTF-8, final newline)."""
    return json.dumps(croissant_data(descriptor), indent=2, ensure_ascii=False) + "\n"


def write(root: Path) -> Path:
    """Write ``root/croissant.json`` from ``root/datapackage.json``; return its path."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    target = root / FILE_NAME
    target.write_text(render(descriptor), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m bigtech_events.croissant [ROOT]``: write ROOT/croissant.json (ROOT defaults to .)."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else ".")
    if not (root / "datapackage.json").is_file():
        print(f"{root / 'datapackage.json'}: missing; run `bigtech-events build` first", file=sys.stderr)
        return 2
    print(write(root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
