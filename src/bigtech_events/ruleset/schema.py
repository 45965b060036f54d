"""The JSON Schemas of the rules files (``ruleset/schemas/``) and their problems as one-line messages.

A rule schema is JSON Schema (Draft 2020-12) with two additions, filled in when
it is loaded so that each vocabulary is written once, in ``schemas/``:

- ``"x-contract": "<table>.<field>"`` copies that column's ``enum`` or
  ``pattern`` constraint from the Table Schema (``null`` is added to the enum
  when the rule schema allows ``null``), and ``"x-also": [...]`` adds the
  rule-side values the table does not have (the trigger role ``location``);
- ``"x-fix"`` (what to do) and ``"x-message"`` (for ``oneOf``) word the
  problem; ``title`` names the value ("event type").
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from ..contract.vocab import constraints
from .parse import Mapping, Sequence

_EXPECTED = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "array": "a list", "object": "a mapping (key: value)", "null": "empty"}


def schema_names() -> tuple[str, ...]:
    """The rules files that have a schema: ``triggers`` for triggers.yaml, ``gazetteer`` for gazetteer/*.yaml."""
    folder = resources.files(__package__).joinpath("schemas")
    return tuple(sorted(p.name.removesuffix(".schema.json") for p in folder.iterdir()
                        if p.name.endswith(".schema.json")))


@lru_cache(maxsize=32)
def _validator(name: str) -> jsonschema.protocols.Validator:
    text = resources.files(__package__).joinpath("schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    schema = _with_contract(json.loads(text))
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)


def rule_schema(name: str) -> dict[str, Any]:
    """The schema of one rules file, with its vocabularies filled in from ``schemas/``."""
    return json.loads(json.dumps(_validator(name).schema))


def _with_contract(node: Any) -> Any:
    if isinstance(node, list):
        return [_with_contract(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _with_contract(v) for k, v in node.items()}
    if "x-contract" in out:
        table, field = out["x-contract"].split(".")
        found = constraints(table, field)
        if "enum" in found:
            types = out.get("type", [])
            nullable = [None] if "null" in (types if isinstance(types, list) else [types]) else []
            out["enum"] = [*found["enum"], *out.get("x-also", []), *nullable]
        if "pattern" in found:
            out["pattern"] = found["pattern"]
    return out


def schema_problems(data: Any, name: str, where: str) -> list[str]:
    """Every way ``data`` breaks schema ``name``, as ``where:line: what; fix``, in line order."""
    found: list[tuple[int, str]] = []
    for error in _validator(name).iter_errors(data):
        found.extend(_describe(error, data))
    return [f"{where}:{line}: {what}" for line, what in sorted(found, key=lambda p: p[0])]


def _describe(error: jsonschema.ValidationError, data: Any) -> list[tuple[int, str]]:
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "propertyNames" in error.relative_schema_path:  # a key of a mapping whose keys are a vocabulary
        path = [*path, error.instance]
        schema = schema.get("propertyNames", schema)
    at, line = _where(list(error.absolute_path)), _line(data, path)
    title = schema.get("title") if path else None
    subject = f"{title} in {at}" if title else at
    fix = schema.get("x-fix")
    value, kind = error.instance, error.validator
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        return [(_key_line(value, key, line), f"unknown key {key!r} in {at}; {_suggest(key, allowed, 'allowed keys')}")
                for key in value if key not in allowed]
    if kind == "required":
        return [(line, f"missing key {key!r} in {at}; add it") for key in error.validator_value if key not in value]
    if kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = " or ".join(_EXPECTED.get(t, t) for t in expected)
        return [(line, f"{subject} is {_kind(value)}, not {wanted}; {fix or f'write {wanted}'}")]
    if kind == "enum":
        options = [str(v) for v in error.validator_value if v is not None]
        what = f"unknown {title} {value!r}" if title else f"{value!r} is not allowed"
        return [(line, f"{what} in {at}; {_suggest(str(value), options, 'use one of')}")]
    if kind == "pattern":
        what = f"{title or 'value'} {value!r} in {at} does not match {error.validator_value}"
        return [(line, f"{what}; {fix or 'fix it'}")]
    if kind in ("minItems", "maxItems"):
        low, high = schema.get("minItems"), schema.get("maxItems")
        need = f"exactly {low}" if low == high else (f"at least {low}" if kind == "minItems" else f"at most {high}")
        return [(line, f"{at} lists {len(value)} item(s); it needs {need}")]
    if kind == "minLength":
        return [(line, f"{at} is empty; write the text or remove the key")]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [(line, f"{title or 'value'} {value!r} in {at} is out of range ({error.message}); fix it")]
    if kind in ("oneOf", "anyOf"):
        return [(line, f"{at} {schema.get('x-message', 'does not fit any allowed form')}")]
    if kind == "uniqueItems":
        twice = [v for i, v in enumerate(value) if v in value[:i]]
        return [(line, f"{at} lists {twice[0]!r} twice; keep one")]
    return [(line, f"{at}: {error.message}; fix it")]


def _suggest(word: str, options: list[str], lead: str) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else f"{lead}: {', '.join(options)}"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if value is None:
        return "empty"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value!r})"
    return "a list" if isinstance(value, list) else "a mapping"


def _where(path: list[Any]) -> str:
    """``triggers[4].preps.on``: list items counted from 1, as a curator counts them."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step + 1}]"
        elif str(step).isidentifier():
            out += f".{step}" if out else str(step)
        else:
            out += f"[{str(step)!r}]"
    return out or "the file"


def _key_line(container: Any, key: Any, default: int) -> int:
    return container.key_lines.get(key, default) if isinstance(container, Mapping) else default


def _line(data: Any, path: list[Any]) -> int:
    """The line of the deepest step of ``path`` that the data records (1 when none)."""
    line = getattr(data, "line", 1)
    for step in path:
        if isinstance(data, Mapping) and step in data:
            line, data = data.key_lines.get(step, line), data[step]
        elif isinstance(data, Sequence) and isinstance(step, int) and 0 <= step < len(data):
            line, data = data.item_lines[step], data[step]
        else:
            break
    return line
