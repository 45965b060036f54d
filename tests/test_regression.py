"""The regression sentences in tests/regression/cases.yaml: each passage gives the rows listed."""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import RULES_DIR

from bigtech_events.extract import Extractor
from bigtech_events.ruleset import load_rules
from bigtech_events.seeds import Article

CASES = Path(__file__).parent / "regression" / "cases.yaml"
CASE_KEYS = {"id", "class", "published", "text", "events", "amounts", "actors", "not_actors", "all", "open"}
EVENT_KEYS = {"type", "date", "modality", "participants"}


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    seen: set[str] = set()
    for i, case in enumerate(cases):
        where = f"{path.name}: case {case.get('id', i)!r}"
        assert set(case) <= CASE_KEYS, f"{where}: unknown keys {sorted(set(case) - CASE_KEYS)}"
        assert {"id", "class", "published", "text"} <= set(case), f"{where}: needs id, class, published, text"
        assert case["id"] not in seen, f"{where}: duplicate id"
        seen.add(case["id"])
        for ev in case.get("events") or []:
            assert set(ev) <= EVENT_KEYS and "type" in ev, f"{where}: event keys {sorted(ev)}"
    return cases


@lru_cache(maxsize=1)
def extractor() -> Extractor:
    return Extractor(load_rules(RULES_DIR))


def extract(case: dict[str, Any]):
    text = "Headline for the regression case\n\n" + case["text"].strip()
    meta = {"title": "Headline for the regression case", "publisher": "p",
            "published": str(case["published"]), "language": "en"}
    article = Article(f"case-{case['id']}", text, hashlib.sha256(text.encode()).hexdigest(), meta, Path("x.txt"))
    return extractor().extract(article)


def _event_matches(want: dict[str, Any], got: dict[str, Any], roles: dict[str, set[str]]) -> bool:
    if want["type"] != got["event_type"]:
        return False
    if "date" in want and str(want["date"]) != got["date"]:
        return False
    if "modality" in want and want["modality"] != got["modality"]:
        return False
    return all(set(ids) == roles.get(role, set()) for role, ids in (want.get("participants") or {}).items())


def check(case: dict[str, Any]) -> list[str]:
    """What the rows get wrong, one line each (empty when the case passes)."""
    r = extract(case)
    roles: dict[str, dict[str, set[str]]] = {}
    for p in r.rows["event_participants"]:
        roles.setdefault(p["event_id"], {}).setdefault(p["role"], set()).add(p["actor_id"])
    got = list(r.rows["events"])
    problems = []
    for want in case.get("events") or []:
        hit = next((g for g in got if _event_matches(want, g, roles.get(g["event_id"], {}))), None)
        if hit is None:
            problems.append(f"missing event {want}")
        else:
            got.remove(hit)
    if case.get("all", True) and got:
        problems += [f"extra event {g['summary']}" for g in got]
    if "amounts" in case:
        want_am = Counter((float(a["value"]), a["currency"]) for a in case["amounts"])
        got_am = Counter((float(a["value"]), a["currency"]) for a in r.rows["amounts"])
        if want_am != got_am:
            problems.append(f"amounts {sorted(got_am.elements())}, expected {sorted(want_am.elements())}")
    problems += [f"actor {a} not found" for a in case.get("actors") or [] if a not in r.actors]
    problems += [f"actor {a} found" for a in case.get("not_actors") or [] if a in r.actors]
    return problems


def _params():
    out = []
    for case in load_cases():
        marks = [pytest.mark.xfail(reason=case["open"], strict=True)] if case.get("open") else []
        out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_regression_case(case):
    problems = check(case)
    assert not problems, "\n".join(problems)


def test_a_wrong_expectation_is_reported():
    case = dict(load_cases()[0])
    case["events"] = [{"type": "penalty", "participants": {"source": ["meituan"]}}]
    assert any(p.startswith("missing event") for p in check(case))
    assert any(p.startswith("extra event") for p in check(case))
