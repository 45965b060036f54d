"""What the hostile-input checks let through: overrides, limits and the shared readers (issue 10)."""

from __future__ import annotations

import datetime as dt
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from helpers import RULES_DIR, edit_once

from bigtech_events import safezip, seeds
from bigtech_events.errors import UserError, ValidationFailed
from bigtech_events.lint import lint_rules
from bigtech_events.loader import PackageFiles
from bigtech_events.ruleset import load_rules
from bigtech_events.seeds import load_article
from bigtech_events.validate import validate_path

META = "title: A title\npublisher: Somebody\npublished: {date}\nlanguage: en\n"


def _seed(tmp_path: Path, meta: str, text: str = "Some text.") -> Path:
    (tmp_path / "abc-article.txt").write_text(text, encoding="utf-8")
    (tmp_path / "abc-article.yaml").write_text(meta, encoding="utf-8")
    return tmp_path / "abc-article.txt"


def test_a_future_date_is_accepted_with_the_override_which_stays_out_of_the_metadata(tmp_path: Path):
    art = load_article(_seed(tmp_path, META.format(date="2099-01-01") + "allow_future_published: true\n"))
    assert art.published == "2099-01-01" and "allow_future_published" not in art.meta


def test_today_and_tomorrow_utc_are_not_in_the_future(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(seeds, "build_date", lambda: dt.date(2026, 3, 1))
    for date in ("2026-03-01", "2026-03-02", "2026-03", "2026"):
        assert load_article(_seed(tmp_path, META.format(date=date))).published == date
    with pytest.raises(UserError, match=r"abc-article.yaml:3: 'published' is 2026-03-03, after today"):
        load_article(_seed(tmp_path, META.format(date="2026-03-03")))


def test_yaml_1_1_words_stay_text_in_seed_metadata(tmp_path: Path):
    art = load_article(_seed(tmp_path, META.format(date="2023-07-16").replace("A title", "On")))
    assert art.meta["title"] == "On"


def test_a_text_with_only_some_spaces_around_words_is_an_article(tmp_path: Path):
    assert load_article(_seed(tmp_path, META.format(date="2023-07-16"), text="\n  x \n")).text == "\n  x \n"


def _unsafe_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    edit_once(rules / "boilerplate.yaml", "lines:\n", 'lines:\n  - {id: bomb, regex: "(a+)+$"}\n')
    edit_once(rules / "triggers.yaml", "triggers:\n", 'triggers:\n  - {id: meeting.x, type: meeting, pattern: "x?"}\n')
    edit_once(rules / "gazetteer/groups.yaml", 'aliases: ["Big Tech companies",',
              'aliases: ["Big Tech companies", "  ",')
    return rules


def test_build_refuses_what_lint_calls_unsafe_with_the_same_messages_all_at_once(tmp_path: Path):
    rules = _unsafe_rules(tmp_path)
    start = time.perf_counter()
    with pytest.raises(ValidationFailed) as err:
        load_rules(rules)
    assert time.perf_counter() - start < 30  # refused, not run: `(a+)+$` on a long line never ends
    assert len(err.value.problems) == 3
    assert set(err.value.problems) <= set(lint_rules(rules))
    assert any("boilerplate.yaml:7: nested unbounded repeats" in p for p in err.value.problems)


def test_build_still_accepts_what_lint_only_doubts(tmp_path: Path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    edit_once(rules / "boilerplate.yaml", "  - {id: connect,", "  - {id: connect, line: x}\n  - {id: connect,")
    assert any("duplicate id 'connect'" in p for p in lint_rules(rules))
    load_rules(rules)


def _zip(pkg: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(p for p in pkg.rglob("*") if p.is_file()):
            zf.write(f, f"china-bigtech-events/{f.relative_to(pkg).as_posix()}")
    return dest


def test_a_zip_matching_its_sha256sums_is_valid_and_an_unlisted_one_is_not_checked(built_package: Path,
                                                                                    tmp_path: Path):
    path = _zip(built_package, tmp_path / "release.zip")
    (tmp_path / "SHA256SUMS").write_text(f"{safezip.sha256_file(path)}  release.zip\n", encoding="utf-8")
    assert validate_path(path, run_frictionless=False) == []
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  other.zip\n", encoding="utf-8")
    with PackageFiles(path) as pkg:
        assert len(pkg.frame("events")) > 0


def test_members_are_streamed_in_blocks_and_never_past_their_declared_size(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.bin", b"x" * 5000)
    monkeypatch.setattr(safezip, "CHUNK", 1000)
    with safezip.SafeZip(path) as zf:
        assert [len(b) for b in zf.blocks("data.bin")] == [1000] * 5
        zf._zf.getinfo("data.bin").file_size = 4000  # a header that understates the member
        with pytest.raises(UserError, match=r"a.zip: member data.bin (expands past its declared|is corrupted)"):
            zf.read("data.bin")


def test_limits_come_from_the_central_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.bin", b"x" * 3000)
        zf.writestr("b.bin", b"x" * 3000)
    monkeypatch.setattr(safezip, "MAX_MEMBER_BYTES", 2000)
    with pytest.raises(UserError, match="member a.bin expands to 3000 bytes, more than 2000; refused"):
        safezip.SafeZip(path)
    monkeypatch.setattr(safezip, "MAX_MEMBER_BYTES", 4000)
    monkeypatch.setattr(safezip, "MAX_TOTAL_BYTES", 5000)
    with pytest.raises(UserError, match="members expand to 6000 bytes in all, more than 5000; refused"):
        safezip.SafeZip(path)
