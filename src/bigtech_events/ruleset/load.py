"""The one way to read a rules file: parsed with its lines, refused if hostile, checked by its schema.

Every command that reads ``rules/`` (build, lint-rules, explain, evaluate) reads
it here, so a misspelt key, a wrong type or a missing field is reported the
same way everywhere, all problems at once, each as ``file:line: what; fix``::

    rules/triggers.yaml:63: unknown key 'objcet' in triggers[4]; did you mean 'object'?
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ValidationFailed
from .parse import Mapping, parse
from .schema import schema_names, schema_problems

GAZETTEER = "gazetteer"


def schema_for(path: Path) -> str | None:
    """The schema of a rules file: ``triggers`` for triggers.yaml, ``gazetteer`` for gazetteer/*.yaml."""
    name = GAZETTEER if path.parent.name == GAZETTEER else path.stem
    return name if name in schema_names() else None


def check_rules_file(path: Path) -> tuple[Any, list[str]]:
    """A rules file's data and every problem found in it (the data is ``None`` when there are problems).

    An empty file is an empty mapping. A file without a schema is only parsed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [f"{path}:1: rule file is missing; restore it from the repository"]
    except UnicodeDecodeError as exc:
        return None, [f"{path}:1: byte {exc.start} is not UTF-8; save the file as UTF-8"]
    data, problems = parse(text, str(path))
    if problems:
        return None, problems
    if data is None:
        data = Mapping()
        data.line, data.key_lines = 1, {}
    name = schema_for(path)
    if name is not None:
        problems = schema_problems(data, name, str(path))
    return (None if problems else data), problems


def read_rules_file(path: Path) -> Any:
    """A rules file's data, checked; raises :class:`ValidationFailed` listing every problem."""
    data, problems = check_rules_file(path)
    if problems:
        raise ValidationFailed(problems)
    return data


def rules_files(rules_dir: Path) -> list[Path]:
    """The rules files that have a schema: ``<name>.yaml`` for each, and every ``gazetteer/*.yaml``."""
    files = [rules_dir / f"{name}.yaml" for name in schema_names() if name != GAZETTEER]
    return files + sorted((rules_dir / GAZETTEER).glob("*.yaml"))


def check_rules_dir(rules_dir: Path) -> tuple[dict[Path, Any], list[str]]:
    """Every rules file's data (files with problems left out) and every problem in any of them."""
    out: dict[Path, Any] = {}
    problems: list[str] = []
    for path in rules_files(rules_dir):
        data, found = check_rules_file(path)
        problems += found
        if not found:
            out[path] = data
    return out, problems


def read_rules_dir(rules_dir: Path) -> dict[Path, Any]:
    """Every rules file's checked data; raises :class:`ValidationFailed` listing every problem in all files."""
    files, problems = check_rules_dir(rules_dir)
    if problems:
        raise ValidationFailed(problems)
    return files
