"""What the event stage works with: the event rules compiled from triggers.yaml and the events found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import DateExpr, DateGrammar, When
from .model import Mention


@dataclass(frozen=True)
class TypeInfo:
    cameo: str | None
    plover: str | None
    planned_cameo: str | None = None
    authorities: tuple[str, ...] = ()  # actor types a source may have (empty: any)
    post_organisation: str | None = None  # role of the organisation of a participant's stated post


@dataclass(frozen=True)
class TriggerRule:
    rule_id: str
    event_type: str
    regex: re.Pattern[str]
    subject: str | None = None
    object: str | None = None
    preps: dict[str, str] = field(default_factory=dict)
    passive: dict[str, str] | None = None
    each: bool = False
    cameo: str | None = None
    plover: str | None = None
    modality: str | None = None


@dataclass(frozen=True)
class AttachRule:
    rule_id: str
    regex: re.Pattern[str]
    role: str
    types: tuple[str, ...]
    side: str = "object"  # whose actors join: those after the words (object) or before them (subject)


@dataclass
class Event:
    event_type: str
    rule: TriggerRule
    sentence: int
    trig_start: int
    trig_end: int
    modality: str
    participants: list[tuple[str, str, Mention]] = field(default_factory=list)
    participant_rules: dict[tuple[str, str], str] = field(default_factory=dict)
    location: str | None = None
    when: When | None = None
    date_basis: str = "unknown"
    date_text: str | None = None
    date_source: str | None = None  # citation of the curated fact the date comes from, if any
    date_expr: DateExpr | None = None
    split: int = -1  # index when "X and Y each ..." made one event per subject
    participle: bool = False  # ", replacing X": continues the act before it in the sentence
    mentions: list[Event] = field(default_factory=list)  # other sentences telling the same act

    def add(self, actor_id: str, role: str, mention: Mention, rule_id: str | None = None) -> None:
        if any(a == actor_id for a, _, _ in self.participants):
            return
        self.participants.append((actor_id, role, mention))
        self.participant_rules[(actor_id, role)] = rule_id or self.rule.rule_id


@dataclass
class EventRules:
    types: dict[str, TypeInfo]
    triggers: list[TriggerRule]
    attach: list[AttachRule]
    dates: DateGrammar
