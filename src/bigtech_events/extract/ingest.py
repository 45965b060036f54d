"""Find the article body inside page text and split it into sentences.

Offsets are code point offsets into the text exactly as stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from re import _constants as C  # the stdlib regex parser, as prefilter.py uses it
from re import _parser as P

from .lexicon import SentenceCues


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    paragraph: int
    text: str


@dataclass(frozen=True)
class Body:
    start: int
    end: int
    sentences: tuple[Sentence, ...]
    dropped: tuple[tuple[int, int, str], ...]  # (start, end, rule id) of chrome lines


@dataclass(frozen=True)
class BoilerplateRules:
    lines: tuple[tuple[str, re.Pattern[str]], ...]
    credit: re.Pattern[str] | None
    # Matches the whole of a line when one of `lines` does (None: they cannot be joined): most
    # lines are body text, told apart by one match instead of one per rule.
    any_line: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "any_line", _any_of([rx for _, rx in self.lines]))


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that matches a whole text exactly when one of ``patterns`` matches the whole of
    it, or None when they cannot be joined: groups are numbered anew in the joined pattern, so
    none may name a group or refer to one, and flags must be the same and none set inside."""
    flags = {rx.flags for rx in patterns}
    if len(flags) != 1 or not all(_joinable(rx) for rx in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{rx.pattern})" for rx in patterns), flags.pop())
    except re.error:
        return None


def _joinable(rx: re.Pattern[str]) -> bool:
    if rx.groupindex:
        return False
    try:
        tree = P.parse(rx.pattern, 0)
    except (re.error, RecursionError, ValueError, TypeError):
        return False
    return tree.state.flags & ~re.UNICODE == 0 and not _refers(tree)


def _refers(node: object) -> bool:
    """Whether a parsed pattern refers to a group (a back-reference or a conditional)."""
    if isinstance(node, P.SubPattern):
        return any(op in (C.GROUPREF, C.GROUPREF_EXISTS) or _refers(av) for op, av in node.data)
    if isinstance(node, (list, tuple)):
        return any(_refers(x) for x in node)
    return False


# HTML left in page text is format, not wording: a block-level tag ends a line as a line break
# does ("...ago.</p>.<p>The regulator..."), and inline tags (<a>, <strong>) are read through
# when a line is compared with the chrome rules. The words between the tags keep their offsets.
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|hr|li|ul|ol|h[1-6]|blockquote|figure|figcaption|section|article"
                        r"|header|footer|aside|table|thead|tbody|tr|td|th)\b[^<>\n]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line: text between line breaks or block-level HTML tags."""
    out = []
    for start, end in _text_lines(text):
        pos = start
        for tag in _BLOCK_TAG.finditer(text, start, end):
            out.append((pos, tag.start()))
            pos = tag.end()
        out.append((pos, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the spaces and inline tags at its edges."""
    while True:
        s, e = start, end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        lead = _TAG.match(text, start, end)
        if lead:
            start = lead.end()
        if end > start and text[end - 1] == ">":
            tail = text.rfind("<", start, end)
            if tail >= 0 and _TAG.fullmatch(text, tail, end):
                end = tail
        if (s, e) == (start, end):
            return start, end


def _text_lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        seg = m.group(0)
        if not seg and m.start() >= len(text):
            break
        end = m.start() + len(seg.rstrip("\r\n"))
        out.append((m.start(), end))
        pos = m.end()
        if pos >= len(text):
            break
    return out


def find_body(text: str, rules: BoilerplateRules, cues: SentenceCues) -> Body:
    """The body between the page chrome, split into sentences."""
    kept: list[tuple[int, int]] = []
    dropped: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    for start, end in _lines(text):
        start, end = _trim(text, start, end)
        if not any(ch.isalnum() for ch in text[start:end]):
            continue
        plain = _TAG.sub("", text[start:end]).strip()
        rid = None
        if rules.any_line is None or rules.any_line.fullmatch(plain):
            rid = next((rid for rid, rx in rules.lines if rx.fullmatch(plain)), None)
        if rid is None and plain in seen and " " in plain:
            rid = "boilerplate.repeated-line"  # a caption or title printed twice is told once
        if rid:
            dropped.append((start, end, rid))
            continue
        seen.add(plain)
        kept.append((start, end))
    if not kept:
        return Body(0, 0, (), tuple(dropped))
    if rules.credit is not None:
        s, e = kept[-1]
        m = rules.credit.search(text, s, e)
        if m and m.end() == e:
            kept[-1] = (s, m.start())
    sentences: list[Sentence] = []
    para = 0
    prev_end = None
    for s, e in kept:
        if prev_end is not None and "\n\n" in text[prev_end:s].replace("\r", "") or prev_end is not None:
            para += 1
        for ss, se in split_sentences(text, s, e, cues):
            sentences.append(Sentence(len(sentences), ss, se, para, text[ss:se]))
        prev_end = e
    return Body(kept[0][0], kept[-1][1], tuple(sentences), tuple(dropped))


def split_sentences(text: str, start: int, end: int, cues: SentenceCues) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end] (a paragraph)."""
    spans = []
    cur = start
    for m in cues.end.finditer(text, start, end):
        stop = m.end()
        word = cues.abbreviation.search(text[max(cur, m.start() - cues.abbreviation_chars):m.start() + 1])
        if word and m.group(0).startswith(".") and word.group(1).rstrip(".") in cues.abbreviations:
            continue
        if cues.initial.search(text[max(cur, m.start() - cues.initial_chars):m.start() + 1]):
            continue  # an initial: "Daniel Z. Yong"
        spans.append((cur, stop))
        nxt = stop
        while nxt < end and text[nxt].isspace():
            nxt += 1
        cur = nxt
    if cur < end:
        tail_end = end
        while tail_end > cur and text[tail_end - 1].isspace():
            tail_end -= 1
        if tail_end > cur:
            spans.append((cur, tail_end))
    return spans
