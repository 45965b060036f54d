"""release: byte-identical artifacts, a zip that validates, the versioning policy enforced, CHANGELOG kept."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import read_rows, refresh_hashes

from bigtech_events.diff import Change, PackageDiff, TableDiff
from bigtech_events.errors import UserError
from bigtech_events.fetch import read_registry
from bigtech_events.release import (
    BEGIN,
    END,
    check_version,
    release,
    update_changelog,
    zip_bytes_to,
)
from bigtech_events.validate import validate_path
from bigtech_events.writer import write_table

REPO = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "CHANGELOG.md", "LICENSE", "LICENSE-DATA.md")


def make_root(built_package: Path, dest: Path, version: str | None = None) -> Path:
    """A release root: the built package plus the repository's README, CHANGELOG, licences and docs."""
    shutil.copytree(built_package, dest)
    for name in DOCS:
        shutil.copy(REPO / name, dest / name)
    if (REPO / "docs").is_dir():
        shutil.copytree(REPO / "docs", dest / "docs")
    if version:
        set_version(dest, version)
    return dest


def set_version(root: Path, version: str) -> None:
    path = root / "datapackage.json"
    d = json.loads(path.read_text())
    d["version"] = version
    path.write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n")


def run(root: Path, **kw) -> object:
    kw.setdefault("run_frictionless", False)
    return release(root, registry=root / "registry.txt", **kw)


def digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture()
def root(built_package: Path, tmp_path: Path) -> Path:
    return make_root(built_package, tmp_path / "root")


def test_releasing_the_same_version_twice_gives_identical_bytes(built_package: Path, tmp_path: Path):
    a = make_root(built_package, tmp_path / "a")
    b = make_root(built_package, tmp_path / "b")
    first = release(a, registry=a / "registry.txt", run_frictionless=True)
    once = digests(a / "build")
    run(a)
    assert digests(a / "build") == once, "re-releasing in the same tree changed the artifacts"
    run(b)
    assert digests(b / "build") == once, "a second tree gave other bytes"
    assert set(once) == {"SHA256SUMS", f"china-bigtech-events-{first.version}.zip"}


def test_the_zip_holds_package_docs_and_licences_but_no_article_texts(root: Path):
    report = run(root)
    with zipfile.ZipFile(report.zip_path) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    listed = json.loads((root / "datapackage.json").read_text())
    data_files = {r["path"] for r in listed["resources"]} | {r["parquet"]["path"] for r in listed["resources"]}
    assert set(names) >= {"datapackage.json", "CITATION.cff", *DOCS} | data_files
    assert names == sorted(names)
    assert not [n for n in names if n.startswith("seeds/") or n.endswith(".txt")]
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    assert all(i.external_attr >> 16 == 0o100644 for i in infos)
    assert {i.compress_type for i in infos if i.filename.endswith(".parquet")} == {zipfile.ZIP_STORED}


