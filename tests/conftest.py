"""Shared fixtures: a package built once per session from the repository's seeds and rules.

The project under test is the checkout holding these tests, wherever pytest runs from
(tests of how the root is found set or remove ``BIGTECH_EVENTS_ROOT`` themselves).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import REPO, RULES_DIR, SEEDS_DIR
from hypothesis import settings

from bigtech_events.build import build
from bigtech_events.paths import ROOT_ENV

os.environ[ROOT_ENV] = str(REPO)

# Property tests check behaviour, not speed (benchmarks measure speed): no per-example deadline,
# which a loaded machine would otherwise turn into random failures.
settings.register_profile("project", deadline=None)
settings.load_profile("project")


@pytest.fixture(scope="session")
def built_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package built from the repository's seeds into a temporary directory (read-only use)."""
    out = tmp_path_factory.mktemp("pkg")
    build(SEEDS_DIR, RULES_DIR, out, jobs=1)
    return out


@pytest.fixture()
def package_copy(built_package: Path, tmp_path: Path) -> Path:
    """A private copy of the built package that a test may break."""
    dest = tmp_path / "pkg"
    shutil.copytree(built_package, dest)
    return dest


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    """A private copy of the repository's rules that a test may edit."""
    dest = tmp_path / "rules"
    shutil.copytree(RULES_DIR, dest)
    return dest
