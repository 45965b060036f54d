"""The affiliation passages in tests/regression/affiliations.yaml: each gives the rows listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from test_regression import extract

CASES = Path(__file__).parent / "regression" / "affiliations.yaml"
KEYS = {"id", "class", "published", "text", "affiliations", "not_affiliations", "all", "open"}


def load_cases() -> list[dict[str, Any]]:
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    for case in cases:
        assert set(case) <= KEYS, f"{case['id']}: unknown keys {sorted(set(case) - KEYS)}"
        for row in (case.get("affiliations") or []) + (case.get("not_affiliations") or []):
            assert len(row) == 3, f"{case['id']}: a row is [subject, relation, object]"
    return cases


def check(case: dict[str, Any]) -> list[str]:
    rows = extract(case).rows["affiliations"]
    got = [(a["subject_id"], a["relation"], a["object_id"]) for a in rows]
    want = [tuple(r) for r in case.get("affiliations") or []]
    problems = [f"missing {w}" for w in want if w not in got]
    problems += [f"given {n}" for n in map(tuple, case.get("not_affiliations") or []) if n in got]
    if case.get("all", True):
        problems += [f"extra {g}" for g in got if g not in want]
        problems += [f"{g} given {got.count(g)} times" for g in set(got) if got.count(g) > 1]
    return problems


def _params() -> list[Any]:
    return [pytest.param(c, id=c["id"], marks=[pytest.mark.xfail(reason=c["open"], strict=True)] if c.get("open")
                         else []) for c in load_cases()]


@pytest.mark.parametrize("case", _params())
def test_affiliation_case(case: dict[str, Any]) -> None:
    problems = check(case)
    assert not problems, f"{case['id']}: " + "; ".join(problems)


def test_a_wrong_expectation_is_reported() -> None:
    case = dict(load_cases()[0], affiliations=[["meituan", "owns", "wang-xing"]])
    assert check(case)
