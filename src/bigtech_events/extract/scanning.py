"""Patterns as they are scanned over a text: the same matches, found with fewer tries.

``re`` skips in C to where a match can start only when a pattern opens with a literal or a set
of characters; a pattern that opens with an assertion (``\\b``, a lookbehind) or an optional part
is started afresh at every character of the text. :func:`scanned` gives the pattern a rule's
regex is scanned with (by ``finditer`` or ``search``): the same matches, with the same groups,
found with fewer steps:

- the ``\\b`` that follows opening lookbehinds moves before them, so that the lookbehinds run
  only at word boundaries (:func:`_boundary_first`);
- a lookahead of the characters a match can start with goes first (:func:`_first_chars_first`):
  at a position where no match can start, the first test fails.

Each is used only when it provably leaves the matches alone: the first when the two parse to the
same pattern up to the order of zero-width assertions; the second when the lookahead takes in
every character a match of the pattern can open with (:func:`first_chars`; a pattern that can
match empty has none) and the pattern follows it unchanged, in a bracket of its own.
"""

from __future__ import annotations

import re
from re import _constants as C  # the stdlib regex parser, as lint.py and prefilter.py use it
from re import _parser as P
from typing import Any

# The pattern each pattern is scanned with, by id() of the pattern; _KEPT holds the patterns of
# its keys, so that no other pattern can take their id().
_SCANNED: dict[int, re.Pattern[str]] = {}
_KEPT: list[re.Pattern[str]] = []
# A run of negative lookbehinds (without brackets inside) opening a pattern, as {finite} and {active}.
_LOOKBEHINDS = re.compile(r"(?:\(\?<!(?:\\.|[^()\\])*\))+")
# Inline flags for the whole pattern, which must open it: "(?i)".
_GLOBAL_FLAGS = re.compile(r"(?:\(\?[aiLmsux]+\))*")
_CATEGORIES = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
               C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
# Flags a group may set or clear that do not change which characters a class or literal matches
# (case is followed; any other, as ASCII, gives up).
_HARMLESS_FLAGS = C.SRE_FLAG_IGNORECASE | C.SRE_FLAG_MULTILINE | C.SRE_FLAG_DOTALL

# A first character, as the case-sensitivity it is matched with and the items of a character set.
First = tuple[bool, list[tuple[Any, Any]]]


