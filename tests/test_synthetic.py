"""The synthetic test articles (tests/fixtures/synthetic) built as a package and scored.

The articles were written, with the rows an annotator would record, independently of the
rules (01-12 first; 13-20 later, measured before any rule was tuned on them). The floors below are the scores the shipped rules reach; a change that lowers one fails.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from bigtech_events.evaluate import evaluate_dir

FIXTURES = Path(__file__).parent / "fixtures" / "synthetic"

# (recall floor, precision floor) per category.
FLOORS = {
    "actors": (0.96, 0.88),
    "affiliations": (0.64, 0.94),
    "events": (0.88, 0.95),
    "participants": (0.77, 0.90),
    "event_dates": (0.82, 0.88),
    "amounts": (0.97, 0.93),
}


@lru_cache(maxsize=1)
def scores():
    return evaluate_dir(FIXTURES, validate=True)


def test_corpus_is_large_enough_and_marked_synthetic():
    texts = sorted(FIXTURES.glob("*.txt"))
    assert len(texts) >= 10
    for t in texts:
        assert t.read_text(encoding="utf-8").startswith("[SYNTHETIC TEST ARTICLE")


@pytest.mark.parametrize("category", sorted(FLOORS))
def test_scores_stay_above_floor(category):
    total, _ = scores()
    recall_floor, precision_floor = FLOORS[category]
    assert total.recall(category) >= recall_floor, "\n".join(m for m in total.misses if category[:5] in m)
    assert total.precision(category) >= precision_floor


def test_every_article_yields_events():
    _, per = scores()
    assert all(s.tp["events"] > 0 for s in per.values()), {k: dict(s.tp) for k, s in per.items()}
