"""release: the zip's card describes its own version, files are 0644, croissant.json ships, git tag."""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from test_release import make_root, run

from bigtech_events.errors import UserError
from bigtech_events.report import figure_files

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_the_zip_card_describes_its_own_version(built_package: Path, tmp_path: Path):
    root = make_root(built_package, tmp_path / "root", version="0.2.0")
    report = run(root)
    with zipfile.ZipFile(report.zip_path) as zf:
        card = zf.read("README.md").decode()
        names = zf.namelist()
    meta = front_matter(card)
    assert meta["license"] == "cc-by-4.0"
    assert meta["size_categories"] == ["n<1K"]
    tables = [r["name"] for r in json.loads((root / "datapackage.json").read_text())["resources"]]
    assert [c["config_name"] for c in meta["configs"]] == tables
    assert all(f"dataset/{c['config_name']}.parquet" == c["data_files"][0]["path"] for c in meta["configs"])
    assert "# China Big Tech Events 0.2.0" in card
    events = (built_package / "dataset" / "events.csv").read_text().count("\n") - 1
    assert f"| events | {events} |" in card
    assert "croissant.json" in names
    assert (root / "croissant.json").read_bytes() == zipfile.ZipFile(report.zip_path).read("croissant.json")


def test_release_files_are_readable_by_everyone(built_package: Path, tmp_path: Path):
    old = os.umask(0o077)
    try:
        root = make_root(built_package, tmp_path / "root")
        report = run(root)
    finally:
        os.umask(old)
    for path in [report.zip_path, *report.updated]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    with zipfile.ZipFile(report.zip_path) as zf:
        assert {(i.external_attr >> 16) & 0o777 for i in zf.infolist()} == {0o644}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


@pytest.fixture()
def checkout(built_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    root = make_root(built_package, tmp_path / "repo")
    (root / ".gitignore").write_text("build/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "package")
    return root


def test_release_in_a_checkout_commits_and_tags_the_release(checkout: Path):
    (checkout / "notes.txt").write_text("work in progress\n")  # not part of the release
    run(checkout)
    assert git(checkout, "cat-file", "-t", "v0.1.0") == "tag"  # annotated
    assert git(checkout, "rev-parse", "v0.1.0^{commit}") == git(checkout, "rev-parse", "HEAD")
    committed = git(checkout, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert "croissant.json" in committed and "CITATION.cff" in committed
    assert "notes.txt" not in committed and not any(n.startswith("build/") for n in committed)
    assert git(checkout, "status", "--porcelain") == "?? notes.txt"
    head = git(checkout, "rev-parse", "HEAD")
    run(checkout)  # the same release again: no new commit, same tag
    assert git(checkout, "rev-parse", "HEAD") == head


def test_a_tag_on_another_commit_is_refused(checkout: Path):
    git(checkout, "tag", "-a", "v0.1.0", "-m", "elsewhere")
    (checkout / "README.md").write_text("changed\n")
    git(checkout, "commit", "-q", "-am", "later")
    with pytest.raises(UserError, match=r"tag v0\.1\.0 is on commit .* bump the version"):
        run(checkout)
    assert not (checkout / "build").exists()  # refused before anything was written


def test_outside_a_checkout_no_tag_is_made(built_package: Path, tmp_path: Path):
    root = make_root(built_package, tmp_path / "root")
    run(root)
    assert not (root / ".git").exists()


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def relative_links(markdown: str) -> list[str]:
    """The targets of the Markdown links and images that point at a file (no address, no anchor)."""
    return [t.split("#", 1)[0] for t in LINK.findall(markdown)
            if not re.match(r"^[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


def test_every_relative_link_in_the_zipped_card_resolves_inside_the_zip(built_package: Path, tmp_path: Path):
    root = make_root(built_package, tmp_path / "root")
    shutil.rmtree(root / "docs" / "figures", ignore_errors=True)  # the release draws its own
    report = run(root)
    with zipfile.ZipFile(report.zip_path) as zf:
        names = set(zf.namelist())
        card = zf.read("README.md").decode()
        docs = {n: zf.read(n).decode() for n in names if n.endswith(".md")}
        figures = {n: zf.read(n) for n in names if n.startswith("docs/figures/")}
    links = relative_links(card)
    assert {"docs/figures/event-timeline.svg", "docs/figures/actor-network.png"} <= set(links)
    assert [link for link in links if link not in names] == []
    for name, text in docs.items():  # the docs shipped beside the card link only what ships too
        base = posixpath.dirname(name)
        missing = [t for t in relative_links(text) if posixpath.normpath(posixpath.join(base, t)) not in names]
        assert missing == [], f"{name} links files the zip lacks: {missing}"
    assert figures == {f"docs/figures/{n}": b for n, b in figure_files(root)[0].items()}


def test_a_card_without_figures_links_none(built_package: Path):
    from bigtech_events.card import card_text
    from bigtech_events.loader import PackageFiles

    with PackageFiles(built_package) as pkg:
        card = card_text(pkg)
    assert "docs/figures" not in card and "## Figures" not in card