def scanned(rx: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern ``rx`` is scanned with: the same matches (see the module), found faster;
    ``rx`` itself when nothing provably equal is faster."""
    fast = _SCANNED.get(id(rx))
    if fast is None:
        _KEPT.append(rx)
        fast = _SCANNED[id(rx)] = _first_chars_first(_boundary_first(rx))
    return fast


def _boundary_first(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` with the ``\\b`` that follows its opening lookbehinds moved before them: the same
    matches (assertions at one position hold or fail in any order), but the lookbehinds are
    tried only at word boundaries instead of at every character. ``rx`` itself when it does not
    open so, or when the two parse to anything but the same pattern up to that order."""
    run = _LOOKBEHINDS.match(rx.pattern)
    if run is None or not rx.pattern.startswith(r"\b", run.end()):
        return rx
    source = r"\b" + rx.pattern[:run.end()] + rx.pattern[run.end() + 2:]
    try:
        faster = re.compile(source, rx.flags)
        same = (faster.groups == rx.groups and faster.groupindex == rx.groupindex
                and _canonical(P.parse(source, rx.flags)) == _canonical(P.parse(rx.pattern, rx.flags)))
    except (re.error, RecursionError):
        return rx
    return faster if same else rx


def _first_chars_first(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` behind a lookahead of the characters its matches can open with, when ``re`` would
    otherwise start it at every character (it opens with an assertion or an optional part);
    else ``rx`` itself."""
    if rx.flags & re.VERBOSE:
        return rx  # a comment at the end would swallow the closing bracket
    try:
        items = list(P.parse(rx.pattern, rx.flags))
        if not _started_everywhere(items):
            return rx
        first = _first_chars(items, bool(rx.flags & re.IGNORECASE))
        if first is None:
            return rx
        # In a bracket of its own the pattern parses as it does alone (a pattern that compiles
        # has its brackets paired); the flags for the whole pattern must still open it.
        flags = _GLOBAL_FLAGS.match(rx.pattern).end()  # type: ignore[union-attr]  # matches empty
        faster = re.compile(f"{rx.pattern[:flags]}(?={lookahead(first)})(?:{rx.pattern[flags:]})", rx.flags)
    except (re.error, RecursionError, _Unknown):
        return rx
    same = faster.groups == rx.groups and faster.groupindex == rx.groupindex and faster.flags == rx.flags
    return faster if same else rx


def _started_everywhere(items: list[Any]) -> bool:
    """Whether ``re`` tries a pattern opening with ``items`` at every character: it opens with an
    assertion or an optional group, itself or in one of its alternatives (an optional single
    character, as ``\\s*``, is left alone: it is tried as fast as the lookahead would be)."""
    if not items:
        return False
    op, av = items[0]
    if op in _ZERO_WIDTH:
        return True
    if op is C.SUBPATTERN:
        return _started_everywhere(list(av[3]))
    if op is C.ATOMIC_GROUP:
        return _started_everywhere(list(av))
    if op is C.BRANCH:
        return any(_started_everywhere(list(alt)) for alt in av[1])
    if op in _REPEATS:
        lo, _, sub = av
        sub = list(sub)
        return lo == 0 and not (len(sub) == 1 and sub[0][0] in (C.LITERAL, C.NOT_LITERAL, C.IN))
    return False


class _Unknown(Exception):
    """A part of a pattern whose first characters are not worked out (any character, a
    back-reference, a flag that changes what a class matches)."""


def first_chars(rx: re.Pattern[str]) -> list[First] | None:
    """The characters every match of ``rx`` opens with, as (ignore case, set items) for
    :func:`lookahead`; None when not known or when ``rx`` can match the empty string (then a
    match need not open with a character at all)."""
    try:
        return _first_chars(list(P.parse(rx.pattern, rx.flags)), bool(rx.flags & re.IGNORECASE))
    except (re.error, RecursionError, _Unknown):
        return None


def _first_chars(items: list[Any], ignore_case: bool) -> list[First] | None:
    first, empty = _first_seq(items, ignore_case)
    return None if empty or not first else first


def _first_seq(items: list[Any], ignore_case: bool) -> tuple[list[First], bool]:
    """The first characters of a sequence of parsed items, and whether it can match empty."""
    out: list[First] = []
    for op, av in items:
        first, empty = _first_item(op, av, ignore_case)
        out += first
        if not empty:
            return out, False
    return out, True


def _first_item(op: Any, av: Any, ignore_case: bool) -> tuple[list[First], bool]:
    if op is C.LITERAL:
        return [(ignore_case, [(C.LITERAL, av)])], False
    if op is C.NOT_LITERAL:
        return [(ignore_case, [(C.NEGATE, None), (C.LITERAL, av)])], False
    if op is C.IN:
        return [(ignore_case, list(av))], False
    if op in _ZERO_WIDTH:
        return [], True  # consumes nothing: the characters after it open the match
    if op is C.SUBPATTERN:
        _, add, remove, sub = av
        if (add | remove) & ~_HARMLESS_FLAGS:
            raise _Unknown
        if add & C.SRE_FLAG_IGNORECASE:
            ignore_case = True
        if remove & C.SRE_FLAG_IGNORECASE:
            ignore_case = False
        return _first_seq(list(sub), ignore_case)
    if op is C.ATOMIC_GROUP:
        return _first_seq(list(av), ignore_case)
    if op is C.BRANCH:
        out: list[First] = []
        empty = False
        for alt in av[1]:
            first, alt_empty = _first_seq(list(alt), ignore_case)
            out += first
            empty = empty or alt_empty
        return out, empty
    if op in _REPEATS:
        lo, hi, sub = av
        if hi == 0:
            return [], True
        first, empty = _first_seq(list(sub), ignore_case)
        return first, empty or lo == 0
    raise _Unknown  # any character, a back-reference, a conditional


def lookahead(first: list[First]) -> str:
    """The body of a lookahead matching one of the ``first`` characters: one set per case
    sensitivity, and each negated set on its own, each with its case flag written out."""
    sets: dict[bool, dict[tuple[Any, Any], None]] = {False: {}, True: {}}  # each item once, in order
    alternatives = []
    for ignore_case, items in first:
        if items and items[0][0] is C.NEGATE:
            alternatives.append(_flagged(ignore_case, items))
        else:
            sets[ignore_case].update(dict.fromkeys(items))
    alternatives += [_flagged(ignore_case, list(items)) for ignore_case, items in sets.items() if items]
    return "|".join(alternatives)


def _flagged(ignore_case: bool, items: list[tuple[Any, Any]]) -> str:
    return f"(?{'i' if ignore_case else '-i'}:[{''.join(_set_item(op, av) for op, av in items)}])"


def _set_item(op: Any, av: Any) -> str:
    if op is C.NEGATE:
        return "^"
    if op is C.LITERAL:
        return _char(av)
    if op is C.RANGE:
        return f"{_char(av[0])}-{_char(av[1])}"
    if op is C.CATEGORY and av in _CATEGORIES:
        return _CATEGORIES[av]
    raise _Unknown


def _char(code: int) -> str:
    return f"\\U{code:08x}"


def _canonical(node: Any) -> Any:
    """A parsed pattern with each run of zero-width assertions that capture nothing in one order,
    and an assertion that opens every alternative of a choice put before the choice (the parser
    does so itself with an item that all the alternatives open with)."""
    if isinstance(node, P.SubPattern):
        return _canonical_seq(list(node.data))
    if isinstance(node, (list, tuple)):
        return [type(node).__name__, *(_canonical(x) for x in node)]
    return node


def _canonical_seq(data: list[Any]) -> list[Any]:
    out: list[Any] = []
    run: list[Any] = []
    for op, av in data:
        if op is C.BRANCH:
            alts = [list(alt.data) for alt in av[1]]
            common = [x for x in _opening(alts[0]) if all(x in _opening(alt) for alt in alts[1:])]
            common = [x for i, x in enumerate(common) if x not in common[:i]]
            for alt in alts:
                for x in common:  # one of each from the assertions the alternative opens with
                    alt.pop(_opening(alt).index(x))
            run += common
            item = (op, ["tuple", av[0], [_canonical_seq(alt) for alt in alts]])
        else:
            item = (op, _canonical(av))
            if _assertion(op, av):
                run.append(item)
                continue
        out += sorted(run, key=repr) + [item]
        run = []
    return out + sorted(run, key=repr)


def _assertion(op: Any, av: Any) -> bool:
    return op in (C.AT, C.ASSERT_NOT) and not _captures(av)


def _opening(data: list[Any]) -> list[Any]:
    """The assertions (canonical) a sequence of parsed items opens with."""
    out = []
    for op, av in data:
        if not _assertion(op, av):
            break
        out.append((op, _canonical(av)))
    return out


def _captures(node: Any) -> bool:
    if isinstance(node, P.SubPattern):
        return any((op is C.SUBPATTERN and av[0] is not None) or _captures(av) for op, av in node.data)
    if isinstance(node, (list, tuple)):
        return any(_captures(x) for x in node)
    return False