def test_validate_accepts_the_release_zip(root: Path):
    report = run(root)
    proc = subprocess.run([sys.executable, "-m", "bigtech_events", "validate", str(report.zip_path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith(": valid")


def test_validate_rejects_a_zip_with_a_changed_table(root: Path, tmp_path: Path):
    report = run(root)
    with zipfile.ZipFile(report.zip_path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries["dataset/articles.csv"] += b"\n"
    zip_bytes_to(entries, tmp_path / "bad.zip")
    problems = validate_path(tmp_path / "bad.zip", run_frictionless=False)
    assert any("articles: bytes is" in p for p in problems)


def test_sha256sums_and_registry_record_the_zip(root: Path):
    report = run(root)
    digest = hashlib.sha256(report.zip_path.read_bytes()).hexdigest()
    assert report.sha256 == digest
    sums = (root / "build" / "SHA256SUMS").read_text()
    assert sums == f"{digest}  {report.zip_path.name}\n"
    assert read_registry(root / "registry.txt") == {report.zip_path.name: f"sha256:{digest}"}


def test_citation_files_describe_the_released_version(root: Path):
    report = run(root)
    with zipfile.ZipFile(report.zip_path) as zf:
        cff = zf.read("CITATION.cff").decode()
    assert cff == (root / "CITATION.cff").read_text()
    assert f"version: {report.version}\n" in cff
    assert json.loads((root / ".zenodo.json").read_text())["version"] == report.version


def test_first_release_records_row_counts_in_the_changelog(root: Path):
    report = run(root)
    text = (root / "CHANGELOG.md").read_text()
    assert f"## [{report.version}] - " in text
    assert text.index("## Unreleased") < text.index(f"## [{report.version}]")
    assert "### Data (first release)" in text
    assert f"| articles | {len(read_rows(root, 'articles'))} |" in text
    with zipfile.ZipFile(report.zip_path) as zf:
        assert zf.read("CHANGELOG.md").decode() == text


def _previous_with_extra_column(built_package: Path, out_dir: Path, version: str) -> Path:
    """A previous release whose articles table had one more column (and one row more)."""
    prev = make_root(built_package, out_dir.parent / f"prev-{version}", version)
    d = json.loads((prev / "datapackage.json").read_text())
    res = next(r for r in d["resources"] if r["name"] == "articles")
    res["schema"]["fields"].append({"name": "legacy_note", "type": "string"})
    rows = [dict(r, legacy_note="x") for r in read_rows(prev, "articles")]
    write_table("articles", res["schema"], prev / "dataset", rows)
    (prev / "datapackage.json").write_text(json.dumps(d, indent=2))
    refresh_hashes(prev)
    files = [prev / "datapackage.json", *sorted((prev / "dataset").iterdir())]
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / f"china-bigtech-events-{version}.zip"
    zip_bytes_to({p.relative_to(prev).as_posix(): p.read_bytes() for p in files}, dest)
    return dest


def test_release_refuses_a_minor_bump_when_a_column_was_removed(built_package: Path, root: Path):
    _previous_with_extra_column(built_package, root / "build", "0.0.9")
    set_version(root, "0.1.0")
    before = (root / "CHANGELOG.md").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "bigtech_events", "release", "--package", str(root),
                           "--registry", str(root / "registry.txt"), "--no-frictionless"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr == ("error: version 0.1.0 is a minor bump over 0.0.9, but the changes need a major bump "
                           "(articles: column legacy_note removed); set version 1.0.0 in dataset.yaml and rebuild\n")
    assert not (root / "build" / "china-bigtech-events-0.1.0.zip").exists()
    assert (root / "CHANGELOG.md").read_bytes() == before
    assert not (root / "registry.txt").exists()


def test_release_accepts_the_bump_the_diff_needs_and_logs_it(built_package: Path, root: Path):
    _previous_with_extra_column(built_package, root / "build", "0.0.9")
    set_version(root, "1.0.0")
    report = run(root)
    assert report.previous == "0.0.9"
    text = (root / "CHANGELOG.md").read_text()
    assert "### Data changes against 0.0.9" in text
    assert "- articles (major): column legacy_note removed" in text
    sums = (root / "build" / "SHA256SUMS").read_text().splitlines()
    assert [line.split()[1] for line in sums] == ["china-bigtech-events-0.0.9.zip", "china-bigtech-events-1.0.0.zip"]


def test_release_refuses_a_version_not_above_the_previous(built_package: Path, root: Path):
    _previous_with_extra_column(built_package, root / "build", "0.0.9")
    set_version(root, "0.0.9")
    with pytest.raises(UserError, match=r"china-bigtech-events-0.0.9.zip exists with other bytes"):
        run(root)
    with pytest.raises(UserError, match=r"version 0.0.9 is not above the previous release 0.0.9"):
        run(root, previous=str(root / "build" / "china-bigtech-events-0.0.9.zip"))


def test_a_released_version_never_changes(root: Path):
    run(root)
    # the zip's README.md is the generated card: change a file that ships as it is
    (root / "LICENSE-DATA.md").write_text((root / "LICENSE-DATA.md").read_text() + "\nmore\n")
    with pytest.raises(UserError, match="exists with other bytes: a released version never changes"):
        run(root)


def test_previous_release_in_the_registry_must_be_at_hand(root: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("BIGTECH_EVENTS_BASE_URL", raising=False)
    monkeypatch.setenv("BIGTECH_EVENTS_CACHE", str(tmp_path / "cache"))
    (root / "registry.txt").write_text(f"china-bigtech-events-0.0.5.zip sha256:{'0' * 64}\n")
    with pytest.raises(UserError, match=r"the previous release 0.0.5 is needed to check the version"):
        run(root)


def test_package_version_must_match_dataset_yaml(root: Path):
    shutil.copy(REPO / "dataset.yaml", root / "dataset.yaml")
    set_version(root, "9.9.9")
    with pytest.raises(UserError, match=r"version is '9.9.9' but dataset.yaml says"):
        run(root)


def test_release_refuses_an_invalid_package(root: Path):
    (root / "dataset" / "stray.csv").write_text("a\n")
    with pytest.raises(UserError, match="stray.csv: file is not listed"):
        run(root)


# ---------------------------------------------------------------- policy and changelog units


def _diff(*changes: Change, added: int = 0) -> PackageDiff:
    t = TableDiff("events", schema=list(changes), added=[{"event_id": str(i)} for i in range(added)])
    return PackageDiff("1.2.3", "x", [t])


@pytest.mark.parametrize(("new", "diff", "error"), [
    ("1.3.0", _diff(Change("major", "column x removed")),
     ("version 1.3.0 is a minor bump over 1.2.3, but the changes need a major bump (events: column x removed); "
      "set version 2.0.0")),
    ("1.2.4", _diff(added=2), ("version 1.2.4 is a patch bump over 1.2.3, but the changes need a minor bump "
                               "(events: 2 row(s) added); set version 1.3.0")),
    ("1.2.3", _diff(), "version 1.2.3 is not above the previous release 1.2.3; set version 1.2.4"),
    ("1.1.9", _diff(added=1), "version 1.1.9 is not above the previous release 1.2.3; set version 1.3.0"),
])
def test_versioning_policy_refusals_are_one_line(new, diff, error):
    with pytest.raises(UserError) as exc:
        check_version("1.2.3", new, diff)
    assert str(exc.value).startswith(error)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize(("new", "diff"), [
    ("2.0.0", _diff(Change("major", "column x removed"))),
    ("1.3.0", _diff(added=1)),
    ("1.2.4", _diff(Change("patch", "column x description changed"))),
    ("1.2.4", _diff()),
    ("2.0.0", _diff(added=1)),
])
def test_versioning_policy_accepts_enough_of_a_bump(new, diff):
    check_version("1.2.3", new, diff)


def test_changelog_update_is_idempotent_and_keeps_curated_entries():
    text = "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Fixed\n- a date\n\n## [0.1.0] - 2026-01-01\n\nOld.\n"
    block = [BEGIN, "### Data changes against 0.1.0", "", "rows", END]
    once = update_changelog(text, "0.2.0", "2026-02-01", block)
    assert once == ("# Changelog\n\nIntro.\n\n## Unreleased\n\n## [0.2.0] - 2026-02-01\n\n### Fixed\n- a date\n\n"
                    f"{BEGIN}\n### Data changes against 0.1.0\n\nrows\n{END}\n\n## [0.1.0] - 2026-01-01\n\nOld.\n")
    assert update_changelog(once, "0.2.0", "2026-02-01", block) == once
    changed = update_changelog(once, "0.2.0", "2026-02-01", [BEGIN, "other", END])
    assert "rows" not in changed and "other" in changed and changed.count(BEGIN) == 1


def test_changelog_without_sections_gets_one():
    out = update_changelog("# Changelog\n", "0.1.0", "2026-01-01", [BEGIN, "x", END])
    assert out == f"# Changelog\n\n## [0.1.0] - 2026-01-01\n\n{BEGIN}\nx\n{END}\n"
