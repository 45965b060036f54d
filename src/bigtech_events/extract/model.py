"""The working state of one article's extraction."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from .ingest import Body, Sentence


@dataclass
class Mention:
    start: int
    end: int
    text: str
    actor_id: str
    resolution: str  # name | alias | title | coreference
    rule_id: str
    sentence: int
    modifier: bool = False  # only qualifies another actor (title org, relation object)
    location: bool = False  # a place introduced as a location ("In Beijing, ...")


@dataclass
class Affiliation:
    subject_id: str
    relation: str
    object_id: str
    start: int
    end: int
    rule_id: str
    sentence: int
    title: str | None = None
    qualifier: str | None = None


def _order(m: Mention) -> tuple[int, int, str]:
    return (m.start, -m.end, m.actor_id)


@dataclass
class _Index:
    """Offsets of ``Doc.mentions`` (kept in ``_order``) for range queries in O(log n + k)."""

    of: list[Mention]  # the list it was built from
    size: int
    starts: list[int]
    longest: int  # the longest mention, in characters: how far back an overlap can start
    first: dict[str, int]  # where each actor is first mentioned
    # The mentions of each sentence (``Doc.of_sentence``) and the sentences they were grouped by,
    # made when first asked for and dropped when a mention is added.
    by_sentence: tuple[tuple[Sentence, ...], dict[int, list[Mention]]] | None = None


@dataclass
class _AffIndex:
    """``Doc.affiliations`` by pair of actors and by sentence."""

    of: list[Affiliation]
    size: int
    ties: dict[tuple[str, str], set[str]]
    by_sentence: dict[int, list[Affiliation]]


@dataclass
class Doc:
    """Text, sentences and everything found so far in one article.

    ``mentions`` is kept in document order (start, longest first, actor id). Stages may filter
    it or remove from it; every lookup by offset goes through the index below, rebuilt when the
    list was replaced or changed size, and updated in place by ``add_mention``."""

    article_id: str
    text: str
    published: str
    sentences: tuple[Sentence, ...]
    mentions: list[Mention] = field(default_factory=list)
    affiliations: list[Affiliation] = field(default_factory=list)
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    trace: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""  # the curated title of the article
    headline: frozenset[int] = frozenset()  # sentences that are the headline: no events come from them
    body: Body | None = None  # the article body and the chrome lines dropped (the body stage)
    curated_dates: tuple[Any, ...] = ()  # seeds.CuratedEventDate of the article's metadata
    events: list[Any] = field(default_factory=list)  # event_model.Event, in order (the event stages)
    # references.Reference by (kind, start): what each pronoun or counted phrase stands for
    references: dict[tuple[str, int], Any] = field(default_factory=dict)
    # The keyword pass (the cues stage): the rule set's prefilter.CueIndex and the cue groups of
    # each sentence; prefilter.worth_trying picks by them the rules that can match a sentence.
    cue_index: Any = None
    cue_hits: list[int] = field(default_factory=list)

    _index: _Index | None = field(default=None, repr=False, compare=False)
    _sentence_starts: list[int] | None = field(default=None, repr=False, compare=False)
    _aff: _AffIndex | None = field(default=None, repr=False, compare=False)
    # caches kept by stages between calls (each key owned by one module)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def _aff_index(self) -> _AffIndex:
        """The affiliations by pair of actors and by sentence, brought up to date (stages only
        append to the list, or replace it)."""
        ix = self._aff
        if ix is None or ix.of is not self.affiliations or ix.size > len(self.affiliations):
            ix = self._aff = _AffIndex(self.affiliations, 0, {}, {})
        for a in self.affiliations[ix.size:]:
            ix.ties.setdefault((a.subject_id, a.object_id), set()).add(a.relation)
            ix.by_sentence.setdefault(a.sentence, []).append(a)
        ix.size = len(self.affiliations)
        return ix

    def ties(self, subject_id: str, object_id: str) -> set[str]:
        """The relations already recorded from ``subject_id`` to ``object_id``."""
        return self._aff_index().ties.get((subject_id, object_id), set())

    def affiliations_of(self, sentence: int) -> list[Affiliation]:
        """The affiliations stated in one sentence, in the order they were found."""
        return self._aff_index().by_sentence.get(sentence, [])

    def sentence_from(self, pos: int) -> int:
        """The position in ``sentences`` of the last sentence that starts at or before pos (-1: none)."""
        if self._sentence_starts is None or len(self._sentence_starts) != len(self.sentences):
            self._sentence_starts = [s.start for s in self.sentences]
        return bisect_right(self._sentence_starts, pos) - 1

    def sentence_of(self, pos: int) -> int:
        i = self.sentence_from(pos)
        if i >= 0 and self.sentences[i].start <= pos < self.sentences[i].end:
            return self.sentences[i].index
        return -1

    def _idx(self) -> _Index:
        ix = self._index
        if ix is not None and ix.of is self.mentions and ix.size == len(self.mentions):
            return ix
        first: dict[str, int] = {}
        for m in self.mentions:
            first.setdefault(m.actor_id, m.start)
        ix = _Index(self.mentions, len(self.mentions), [m.start for m in self.mentions],
                    max((m.end - m.start for m in self.mentions), default=0), first)
        self._index = ix
        return ix

    def _range(self, start: int, end: int, reach: bool = False) -> tuple[int, int]:
        """The positions in ``mentions`` of those that start in [start, end); with ``reach``, from
        as far before start as the longest mention (all that can overlap [start, end))."""
        ix = self._index
        if ix is None or ix.of is not self.mentions or ix.size != len(self.mentions):
            ix = self._idx()
        lo = bisect_left(ix.starts, start - ix.longest if reach else start)
        return lo, bisect_left(ix.starts, end, lo)

    def add_mention(self, m: Mention) -> Mention:
        ix = self._idx()
        if not ix.starts or ix.starts[-1] < m.start:
            j = len(self.mentions)  # after every mention (stages mostly add in document order)
        else:
            i = bisect_left(ix.starts, m.start)
            while i < len(ix.starts) and ix.starts[i] == m.start:
                old = self.mentions[i]
                if old.end == m.end and old.actor_id == m.actor_id:
                    return old
                i += 1
            j = bisect_left(self.mentions, _order(m), key=_order)
        self.mentions.insert(j, m)
        ix.starts.insert(j, m.start)
        ix.size += 1
        ix.longest = max(ix.longest, m.end - m.start)
        ix.by_sentence = None
        if m.start < ix.first.get(m.actor_id, m.start + 1):
            ix.first[m.actor_id] = m.start
        self.note(m.sentence, m.rule_id, f"mention {m.text!r} -> {m.actor_id} ({m.resolution})")
        return m

    def first_mention(self, actor_id: str) -> int | None:
        """Where ``actor_id`` is first mentioned (None: not mentioned)."""
        return self._idx().first.get(actor_id)

    def starting_in(self, start: int, end: int) -> list[Mention]:
        """Mentions that start in [start, end), in document order."""
        lo, hi = self._range(start, end)
        return self.mentions[lo:hi]

    def overlapping(self, start: int, end: int) -> list[Mention]:
        """Mentions that share a character with [start, end)."""
        lo, hi = self._range(start, end, reach=True)
        return [m for m in self.mentions[lo:hi] if start < m.end]

    def covered(self, start: int, end: int) -> bool:
        lo, hi = self._range(start, end, reach=True)
        ms = self.mentions
        return any(start < ms[i].end for i in range(lo, hi))

    def inside(self, pos: int) -> bool:
        """Whether pos falls strictly inside a mention (not at its first character)."""
        lo, hi = self._range(pos, pos, reach=True)
        ms = self.mentions
        return any(pos < ms[i].end for i in range(lo, hi))

    def ending_at(self, pos: int) -> list[Mention]:
        lo, hi = self._range(pos, pos, reach=True)
        return [m for m in self.mentions[lo:hi] if m.end == pos]

    def in_sentences(self, first: int, last: int) -> list[Mention]:
        """Mentions that start in sentences first..last (clipped to the article's sentences)."""
        first, last = max(first, 0), min(last, len(self.sentences) - 1)
        if first > last:
            return []
        lo, hi = self._range(self.sentences[first].start, self.sentences[last].end)
        return self.mentions[lo:hi]

    def of_sentence(self, index: int) -> list[Mention]:
        """Mentions that start in the ``index``-th sentence and say they are of it, in document order."""
        # A sentence index out of range has no group: its answer is the empty list too.
        ix = self._index
        if ix is None or ix.of is not self.mentions or ix.size != len(self.mentions):
            ix = self._idx()
        if ix.by_sentence is None or ix.by_sentence[0] is not self.sentences:
            groups: dict[int, list[Mention]] = {}
            for m in self.mentions:
                if 0 <= m.sentence < len(self.sentences):
                    sent = self.sentences[m.sentence]
                    if sent.start <= m.start < sent.end:
                        groups.setdefault(m.sentence, []).append(m)
            ix.by_sentence = (self.sentences, groups)
        return list(ix.by_sentence[1].get(index, ()))

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        lo, hi = self._range(start, end)
        return [m for m in self.mentions[lo:hi] if m.end <= end]

    def note(self, sentence: int, rule_id: str, what: str) -> None:
        self.trace.append({"sentence": sentence, "rule_id": rule_id, "produced": what})
