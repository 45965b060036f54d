"""Clause ends kept for the article (extract/participants.clause_end): whatever positions are asked
for, in any order, each answer is the first clause break at or after the position."""

from __future__ import annotations

from helpers import RULES_DIR
from hypothesis import given, settings
from hypothesis import strategies as st

from bigtech_events.extract.model import Doc
from bigtech_events.extract.participants import clause_end
from bigtech_events.ruleset import load_rules

G = load_rules(RULES_DIR).grammar
PIECES = ["Alibaba", " fined ", "Tencent", ", which ", "; ", " - ", " said that ", " and ", ", including ",
          " although The ", "the regulator", ".", " to build ", ": ", "it", " ", ","]


def _first_break(text: str, pos: int, end: int) -> int:
    m = G.clause_break.search(text, pos, end)
    return m.start() if m else end


@settings(max_examples=200)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join), st.data())
def test_each_clause_end_is_the_first_break_after_the_position(text, data):
    doc = Doc("a", text, "2024-01-01", ())
    ends = [len(text), data.draw(st.integers(0, len(text)))]
    for _ in range(12):
        end = data.draw(st.sampled_from(ends))
        pos = data.draw(st.integers(0, len(text)))
        assert clause_end(doc, G, pos, end) == _first_break(text, pos, end), (text, pos, end)
