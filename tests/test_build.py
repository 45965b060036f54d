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


@pytest.mark.parametrize("flag", [[], ["--frictionless"]])
def test_frictionless_pass_runs_in_a_build_only_when_asked(flag: list[str], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    """The build makes the project's checks; the Frictionless pass (the independent check that
    `validate` and `release` run) is added by --frictionless, and a problem it finds fails the build."""
    from click.testing import CliRunner

    from bigtech_events import validate as validate_mod
    from bigtech_events.cli import cli

    calls: list[Path] = []

    def fake_frictionless(root: Path, jobs: int = 0) -> list[str]:
        calls.append(root)
        return ["events.csv:line 2: frictionless type-error: planted"]

    monkeypatch.setattr(validate_mod, "frictionless_check", fake_frictionless)
    out = tmp_path / "pkg"
    result = CliRunner().invoke(cli, ["build", "--out", str(out), "--jobs", "1", "--no-cache", *flag])
    if flag:
        assert len(calls) == 1 and result.exit_code != 0
        assert "planted" in str(result.exception) and not (out / "datapackage.json").exists()
    else:
        assert calls == [] and result.exit_code == 0, result.output
        assert (out / "datapackage.json").is_file()


@pytest.mark.parametrize("jobs", [1, 2])
def test_seeds_read_by_the_workers_report_every_problem_and_install_nothing(jobs: int, tmp_path: Path):
    """A seed is read once, by the worker extracting it: the build still ends with every seed's
    problem, in article order, and writes nothing."""
    import shutil

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    good = next(SEEDS_DIR.glob("*.txt"))
    for name in ("a-bad-text", "b-good", "c-bad-meta"):
        shutil.copy(good, seeds / f"{name}.txt")
        shutil.copy(good.with_suffix(".yaml"), seeds / f"{name}.yaml")
    (seeds / "a-bad-text.txt").write_bytes(b"caf\xe9 society\n")
    meta = seeds / "c-bad-meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    out = tmp_path / "pkg"
    with pytest.raises(ValidationFailed) as caught:
        build(seeds, RULES_DIR, out, jobs=jobs)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [str(seeds / "a-bad-text.txt"), str(meta)], problems
    assert "not UTF-8" in problems[0] and "colour" in problems[1]
    assert not (out / "datapackage.json").exists()


def test_broken_rules_are_reported_with_the_problems_of_the_seeds(tmp_path: Path, rules_copy: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bad.txt").write_bytes(b"\xff\n")
    (seeds / "bad.yaml").write_text("title: x\n", encoding="utf-8")
    (rules_copy / "settings.yaml").write_text("[unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        build(seeds, rules_copy, tmp_path / "pkg", jobs=1)
    problems = caught.value.problems
    assert problems[0].startswith(str(seeds / "bad.txt")) and "not UTF-8" in problems[0]
    assert any("settings.yaml" in p for p in problems[1:]), problems


def test_a_chunk_of_results_gives_back_each_article_and_each_problem_in_place(tmp_path: Path):
    """A worker sends the results of several seeds as one Chunk (each table's rows in one set of
    columns); read back, every seed has its own rows and a seed that could not be read its problems."""
    import pickle

    from bigtech_events.build import Chunk, _extract_item, _init_worker

    _init_worker(str(RULES_DIR))
    texts = sorted(SEEDS_DIR.glob("*.txt"))
    items = [(str(texts[0]), None), (str(tmp_path / "absent.txt"), None), (str(texts[0]), None)]
    got = [_extract_item(item) for item in items]
    assert isinstance(got[1], list) and got[1]
    chunk = pickle.loads(pickle.dumps(Chunk.of(got)))
    back = list(chunk.results())
    assert back[1] == got[1]
    for before, after in ((got[0], back[0]), (got[2], back[2])):
        assert after.source == before.source and after.result.article_row == before.result.article_row
        assert {t: rows.rows() for t, rows in after.result.rows.items()} == \
            {t: rows.rows() for t, rows in before.result.rows.items()}
    assert sum(len(rows) for rows in back[0].result.rows.values()) > 0
