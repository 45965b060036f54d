"""Package-level metadata (``dataset.yaml``): name, version, licences, contributors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError
from .paths import project_path

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
REQUIRED = ("name", "version", "created", "title", "description", "licenses", "contributors")


def load_dataset_meta(path: Path | None = None) -> dict[str, Any]:
    """``dataset.yaml`` (default: the project's), checked for the required keys."""
    path = path or project_path("dataset.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: dataset metadata file is missing") from None
    except yaml.YAMLError:
        raise UserError(f"{path}: not valid YAML; fix the syntax") from None
    for key in REQUIRED:
        if not data or key not in data:
            raise UserError(f"{path}: required key {key!r} is missing; add it")
    if not SEMVER.match(str(data["version"])):
        raise UserError(f"{path}: version {data['version']!r} is not MAJOR.MINOR.PATCH; fix it")
    data["version"] = str(data["version"])
    data["created"] = str(data["created"])
    return data
