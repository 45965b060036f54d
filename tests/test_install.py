"""Installed from a wheel (not editable), away from any checkout, the package loads, validates and
cites a release zip and finds the registry it ships; constraints.txt pins the libraries that fix the
output bytes.

The install is real but offline and quick: a wheel built from a copy of the checkout with
``--no-build-isolation``, installed with ``--no-deps`` into a fresh venv whose only route to the
dependencies is a ``.pth`` line naming this environment's site-packages (a plain path: the editable
install's own ``.pth`` there is not processed, so the venv cannot see the checkout).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from test_release import make_root

import bigtech_events
from bigtech_events.cli import cli
from bigtech_events.paths import ROOT_ENV
from bigtech_events.release import release

#: Libraries whose versions decide the output bytes (see constraints.txt).
PINNED = {"pyarrow", "pyahocorasick", "edtf", "pyyaml", "pandas", "numpy", "pandera", "frictionless"}
NOT_COPIED = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
              ".ruff_cache", ".devset*")
MIN_SETUPTOOLS = Version("77")

PROBE = """
import importlib, json, sys
from pathlib import Path
import bigtech_events
from bigtech_events.errors import UserError
from bigtech_events.validate import validate_path
zip_path = sys.argv[1]
tables = bigtech_events.load_package(path=zip_path)
events = bigtech_events.load("events", path=zip_path)
problems = validate_path(Path(zip_path))
fetch = importlib.import_module("bigtech_events.fetch")
try:
    bigtech_events.fetch(fetch.registered_versions()[-1])
    fetched = "no error"
except UserError as exc:
    fetched = str(exc)
print(json.dumps({"module": bigtech_events.__file__, "rows": {t: len(df) for t, df in tables.items()},
                  "event_type": str(events["event_type"].dtype), "problems": problems,
                  "registered": fetch.registered_versions(), "fetch": fetched}))
"""


def constraints() -> dict[str, str]:
    """``{canonical name: version}`` from constraints.txt."""
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"constraints.txt: {line}: pin one exact version"
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_constraints_pin_the_byte_deciding_libraries_within_the_declared_ranges():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ranges = {canonicalize_name(r.name): r.specifier for r in map(Requirement, project["dependencies"])}
    # the test extra's checkers (the Croissant validator) are pinned too, so tests judge alike everywhere
    extra = {canonicalize_name(r.name): r.specifier
             for r in map(Requirement, project["optional-dependencies"]["test"])}
    pins = constraints()
    assert PINNED <= set(pins), f"constraints.txt must pin {sorted(PINNED - set(pins))}"
    assert all(not spec.operator.startswith("=") for s in ranges.values() for spec in s), (
        "pyproject.toml gives ranges; exact versions belong in constraints.txt")
    for name, version in pins.items():
        declared = ranges.get(name, extra.get(name))
        assert declared is not None, f"constraints.txt pins {name}, which pyproject.toml does not declare"
        assert declared.contains(version), f"{name}=={version} is outside pyproject.toml's {declared}"


def test_the_tests_run_with_the_pinned_versions():
    wrong = {n: importlib.metadata.version(n) for n, v in constraints().items()
             if importlib.metadata.version(n) != v}
    assert not wrong, f"installed {wrong} differ from constraints.txt: run `make test` to reinstall"


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that points at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", ROOT_ENV)}
    env.pop("BIGTECH_EVENTS_BASE_URL", None)
    return {**env, **extra}


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env or _clean_env(), capture_output=True,
                          text=True, check=False, timeout=300)


def _wheel(base: Path) -> Path:
    """A wheel built offline from a copy of the checkout (the build leaves files in its source tree)."""
    have = Version(importlib.metadata.version("setuptools"))
    if have < MIN_SETUPTOOLS:
        pytest.fail(f"setuptools {have} cannot build this project offline (needs >= {MIN_SETUPTOOLS}, "
                    "a test extra): run `make test`, which reinstalls the test extras")
    source = base / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*NOT_COPIED))
    proc = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                 "--no-index", "--wheel-dir", base / "dist", source], cwd=base, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    (wheel,) = (base / "dist").glob("china_bigtech_events-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin/`` directory of a fresh venv with the project installed from a wheel."""
    base = tmp_path_factory.mktemp("install")
    wheel = _wheel(base)
    deps = Path(sysconfig.get_paths()["purelib"])
    assert not (deps / "bigtech_events").exists(), f"{deps} holds the package; the test needs only its deps"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(base / "venv")
    bin_dir = base / "venv" / "bin"
    site = _run([bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                cwd=base)
    Path(site.stdout.strip(), "deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    proc = _run([sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "--quiet",
                 "--no-deps", "--no-index", wheel], cwd=base)
    assert proc.returncode == 0, proc.stderr
    return bin_dir


@pytest.fixture(scope="module")
def release_zip(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("install-release")
    root = make_root(built_package, base / "root")
    return release(root, registry=base / "registry.txt", run_frictionless=False).zip_path


@pytest.fixture()
def away(tmp_path: Path) -> Path:
    """A working directory outside the checkout."""
    cwd = tmp_path / "away"
    cwd.mkdir()
    return cwd


def test_installed_package_loads_and_validates_a_release_zip_and_finds_its_registry(
        installed, release_zip, away, tmp_path):
    proc = _run([installed / "python", "-c", PROBE, release_zip], cwd=away,
                env=_clean_env(BIGTECH_EVENTS_CACHE=str(tmp_path / "cache")))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert Path(out["module"]).is_relative_to(installed.parent), f"imported {out['module']}, not the install"
    expected = {t: len(df) for t, df in bigtech_events.load_package(path=release_zip).items()}
    assert out["rows"] == expected and sum(expected.values()) > 0
    assert out["event_type"] == "category"
    assert out["problems"] == []
    shipped = (REPO / "src" / "bigtech_events" / "registry.txt").read_text(encoding="utf-8")
    assert out["registered"]
    assert all(f"china-bigtech-events-{v}.zip sha256:" in shipped for v in out["registered"])
    assert "is not in the cache and no download address is set" in out["fetch"]


def test_installed_command_cites_a_release_zip(installed, release_zip, away):
    args = ["cite", "--format", "cff", "--package", str(release_zip)]
    proc = _run([installed / "bigtech-events", *args], cwd=away)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == CliRunner().invoke(cli, args).output
    assert "type: dataset\n" in proc.stdout


def test_installed_command_needs_a_project_only_to_build_and_curate(installed, away):
    proc = _run([installed / "bigtech-events", "build"], cwd=away)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: no project found: ") and proc.stderr.count("\n") == 1
    assert "--root DIR" in proc.stderr and "Traceback" not in proc.stderr
    proc = _run([installed / "bigtech-events", "--root", REPO, "cite"], cwd=away)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == CliRunner().invoke(cli, ["cite"]).output
    proc = _run([installed / "bigtech-events", "--root", REPO, "lint-rules"], cwd=away)  # shipped rule schemas
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{REPO / 'rules'}: no problems\n"


def test_installed_command_serves_a_release_zip_with_its_page_templates(installed, release_zip, away):
    """The wheel ships the page template: an actor's page lists its events."""
    import urllib.request

    from helpers import served_address

    proc = subprocess.Popen([str(installed / "bigtech-events"), "serve", str(release_zip), "--port", "0"],
                            cwd=away, env=_clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = served_address(proc)
        with urllib.request.urlopen(f"{url}/actors/ant-group", timeout=120) as response:
            html = response.read().decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert "Events of this actor" in html and "penalty" in html
