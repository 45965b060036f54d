"""Load the curated rules in ``rules/`` (data files a curator edits) and compile them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import UserError
from .ingest import BoilerplateRules


@dataclass
class RuleSet:
    boilerplate: BoilerplateRules
    source_dir: Path


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: rule file is missing; restore it from the repository") from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        raise UserError(f"{path}:{line}: not valid YAML; fix the syntax") from None


def compile_regex(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise UserError(f"{where}: regular expression does not compile ({exc.msg}); fix it") from None


def load_boilerplate(path: Path) -> BoilerplateRules:
    data = read_yaml(path) or {}
    lines = []
    for i, entry in enumerate(data.get("lines", []), 1):
        rid = f"boilerplate.{entry['id']}"
        if "line" in entry:
            rx = re.compile(re.escape(entry["line"]))
        else:
            rx = compile_regex(entry["regex"], f"{path}: lines[{i}] ({entry['id']})")
        lines.append((rid, rx))
    credits = data.get("credits", [])
    credit = None
    if credits:
        alt = "|".join(re.escape(c) for c in sorted(credits, key=len, reverse=True))
        credit = re.compile(rf"(?<=[.!?”\"’])\s+(?:{alt})\s*$")
    return BoilerplateRules(tuple(lines), credit)


def load_rules(rules_dir: Path) -> RuleSet:
    if not rules_dir.is_dir():
        raise UserError(f"{rules_dir}: rules directory does not exist; pass --rules DIR")
    return RuleSet(boilerplate=load_boilerplate(rules_dir / "boilerplate.yaml"), source_dir=rules_dir)
