"""Build is deterministic and atomic; the committed package is what build produces."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import RULES_DIR, SEEDS_DIR

from bigtech_events import build as build_mod
from bigtech_events.build import build
from bigtech_events.errors import ValidationFailed

REPO = Path(__file__).resolve().parent.parent


def _digests(root: Path) -> dict[str, str]:
    files = [root / "datapackage.json", *sorted((root / "dataset").iterdir())]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_two_builds_are_byte_identical(built_package: Path, tmp_path: Path):
    build(SEEDS_DIR, RULES_DIR, tmp_path, jobs=2)
    assert _digests(tmp_path) == _digests(built_package)


def test_committed_package_is_what_build_produces(built_package: Path):
    assert _digests(REPO) == _digests(built_package), "run `make package` and commit the result"


def test_failed_validation_leaves_previous_package_untouched(built_package: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    build(SEEDS_DIR, RULES_DIR, tmp_path, jobs=1)
    before = _digests(tmp_path)
    original = build_mod.Extractor.extract

    def broken(self, article):
        result = original(self, article)
        result.article_row["char_count"] = -5  # violates minimum 0
        return result

    monkeypatch.setattr(build_mod.Extractor, "extract", broken)
    with pytest.raises(ValidationFailed, match="char_count"):
        build(SEEDS_DIR, RULES_DIR, tmp_path, jobs=1)
    assert _digests(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".build-")]


def test_descriptor_carries_package_metadata(built_package: Path):
    d = json.loads((built_package / "datapackage.json").read_text())
    assert d["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert d["name"] == "china-bigtech-events"
    assert d["licenses"][0]["name"] == "CC-BY-4.0"
    assert len(d["sources"]) == len(list(SEEDS_DIR.glob("*.txt")))
    for res in d["resources"]:
        assert res["hash"].startswith("sha256:") and res["bytes"] > 0
        assert res["parquet"]["hash"].startswith("sha256:") and res["parquet"]["bytes"] > 0


def test_cli_build_reports_user_errors_in_one_line(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "abc-article.txt").write_text("x")
    (seeds / "abc-article.yaml").write_text("title: t\npublisher: p\npublished: 2023-07-16\nlanguage: en\nfoo: 1\n")
    proc = subprocess.run([sys.executable, "-m", "bigtech_events", "build", "--seeds", str(seeds),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "abc-article.yaml:5: unknown key 'foo'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "datapackage.json").exists()


def test_build_reports_every_bad_seed_and_rules_file_at_once(tmp_path: Path, rules_copy: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    meta = "title: t\npublisher: p\npublished: 2023-07-16\nlanguage: en\n"
    for name, text in (("bad-key", meta + "colour: blue\n"), ("bad-date", meta.replace("2023-07-16", "July")),
                       ("good-one", meta)):
        (seeds / f"{name}.txt").write_text("Tianjin signed a deal with Baidu.")
        (seeds / f"{name}.yaml").write_text(text)
    money = rules_copy / "money.yaml"
    money.write_text(money.read_text().replace("\nsuffixes:", "\nsufixes:", 1))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "bigtech_events", "build", "--seeds", str(seeds),
                           "--rules", str(rules_copy), "--out", str(out)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert all(line.startswith("error: ") for line in lines), proc.stderr
    assert "Traceback" not in proc.stderr
    named = {line.removeprefix("error: ").split(":")[0] for line in lines}
    assert {str(seeds / "bad-key.yaml"), str(seeds / "bad-date.yaml"), str(money)} <= named
    assert any("unknown key 'sufixes'" in line for line in lines)
    assert not (out / "datapackage.json").exists() and not (out / "dataset").exists()
    assert not out.exists() or not [p for p in out.iterdir() if p.name.startswith(".build-")]


def test_frictionless_cli_accepts_the_committed_package():
    exe = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run([str(exe), "validate", "datapackage.json"], cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:]
