"""Only the rules that can fire: one keyword pass per sentence selects the patterns worth trying.

Every match of a rule's regular expression contains certain literal words: every match of
``\\b(?:sign(?:s|ed)?|ink(?:s|ed)?)\\s+(?:a\\s+)?(?:deals?|pacts?)\\b`` contains "deal" or
"pact", and "sign" or "ink". :func:`required_cues` derives such sets of words (each a *cue
group*: at least one word of each group must occur) from the parsed regular expression itself,
never from a hand-written list. :class:`CueIndex` puts the words of every group of every pattern
in one Aho-Corasick automaton (pyahocorasick, as the gazetteer); one pass over a sentence says
which groups occur there, and only the patterns whose every group occurs are tried. A pattern
from which no cue can be derived safely (no literal text it must contain, a back-reference, a
negated class ...) is *cue-less* and always tried; ``lint-rules`` lists them.

Selection is a pure optimisation: a pattern left out cannot match the sentence, so the rows are
those of trying every pattern (``tests/test_prefilter.py`` checks it on generated sentences).

Case: cues are lower-case ASCII and the text is folded (:func:`fold`) so that every character a
case-insensitive regex lets match an ASCII letter becomes that letter, and the folded text keeps
the offsets of the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from re import _constants as C  # the stdlib regex parser, as lint.py uses it
from re import _parser as P
from typing import Any, TypeVar

import ahocorasick

MAX_EXACT = 64  # the most alternative strings one part of a pattern is expanded to
MIN_CUE = 3  # a group whose shortest word is shorter selects nearly every sentence: not a cue
MAX_GROUPS = 3  # the most groups kept per pattern (the longest words first)

# Characters outside ASCII that a case-insensitive regex matches to an ASCII letter (Python's
# `re` folds these with i, s and k), and the one character whose str.lower() is two characters.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLDED = tuple(chr(c) for c in _FOLD)

Group = frozenset[str]
T = TypeVar("T")


def fold(text: str) -> str:
    """``text`` case-folded as cues are: same length, each ASCII letter lower-case."""
    # str.translate reads a text with any character outside ASCII one character at a time: only
    # a text that holds one of the few characters it changes goes through it.
    if any(ch in text for ch in _FOLDED):
        text = text.translate(_FOLD)
    return text.lower()


@dataclass
class _Info:
    """What a part of a pattern tells: ``exact``, every string it can match (None: too many or
    unknown); ``groups``, cue groups each of which every match contains."""

    exact: set[str] | None
    groups: list[Group]


_UNKNOWN = _Info(None, [])
_EMPTY = _Info({""}, [])


def required_cues(pattern: re.Pattern[str]) -> tuple[Group, ...]:
    """The cue groups of ``pattern`` (empty: cue-less), the most selective first."""
    try:
        info = _sequence(list(P.parse(pattern.pattern, pattern.flags)))
    except (re.error, RecursionError, ValueError, TypeError):
        return ()
    groups = list(info.groups)
    if info.exact and "" not in info.exact:
        groups.append(_minimal(info.exact))
    useful = {g for g in groups if g and min(len(w) for w in g) >= MIN_CUE}
    ranked = sorted(useful, key=lambda g: (-min(len(w) for w in g), len(g), sorted(g)))
    return tuple(ranked[:MAX_GROUPS])


def _minimal(words: Iterable[str]) -> Group:
    """The words without those containing another of them (a text holding "signed" holds "sign")."""
    ws = sorted(set(words), key=len)
    kept: list[str] = []
    for w in ws:
        if not any(k in w for k in kept):
            kept.append(w)
    return frozenset(kept)


def _char(code: int) -> str | None:
    c = chr(code)
    return c.lower() if c.isascii() else None


def _node(op: Any, av: Any) -> _Info:
    if op == C.LITERAL:
        c = _char(av)
        return _Info({c}, []) if c is not None else _UNKNOWN
    if op == C.IN:
        return _charset(av)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return _EMPTY  # zero width: consumes nothing
    if op == C.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op == getattr(C, "ATOMIC_GROUP", None):
        return _sequence(list(av))
    if op == C.BRANCH:
        return _branch([_sequence(list(b)) for b in av[1]])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        return _repeat(lo, hi, _sequence(list(sub)))
    return _UNKNOWN  # any character, classes, back-references, conditionals: nothing certain


def _charset(items: Any) -> _Info:
    chars: set[str] = set()
    for op, av in items:
        if op == C.LITERAL and (c := _char(av)) is not None:
            chars.add(c)
        elif op == C.RANGE and av[1] - av[0] < 16 and all(_char(x) for x in range(av[0], av[1] + 1)):
            chars.update(_char(x) or "" for x in range(av[0], av[1] + 1))
        else:
            return _UNKNOWN  # negated, a category, a wide range or a character outside ASCII
    return _Info(chars, [])


def _branch(alts: list[_Info]) -> _Info:
    exact: set[str] | None = set()
    for a in alts:
        if a.exact is None or exact is None or len(exact | a.exact) > MAX_EXACT:
            exact = None
        else:
            exact |= a.exact
    group: set[str] = set()
    for a in alts:
        best = _best(a)
        if best is None:
            return _Info(exact, [])
        group |= best
    return _Info(exact, [_minimal(group)])


def _best(info: _Info) -> Group | None:
    """The most selective group of an alternative (its exact strings count as one)."""
    groups = list(info.groups)
    if info.exact and "" not in info.exact:
        groups.append(_minimal(info.exact))
    groups = [g for g in groups if g]
    return max(groups, key=lambda g: min(len(w) for w in g)) if groups else None


def _repeat(lo: int, hi: int, sub: _Info) -> _Info:
    if lo == 0:
        if hi == 1 and sub.exact is not None:
            return _Info(sub.exact | {""}, [])
        return _EMPTY if sub.exact == {""} else _Info(None, [])
    if lo == hi == 1:
        return sub
    groups = list(sub.groups)
    if sub.exact and "" not in sub.exact:
        groups.append(_minimal(sub.exact))
    return _Info(None, groups)


def _sequence(items: Sequence[tuple[Any, Any]]) -> _Info:
    groups: list[Group] = []
    run: set[str] = {""}  # the strings the items since the last inexact one can match, joined
    exact_all = True

    def flush() -> None:
        if run and "" not in run:
            groups.append(_minimal(run))

    for op, av in items:
        info = _node(op, av)
        groups.extend(info.groups)
        if info.exact is None:
            exact_all = False
            flush()
            run = {""}
            continue
        joined = {a + b for a in run for b in info.exact}
        if len(joined) <= MAX_EXACT:
            run = joined
        else:
            exact_all = False
            flush()
            run = set(info.exact)
    if exact_all:
        return _Info(run, groups)
    flush()
    return _Info(None, groups)


@dataclass
class _Needs:
    """What a list of rules needs: each pattern's cue-group mask, all the groups any of them
    needs, and the rules picked so far by the groups present (of those)."""

    items: Sequence[Any]
    masks: list[int]
    used: int
    picked: dict[int, list[Any]]


class CueIndex:
    """The cue groups of a rule set's patterns, in one automaton.

    Patterns are known by identity (the index holds them, so an identity is never reused): one
    the index was not built with has no cue and is always tried, so a stage given other rules
    stays correct."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        ids: dict[Group, int] = {}
        self.groups: dict[re.Pattern[str], tuple[Group, ...]] = {}
        self._need: dict[int, int] = {}  # by id() of the pattern: hashing a pattern is slow
        for rx in patterns:
            if id(rx) not in self._need:
                self.groups[rx] = required_cues(rx)
                self._need[id(rx)] = sum(1 << ids.setdefault(g, len(ids)) for g in set(self.groups[rx]))
        words: dict[str, int] = {}
        for group, gid in ids.items():
            for w in group:
                words[w] = words.get(w, 0) | 1 << gid
        self._lists: dict[int, _Needs] = {}
        self._automaton: Any = None
        if words:
            automaton = ahocorasick.Automaton()
            for w, mask in words.items():
                automaton.add_word(w, mask)
            automaton.make_automaton()
            self._automaton = automaton

    def hits(self, folded: str, start: int, end: int) -> int:
        """The cue groups with a word in ``folded[start:end]`` (``folded`` = :func:`fold` of the
        text), as a bit mask."""
        out = 0
        if self._automaton is not None and end > start:
            for _, mask in self._automaton.iter(folded, start, end):
                out |= mask
        return out

    def can_match(self, rx: re.Pattern[str], hits: int) -> bool:
        """False when a text whose cue groups are ``hits`` cannot hold a match of ``rx``."""
        need = self._need.get(id(rx), 0)
        return need & hits == need

    def needs(self, items: Sequence[T], regex: Callable[[T], re.Pattern[str]]) -> list[int]:
        """The cue-group mask of each item's pattern, remembered for the list (a rule set's lists
        are few and live as long as the index)."""
        return self._known(items, regex).masks

    def pick(self, items: Sequence[T], regex: Callable[[T], re.Pattern[str]], hits: int) -> list[T]:
        """The ``items`` whose pattern can match a text whose cue groups are ``hits``, in their
        order. Only the groups the list's patterns need tell them apart, so the choice is
        remembered by those: sentences of the same few words pick from the same few lists."""
        known = self._lists.get(id(items))
        if known is None or known.items is not items or len(known.masks) != len(items):
            known = self._known(items, regex)
        key = hits & known.used
        picked = known.picked.get(key)
        if picked is None:
            if len(known.picked) > 4096:
                known.picked.clear()
            picked = known.picked[key] = [x for x, n in zip(items, known.masks, strict=True) if n & key == n]
        return list(picked)

    def _known(self, items: Sequence[T], regex: Callable[[T], re.Pattern[str]]) -> _Needs:
        known = self._lists.get(id(items))
        if known is None or known.items is not items or len(known.masks) != len(items):
            if len(self._lists) > 64:
                self._lists.clear()  # lists made on the fly are not worth keeping
            masks = [self._need.get(id(regex(x)), 0) for x in items]
            used = 0
            for n in masks:
                used |= n
            known = self._lists[id(items)] = _Needs(items, masks, used, {})
        return known

    def cueless(self) -> list[re.Pattern[str]]:
        """The patterns with no cue: tried on every sentence."""
        return [rx for rx, gs in self.groups.items() if not gs]


def sentence_cues(index: CueIndex, text: str, spans: Iterable[tuple[int, int]]) -> list[int]:
    """The keyword pass: the cue groups of each span (sentence) of ``text``."""
    folded = fold(text)
    return [index.hits(folded, s, e) for s, e in spans]


def worth_trying(doc: Any, sentence: int, items: Sequence[T], regex: Callable[[T], re.Pattern[str]]) -> list[T]:
    """The ``items`` (rules) whose ``regex`` can match in the ``sentence``-th sentence of ``doc``
    (all of them when the keyword pass has not run on it), in their order."""
    index, hits = doc.cue_index, doc.cue_hits
    if index is None or sentence >= len(hits):
        return list(items)
    return index.pick(items, regex, hits[sentence])
