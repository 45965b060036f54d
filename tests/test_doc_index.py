"""The offset index of a document's mentions answers like a scan of the whole list would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bigtech_events.extract.ingest import Sentence
from bigtech_events.extract.model import Doc, Mention

spans = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30), st.sampled_from("abc")), max_size=40)


def _doc(items: list[tuple[int, int, str]]) -> Doc:
    text = "x" * 300
    sentences = tuple(Sentence(i, i * 50, i * 50 + 50, 0, text[i * 50:i * 50 + 50]) for i in range(6))
    doc = Doc("a", text, "2024-01-01", sentences)
    for start, length, actor in items:
        doc.add_mention(Mention(start, start + length, "", actor, "name", "r", doc.sentence_of(start)))
    return doc


@settings(max_examples=200)
@given(spans, st.integers(0, 240), st.integers(0, 40), st.lists(st.integers(0, 5), max_size=3))
def test_index_queries_equal_a_scan(items, start, width, drop):
    doc = _doc(items)
    for i in sorted(set(drop), reverse=True):  # stages may filter the list: the index follows
        if i < len(doc.mentions):
            doc.mentions = doc.mentions[:i] + doc.mentions[i + 1:]
    end = start + width
    ms = doc.mentions
    assert ms == sorted(ms, key=lambda m: (m.start, -m.end, m.actor_id))
    assert doc.overlapping(start, end) == [m for m in ms if m.start < end and start < m.end]
    assert doc.covered(start, end) == any(m.start < end and start < m.end for m in ms)
    assert doc.mentions_in(start, end) == [m for m in ms if m.start >= start and m.end <= end]
    assert doc.ending_at(end) == [m for m in ms if m.end == end]
    assert doc.inside(start) == any(m.start < start < m.end for m in ms)
    first, last = start // 50, start // 50 + width // 20
    assert doc.in_sentences(first, last) == [m for m in ms if first * 50 <= m.start < min(last + 1, 6) * 50]
    for actor in "abcd":
        assert doc.first_mention(actor) == min((m.start for m in ms if m.actor_id == actor), default=None)


@given(spans)
def test_adding_a_mention_twice_keeps_one(items):
    doc = _doc(items + items)
    assert len(doc.mentions) == len({(s, s + n, a) for s, n, a in items})


@given(st.integers(0, 299))
def test_sentence_of_finds_the_sentence_holding_the_offset(pos):
    doc = _doc([])
    assert doc.sentence_of(pos) == pos // 50
