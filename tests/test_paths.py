"""The project root comes from --root, BIGTECH_EVENTS_ROOT or the working directory, not the code's location."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import REPO

import bigtech_events
from bigtech_events.cli import cli, main
from bigtech_events.errors import UserError
from bigtech_events.fetch import REGISTRY
from bigtech_events.paths import ROOT_ENV, find_root, project_path, project_root
from bigtech_events.release import default_registry


def make_project(dest: Path, version: str) -> Path:
    """A minimal project: dataset.yaml (with ``version``) and an empty rules/."""
    dest.mkdir(parents=True)
    meta = yaml.safe_load((REPO / "dataset.yaml").read_text(encoding="utf-8"))
    meta["version"] = version
    (dest / "dataset.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    (dest / "rules").mkdir()
    return dest.resolve()


@pytest.fixture()
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory outside any project, with BIGTECH_EVENTS_ROOT unset."""
    monkeypatch.delenv(ROOT_ENV, raising=False)
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_the_root_is_found_by_walking_up_from_the_working_directory(nowhere: Path, monkeypatch):
    project = make_project(nowhere / "proj", "1.2.3")
    sub = project / "docs" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert find_root() == project
    assert project_path("seeds") == project / "seeds"


def test_the_environment_wins_over_the_working_directory(nowhere: Path, monkeypatch):
    here = make_project(nowhere / "here", "1.0.0")
    there = make_project(nowhere / "there", "2.0.0")
    monkeypatch.chdir(here)
    monkeypatch.setenv(ROOT_ENV, str(there))
    assert project_root() == there


def test_an_environment_variable_naming_no_project_is_a_one_line_error(nowhere: Path, monkeypatch):
    monkeypatch.setenv(ROOT_ENV, str(nowhere))
    with pytest.raises(UserError, match=rf"not the project root \({ROOT_ENV}\); it must hold dataset.yaml"):
        find_root()


def test_root_option_wins_over_the_environment_and_lasts_one_command(nowhere: Path, monkeypatch):
    env_project = make_project(nowhere / "env", "1.0.0")
    option_project = make_project(nowhere / "opt", "4.5.6")
    monkeypatch.setenv(ROOT_ENV, str(env_project))
    result = CliRunner().invoke(cli, ["--root", str(option_project), "cite", "--format", "apa"])
    assert result.exit_code == 0, result.output
    assert "(Version 4.5.6) [Data set]" in result.output
    assert find_root() == env_project  # the option does not outlive the command


def test_without_a_project_build_says_so_in_one_line(nowhere: Path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: no project found: neither {nowhere} nor a parent holds "
                          "dataset.yaml and rules/;")
    assert "--root DIR" in err and ROOT_ENV in err


def test_a_root_option_naming_no_project_is_refused(nowhere: Path, capsys):
    with pytest.raises(SystemExit):
        main(["--root", str(nowhere), "lint-rules"])
    assert capsys.readouterr().err == (
        f"error: {nowhere}: not the project root (--root); it must hold dataset.yaml and rules/: "
        "name the checkout's top directory\n")


def test_without_a_project_cite_points_at_package(nowhere: Path, capsys):
    with pytest.raises(SystemExit):
        main(["cite"])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pass --package DIR|ZIP" in err and "--root DIR" in err


def test_cite_package_needs_no_project(nowhere: Path, built_package: Path):
    result = CliRunner().invoke(cli, ["cite", "--format", "bibtex", "--package", str(built_package)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("@misc{china_bigtech_events_")


def test_load_without_a_project_or_path_says_what_to_pass(nowhere: Path):
    with pytest.raises(UserError, match=r"no package found: pass path= .* or version= "):
        bigtech_events.load("events")


def test_load_finds_the_package_at_the_project_root(nowhere: Path, built_package: Path, monkeypatch):
    project = make_project(nowhere / "proj", "0.1.0")
    shutil.copytree(built_package, project, dirs_exist_ok=True)
    monkeypatch.chdir(project / "rules")
    assert len(bigtech_events.load("articles")) == len(bigtech_events.load("articles", path=built_package))


def test_no_module_locates_the_project_from_its_own_file():
    sources = sorted((REPO / "src" / "bigtech_events").rglob("*.py"))
    assert sources
    assert [p.name for p in sources if "__file__" in p.read_text(encoding="utf-8")] == []


def test_release_updates_the_checkouts_registry_not_the_installed_one(tmp_path: Path):
    assert default_registry(REPO) == REPO / "src" / "bigtech_events" / "registry.txt"
    assert default_registry(tmp_path) == Path(str(REGISTRY))
