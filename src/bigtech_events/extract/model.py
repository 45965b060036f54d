"""The working state of one article's extraction."""

from __future__ import annotations

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


@dataclass
class Doc:
    """Text, sentences and everything found so far in one article."""

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

    def sentence_of(self, pos: int) -> int:
        for s in self.sentences:
            if s.start <= pos < s.end:
                return s.index
        return -1

    def add_mention(self, m: Mention) -> Mention:
        for old in self.mentions:
            if old.start == m.start and old.end == m.end and old.actor_id == m.actor_id:
                return old
        self.mentions.append(m)
        self.mentions.sort(key=lambda x: (x.start, -x.end, x.actor_id))
        self.note(m.sentence, m.rule_id, f"mention {m.text!r} -> {m.actor_id} ({m.resolution})")
        return m

    def covered(self, start: int, end: int) -> bool:
        return any(m.start < end and start < m.end for m in self.mentions)

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if m.start >= start and m.end <= end]

    def note(self, sentence: int, rule_id: str, what: str) -> None:
        self.trace.append({"sentence": sentence, "rule_id": rule_id, "produced": what})
