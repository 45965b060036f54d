"""Curator workflow: lint-rules catches each defect, add-article and explain work."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import RULES_DIR, SEEDS_DIR, edit_once

from bigtech_events.curator import add_article, explain
from bigtech_events.errors import UserError
from bigtech_events.lint import lint_rules, nested_unbounded
from bigtech_events.seeds import load_article


def test_shipped_rules_are_clean():
    assert lint_rules(RULES_DIR) == []


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    dest = tmp_path / "rules"
    shutil.copytree(RULES_DIR, dest)
    return dest


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")



def test_duplicate_actor_id(rules: Path):
    _append(rules / "gazetteer" / "groups.yaml", "  - {id: big-tech-firms, name: Another, type: group}\n")
    out = "\n".join(lint_rules(rules))
    assert "groups.yaml:" in out and "duplicate actor id 'big-tech-firms'" in out


def test_duplicate_trigger_id(rules: Path):
    _append(rules / "triggers.yaml", "")
    text = (rules / "triggers.yaml").read_text(encoding="utf-8")
    text = text.replace("  - id: meeting.talks\n", "  - id: meeting.met\n", 1)
    (rules / "triggers.yaml").write_text(text, encoding="utf-8")
    assert any("duplicate trigger id 'meeting.met'" in p for p in lint_rules(rules))


def test_alias_claimed_by_two_actors_without_a_rule(rules: Path):
    _append(rules / "gazetteer" / "groups.yaml", "  - {id: other-giants, name: Other giants, type: group, "
                                                  "aliases: [tech giants]}\n")
    out = lint_rules(rules)
    assert any("alias 'tech giants' is claimed by big-tech-firms, other-giants" in p for p in out)


def test_unknown_type_and_codes(rules: Path):
    _append(rules / "gazetteer" / "groups.yaml", "  - {id: robots, name: Robots, type: robot}\n")
    edit_once(rules / "triggers.yaml", 'cameo: "043"', "cameo: 43x")
    edit_once(rules / "triggers.yaml", "plover: RETREAT", "plover: SULK")
    edit_once(rules / "triggers.yaml", "type: praise\n", "type: applause\n")
    out = "\n".join(lint_rules(rules))
    assert "unknown actor type 'robot'" in out
    assert re.search(r"CAMEO code '43x' in triggers\[\d+\]\.cameo does not match \^\[0-9\]\{2,4\}\$", out)
    assert "unknown PLOVER type 'SULK'" in out
    assert "unknown event type 'applause'" in out


def test_pattern_that_cannot_match(rules: Path):
    edit_once(rules / "triggers.yaml", "{office}", "{offices}")
    out = lint_rules(rules)
    assert any("triggers.yaml:" in p and "{offices} is not a defined part" in p for p in out)


def test_regex_that_does_not_compile(rules: Path):
    edit_once(rules / "relations.yaml", 'between: "-based', 'between: "(-based')
    out = lint_rules(rules)
    assert any("relations.yaml:" in p and "does not compile" in p for p in out)


def test_regex_that_can_backtrack_catastrophically(rules: Path):
    _append(rules / "boilerplate.yaml", "")
    edit_once(rules / "boilerplate.yaml", '{id: connect, line: "Connect with us"}',
          '{id: connect, regex: "(\\\\w+\\\\s?)+!"}')
    out = lint_rules(rules)
    assert any("boilerplate.yaml:" in p and "backtrack catastrophically" in p for p in out)


@pytest.mark.parametrize(("pattern", "bad"), [("(a+)+", True), ("(\\w+\\s?)*x", True), ("(?:ab){0,3}c+", False),
                                               ("(?:[a-z]+\\s+){0,4}", False)])
def test_nested_unbounded_repeats(pattern, bad):
    assert nested_unbounded(pattern) is bad


def test_lint_messages_name_file_and_line(rules: Path):
    _append(rules / "gazetteer" / "groups.yaml", "  - {id: robots, name: Robots, type: robot}\n")
    (problem,) = [p for p in lint_rules(rules) if "robot" in p]
    path, line = problem.split(":")[0], problem.split(":")[1]
    assert path.endswith("groups.yaml") and line.isdigit()


def test_cli_lint_rules_exit_status(rules: Path):
    ok = subprocess.run([sys.executable, "-m", "bigtech_events", "lint-rules", "--rules", str(RULES_DIR)],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0
    _append(rules / "gazetteer" / "groups.yaml", "  - {id: robots, name: Robots, type: robot}\n")
    bad = subprocess.run([sys.executable, "-m", "bigtech_events", "lint-rules", "--rules", str(rules)],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "unknown actor type 'robot'" in bad.stderr and "Traceback" not in bad.stderr


def test_add_article_copies_text_byte_for_byte_and_writes_checked_metadata(tmp_path: Path):
    src = tmp_path / "in.txt"
    src.write_bytes("Tencent signed a deal with Shenzhen on Monday.\r\n“Quotes” kept.".encode())
    seeds = tmp_path / "seeds"
    path = add_article(src, "Tencent and Shenzhen sign deal", "2024-03-15", seeds, "Example Wire",
                       "https://example.org/a", "en", None, None)
    assert path.read_bytes() == src.read_bytes()
    meta = yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))
    assert meta["title"] == "Tencent and Shenzhen sign deal" and meta["publisher"] == "Example Wire"
    art = load_article(path)
    assert art.article_id == "2024-03-15-tencent-and-shenzhen-sign-deal"


def test_add_article_refuses_bad_date_and_existing_id(tmp_path: Path):
    src = tmp_path / "in.txt"
    src.write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="not an ISO or EDTF date"):
        add_article(src, "T", "15 March", tmp_path, None, None, "en", None, None)
    add_article(src, "T", "2024-03-15", tmp_path, None, None, "en", None, "some-id")
    with pytest.raises(UserError, match="exists"):
        add_article(src, "T", "2024-03-15", tmp_path, None, None, "en", None, "some-id")


def test_explain_shows_sentences_rules_and_rows():
    out = explain("scmp-2023-07-16-big-tech-crackdown-over", SEEDS_DIR, RULES_DIR)
    assert "dropped 'Connect with us' (boilerplate.connect)" in out
    assert "trigger.penalty.received" in out
    assert "event  ev-" in out and "amount 'US$984 million'" in out


def test_explain_unknown_article_is_a_user_error():
    with pytest.raises(UserError, match="no such article"):
        explain("no-such-article", SEEDS_DIR, RULES_DIR)


def test_attach_rule_with_unknown_role_type_or_side(rules: Path):
    edit_once(rules / "triggers.yaml", "    role: attendee\n    types: [agreement, meeting, investment, pledge",
          "    role: spectator\n    side: beside\n    types: [agreement, gala, investment, pledge")
    out = "\n".join(lint_rules(rules))
    assert "unknown role 'spectator'" in out and "unknown event type 'gala'" in out
    assert "unknown side 'beside' in attach[1].side; use one of: object, subject" in out


def test_money_code_and_organisation_type(rules: Path):
    edit_once(rules / "money.yaml", '"HK$": HKD', '"HK$": HongKong')
    edit_once(rules / "organisations.yaml", "    type: company\n", "    type: firm\n")
    out = "\n".join(lint_rules(rules))
    assert "currency code 'HongKong' in prefixes['HK$'] does not match ^[A-Z]{3}$" in out
    assert "unknown actor type 'firm'" in out
