"""Where the repository's inputs live."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent.parent


def repo_path(*parts: str) -> Path:
    """A path inside the repository checkout (seeds/, rules/, schemas/, ...)."""
    return REPO_ROOT.joinpath(*parts)


SEEDS_DIR = repo_path("seeds")
RULES_DIR = repo_path("rules")
SCHEMAS_DIR = repo_path("schemas")
DATASET_META = repo_path("dataset.yaml")
