"""Date grammar: absolute, partial and relative date expressions -> EDTF with bounds.

Expressions resolve against the publication date (``pub``) or, for
"earlier"/"later" phrases, the date of the event last reported (``ref``).
Nothing is made more precise than the words allow.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from re import _constants as C
from re import _parser as P
from typing import Any

from .. import timing
from .cuefile import CueFile, alternation
from .scanning import scanned

D = dt.date
# How each pattern's words resolve: the `id` of a pattern in dates.yaml names one of these.
KINDS = ("end-of-month", "weekday-date", "day-month", "month-day", "weekday", "year-part", "month-list",
         "month", "year", "over-period", "counted-relative", "publication-relative", "reference-relative")
# What a preposition before a date may do to it (dates.yaml: preposition_kinds).
PREPOSITION_KINDS = ("since", "by", "until", "before", "after")


@dataclass(frozen=True)
class When:
    """A resolved date: EDTF string, bounds (None = open) and precision."""

    edtf: str
    lo: D | None
    hi: D | None
    precision: str  # day | month | year | range | unknown


@dataclass(frozen=True)
class DateExpr:
    start: int
    end: int
    text: str
    rule_id: str
    when: When | None = None          # resolved now (absolute or publication-relative)
    relative: dict[str, Any] | None = None  # needs the reference date
    items: tuple[When, ...] = ()      # "in May and July, respectively"
    planned: bool = False
    since: bool = False
    yearless: bool = False  # the words gave no year: a plan may move it to the next occurrence


def day(d: D) -> When:
    return When(d.isoformat(), d, d, "day")


def month(y: int, m: int, approximate: bool = False) -> When:
    last = calendar.monthrange(y, m)[1]
    return When(f"{y:04d}-{m:02d}{'~' if approximate else ''}", D(y, m, 1), D(y, m, last), "month")


def year(y: int) -> When:
    return When(f"{y:04d}", D(y, 1, 1), D(y, 12, 31), "year")


def span(lo: D, hi: D) -> When:
    if lo == hi:
        return day(lo)
    if lo > hi:
        lo, hi = hi, lo
    if lo.day == 1 and hi == D(hi.year, hi.month, calendar.monthrange(hi.year, hi.month)[1]):
        if (lo.year, lo.month) == (hi.year, hi.month):
            return month(lo.year, lo.month)
        return When(f"{lo.year:04d}-{lo.month:02d}/{hi.year:04d}-{hi.month:02d}", lo, hi, "range")
    return When(f"{lo.isoformat()}/{hi.isoformat()}", lo, hi, "range")


def unknown(pub: D, planned: bool) -> When:
    if planned:
        return When(f"{pub.isoformat()}/..", pub, None, "unknown")
    return When(f"../{pub.isoformat()}", None, pub, "unknown")


def since(w: When, pub: D) -> When:
    base = w.edtf.split("/")[0].rstrip("~")
    return When(f"{base}/..", w.lo, None, "range")


def next_year(w: When) -> When:
    """The same yearless date one year on ("will sign in June" said in March: this June or next)."""
    def shift(d: D | None) -> D | None:
        return None if d is None else D(d.year + 1, d.month, min(d.day, calendar.monthrange(d.year + 1, d.month)[1]))
    lo, hi = shift(w.lo), shift(w.hi)
    if w.precision == "day" and lo is not None:
        return day(lo)
    if w.precision == "month" and lo is not None:
        return month(lo.year, lo.month, approximate=w.edtf.endswith("~"))
    return span(lo, hi) if lo is not None and hi is not None else w


def add_months(d: D, n: int) -> D:
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    return D(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


@dataclass
class DateGrammar:
    weekdays: list[str]
    months: list[str]
    month_abbr: dict[str, int]
    year_parts: dict[str, tuple[int, int]]
    rel_pub: dict[str, dict[str, Any]]
    rel_ref: dict[str, dict[str, Any]]
    patterns: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    month_rx: re.Pattern[str] | None = None
    number_words: dict[str, int] = field(default_factory=dict)
    month_parts: dict[str, tuple[int, int]] = field(default_factory=dict)
    end_of_month_days: tuple[int, int] = (1, 31)
    word_months: frozenset[str] = frozenset()
    preposition_kinds: dict[str, str] = field(default_factory=dict)

    def compile(self, f: CueFile) -> None:
        """Compile the patterns of dates.yaml (``f``), filling their {names} from its word lists."""
        self.number_words = {k.lower(): v for k, v in f.numbers("number_words").items()}
        self.month_parts = {k.lower(): (v[0], v[1]) for k, v in f.numbers("month_parts", size=2).items()}
        self.end_of_month_days = _day_span(f, "end_of_month_days")
        self.word_months = frozenset(f.words("word_months"))
        self.preposition_kinds = _preposition_kinds(f)
        full = "|".join(self.months)
        abbr = "|".join(sorted(self.month_abbr, key=len, reverse=True))
        mon = rf"(?:(?:{full})|(?:{abbr})\.?)(?![a-z])"
        self.month_rx = re.compile(mon)
        words = {"month": mon, "weekday": f"(?:{'|'.join(self.weekdays)})",
                 "year_part": alternation(self.year_parts), "month_part": alternation(self.month_parts),
                 "publication_relative": alternation(self.rel_pub),
                 "reference_relative": alternation(self.rel_ref), "number": alternation(self.number_words),
                 "preposition": alternation(f.words("prepositions")),
                 "year_preposition": alternation(f.words("year_prepositions"))}
        self.patterns = _patterns(f, f.parts("parts", words))

    @timing.timed("dates")
    def find(self, text: str, start: int, end: int, pub: D,
             patterns: list[tuple[str, re.Pattern[str]]] | None = None) -> list[DateExpr]:
        """Date expressions in text[start:end], longest first, not overlapping; with ``patterns``
        (those of ``self.patterns`` that can match there, in order), by those alone."""
        found: list[DateExpr] = []
        taken: list[tuple[int, int]] = []
        for rule_id, rx in can_match(self.patterns if patterns is None else patterns, text, start, end):
            for m in scanned(rx).finditer(text, start, end):
                if taken and any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                expr = self._resolve(rule_id, m, pub)
                if expr is not None:
                    found.append(expr)
                    taken.append((m.start(), m.end()))
        return sorted(found, key=lambda x: x.start)

    def _month_no(self, word: str) -> int:
        word = word.rstrip(".")
        if word in self.months:
            return self.months.index(word) + 1
        return self.month_abbr[word]

    def _year_for(self, m: int, pub: D, planned: bool = False) -> int:
        if planned:
            return pub.year if m >= pub.month else pub.year + 1
        return pub.year if m <= pub.month else pub.year - 1

    def _resolve(self, rule_id: str, m: re.Match[str], pub: D) -> DateExpr | None:
        expr = self._resolve_words(rule_id, m, pub)
        if expr is None or expr.when is None or expr.items:
            return expr
        kind = self._preposition_kind(m)
        w = expr.when
        if kind == "before" and w.lo is not None:
            end = w.lo - dt.timedelta(days=1)
            return replace(expr, when=When(f"../{end.isoformat()}", None, end, "range"))
        if kind == "after" and w.hi is not None:
            start = w.hi + dt.timedelta(days=1)
            return replace(expr, when=When(f"{start.isoformat()}/..", start, None, "range"))
        if kind == "until" and w.hi is not None:
            return replace(expr, when=When(f"../{w.hi.isoformat()}", None, w.hi, "range"))
        return expr

    def _preposition_kind(self, m: re.Match[str]) -> str | None:
        return self.preposition_kinds.get((m.groupdict().get("prep") or "").lower())

    def _resolve_words(self, rule_id: str, m: re.Match[str], pub: D) -> DateExpr | None:
        g = m.groupdict()
        prep = g.get("prep")
        kind = self._preposition_kind(m)

        def expr(**values: Any) -> DateExpr:
            """The expression of the match with ``values``."""
            return DateExpr(m.start(), m.end(), m.group(0), rule_id, since=kind == "since", **values)

        try:
            if rule_id in ("date.weekday-date", "date.day-month", "date.month-day"):
                mo = self._month_no(g["mon"])
                y = int(g["y"]) if g.get("y") else self._year_for(mo, pub)
                if rule_id != "date.weekday-date" and not g.get("y") and int(g["d"]) > 31:
                    return None
                d = D(y, mo, int(g["d"]))
                if not g.get("y") and d > pub:
                    d = D(y - 1, mo, int(g["d"]))
                return expr(when=day(d), yearless=not g.get("y"))
            if rule_id == "date.end-of-month":
                mo = self._month_no(g["mon"])
                if g.get("by"):  # "by the end of June": a deadline, from now until then
                    y = int(g["y"]) if g.get("y") else self._year_for(mo, pub, planned=True)
                    end = month(y, mo).hi
                    if end >= pub:
                        return expr(when=span(pub, end), planned=True)
                    return expr(when=month(y, mo))
                y = int(g["y"]) if g.get("y") else self._year_for(mo, pub)
                return expr(when=self._days_of(y, mo, self.end_of_month_days), yearless=not g.get("y"))
            if rule_id == "date.weekday":
                wd = self.weekdays.index(g["wd"])
                if g.get("next"):
                    delta = (wd - pub.weekday()) % 7 or 7
                    return expr(when=day(pub + dt.timedelta(days=delta)), planned=True)
                back = (pub.weekday() - wd) % 7
                if g.get("last") and back == 0:
                    back = 7
                return expr(when=day(pub - dt.timedelta(days=back)))
            if rule_id == "date.year-part":
                lo_m, hi_m = self.year_parts[g["part"].lower()]
                y = int(g["y"])
                return expr(when=span(D(y, lo_m, 1), month(y, hi_m).hi))
            if rule_id == "date.month-list":
                assert self.month_rx is not None
                names = self.month_rx.findall(g["list"])
                items = []
                for name in names:
                    mo = self._month_no(name)
                    y = int(g["y"]) if g.get("y") else self._year_for(mo, pub)
                    items.append(month(y, mo))
                return expr(items=tuple(items), when=span(items[0].lo, items[-1].hi),
                               yearless=not g.get("y"))
            if rule_id == "date.month":
                mo = self._month_no(g["mon"])
                if g["mon"] in self.word_months and not prep and not g.get("y"):
                    return None  # the verb "may"
                y = int(g["y"]) if g.get("y") else self._year_for(mo, pub)
                w = month(y, mo)
                if g.get("part"):
                    w = self._days_of(y, mo, self.month_parts[g["part"].lower()])
                if not prep and not g.get("y") and not g.get("part"):
                    return None  # a bare month name without "in"/"on" is too often something else
                return expr(when=w, yearless=not g.get("y"))
            if rule_id == "date.year":
                w = year(int(g["y"]))
                if kind == "by" and w.lo is not None and w.lo > pub:
                    # "by 2027": a deadline, from now until then.
                    return expr(when=span(pub, w.hi), planned=True)
                return expr(when=w)
            if rule_id == "date.over-period":
                # "over the next three years": a plan's span, from the publication month.
                n = self._count(g["n"])
                if not (g.get("years") or g.get("months")):
                    return None
                months = n * 12 if g.get("years") else n
                end = add_months(D(pub.year, pub.month, 1), months)
                w = When(f"{pub.year:04d}-{pub.month:02d}/{end.year:04d}-{end.month:02d}",
                         D(pub.year, pub.month, 1), month(end.year, end.month).hi, "range")
                return expr(when=w, planned=True)
            if rule_id == "date.counted-relative":
                n = self._count(g["n"])
                sign = 1 if g.get("later") else -1
                if g.get("months"):
                    return expr(relative={"months": sign * n, "approximate": False})
                if not (g.get("weeks") or g.get("days")):
                    return None
                days = n * 7 if g.get("weeks") else n
                return expr(relative={"days": [sign * days, sign * days]})
            if rule_id == "date.publication-relative":
                spec = self.rel_pub[g["rel"].lower()]
                return expr(when=self._pub_relative(spec, pub), planned=bool(spec.get("planned")))
            if rule_id == "date.reference-relative":
                return expr(relative=self.rel_ref[g["rel"].lower()])
        except (ValueError, KeyError):
            return None
        return None

    def _count(self, words: str) -> int:
        return self.number_words.get(words.lower()) or int(words)

    @staticmethod
    def _days_of(y: int, mo: int, days: tuple[int, int]) -> When:
        """Days ``days`` of a month; a last day past the month's end stands for its last day."""
        last = month(y, mo).hi.day
        return span(D(y, mo, min(days[0], last)), D(y, mo, min(days[1], last)))

    @staticmethod
    def _pub_relative(spec: dict[str, Any], pub: D) -> When:
        if "days" in spec:
            a, b = spec["days"]
            return span(pub + dt.timedelta(days=a), pub + dt.timedelta(days=b))
        if spec.get("this_month_before"):
            lo = D(pub.year, pub.month, 1)
            hi = pub - dt.timedelta(days=1)
            return span(lo, hi) if hi >= lo else month(hi.year, hi.month)
        if spec.get("this_month"):
            return month(pub.year, pub.month)
        if "month_offset" in spec:
            d = add_months(D(pub.year, pub.month, 1), spec["month_offset"])
            return month(d.year, d.month)
        if spec.get("until_year_end"):
            return span(pub, D(pub.year, 12, 31))
        if spec.get("until_month_end"):
            return span(pub, month(pub.year, pub.month).hi)
        if spec.get("this_year_before"):
            return span(D(pub.year, 1, 1), pub)
        if "year_offset" in spec:
            return year(pub.year + spec["year_offset"])
        if "week_offset" in spec:
            monday = pub - dt.timedelta(days=pub.weekday()) + dt.timedelta(weeks=spec["week_offset"])
            return span(monday, min(monday + dt.timedelta(days=6), pub) if spec["week_offset"] == 0
                        else monday + dt.timedelta(days=6))
        raise KeyError("unknown relative date spec")


DIGIT = re.compile(r"\d")
# What can_match checks of a pattern, by id() of the pattern: needs_digit and required_words, in
# one look-up; _CHECKED keeps the patterns, so that no other takes their id().
_CHECKS: dict[int, tuple[bool, re.Pattern[str] | None]] = {}
_CHECKED: list[re.Pattern[str]] = []
# Whether every match of a pattern holds a digit, by id() of the pattern (with the pattern).
_NEEDS_DIGIT: dict[int, tuple[re.Pattern[str], bool]] = {}


def can_match(patterns: Any, text: str, start: int, end: int) -> Any:
    """The ``(rule_id, pattern)`` pairs of ``patterns`` that can match in ``text[start:end]``: a
    pattern every match of which holds a digit is left out where there is no digit, one whose
    matches all hold one of some literal words where none of them is (in the given order)."""
    digits: bool | None = None  # whether text[start:end] holds a digit, once a pattern asks
    found: dict[int, bool] = {}  # whether it holds each pattern of words, by id(): patterns share them
    for rule_id, rx in patterns:
        checks = _CHECKS.get(id(rx))
        if checks is None:
            checks = _CHECKS[id(rx)] = (needs_digit(rx), required_words(rx))
            _CHECKED.append(rx)
        if checks[0]:
            if digits is None:
                digits = DIGIT.search(text, start, end) is not None
            if not digits:
                continue
        words = checks[1]
        if words is not None:
            held = found.get(id(words))
            if held is None:
                held = found[id(words)] = words.search(text, start, end) is not None
            if not held:
                continue
        yield rule_id, rx


def needs_digit(rx: re.Pattern[str]) -> bool:
    """Whether every match of ``rx`` takes in a digit (a ``\\d``, or a literal or range of
    them): then a text with no match of ``DIGIT`` holds no match of ``rx``, and a sentence with
    no figure need not be scanned with it."""
    known = _NEEDS_DIGIT.get(id(rx))
    if known is None or known[0] is not rx:
        try:
            needs = _takes_digit(P.parse(rx.pattern, rx.flags))
        except (re.error, RecursionError):
            needs = False
        known = _NEEDS_DIGIT[id(rx)] = (rx, needs)
    return known[1]


# The words one of which every match of a pattern takes in, as one pattern (None: not known),
# by id() of the pattern (with the pattern).
_WORDS: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def required_words(rx: re.Pattern[str]) -> re.Pattern[str] | None:
    """A pattern of the literal words one of which every match of ``rx`` takes in, as written
    (``rx`` minds case): a text with no match of it holds no match of ``rx``. None when ``rx``
    ignores case or no such words are sure."""
    known = _WORDS.get(id(rx))
    if known is None or known[0] is not rx:
        words = None
        if not rx.flags & re.IGNORECASE:
            try:
                words = _words(P.parse(rx.pattern, rx.flags))
            except (re.error, RecursionError):
                words = None
        found = re.compile("|".join(re.escape(w) for w in sorted(words))) if words else None
        known = _WORDS[id(rx)] = (rx, found)
    return known[1]


def _words(items: Any) -> set[str] | None:
    """Literal words one of which a match of the sequence ``items`` (a parsed pattern that minds
    case) always takes in: those of its first element that has them sure."""
    data = list(items)
    for i, (op, av) in enumerate(data):
        if op is C.LITERAL:
            run = ""
            for op2, av2 in data[i:]:
                if op2 is not C.LITERAL:
                    break
                run += chr(av2)
            return {run}
        words = None
        if op is C.SUBPATTERN and not av[1] & C.SRE_FLAG_IGNORECASE:
            words = _words(av[-1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
            words = _words(av[2])
        elif op is C.ATOMIC_GROUP:
            words = _words(av)
        elif op is C.BRANCH:
            words = set()
            for alt in av[1]:
                alt_words = _words(alt)
                if not alt_words:
                    words = None
                    break
                words |= alt_words
        if words:
            return words
    return None


def _takes_digit(items: Any) -> bool:
    """Whether a match of the sequence ``items`` (a parsed pattern) always takes in a digit."""
    for op, av in items:
        if op is C.LITERAL:
            found = _ascii_digit(av, av)
        elif op is C.IN:
            found = bool(av) and all(_digit_item(i) for i in av)
        elif op is C.SUBPATTERN:
            found = _takes_digit(av[-1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            found = av[0] >= 1 and _takes_digit(av[2])
        elif op is C.ATOMIC_GROUP:
            found = _takes_digit(av)
        elif op is C.BRANCH:
            found = all(_takes_digit(alt) for alt in av[1])
        else:  # assertions, back-references, any other character: no digit is sure
            found = False
        if found:
            return True
    return False


def _digit_item(item: tuple[Any, Any]) -> bool:
    """Whether a member of a character set matches digits only."""
    op, av = item
    if op is C.LITERAL:
        return _ascii_digit(av, av)
    if op is C.RANGE:
        return _ascii_digit(*av)
    return op is C.CATEGORY and av is C.CATEGORY_DIGIT


def _ascii_digit(lo: int, hi: int) -> bool:
    """Whether the characters lo..hi are all of 0-9 (these have no other case either)."""
    return ord("0") <= lo <= hi <= ord("9")


def _patterns(f: CueFile, words: dict[str, str]) -> list[tuple[str, re.Pattern[str]]]:
    """dates.yaml: patterns, in order, as (rule id, compiled regex)."""
    entries = f.get("patterns")
    if not isinstance(entries, list) or not entries:
        raise f.error("patterns", what="must list the date patterns; restore them from the repository")
    out = []
    for i, entry in enumerate(entries, 1):
        item = f"[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"id", "regex"}:
            raise f.error("patterns", item, what="must have exactly the keys id and regex; fix it")
        if entry["id"] not in KINDS:
            raise f.error("patterns", item, "id", what=f"is {entry['id']!r}, which is not one of "
                          f"{', '.join(KINDS)}; a new kind of expression needs code")
        out.append((f"date.{entry['id']}", f.compile(str(entry["regex"]), words, "patterns", item, "regex")))
    return out


def _day_span(f: CueFile, key: str) -> tuple[int, int]:
    value = f.get(key)
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= 31 for x in value)):
        raise f.error(key, what=f"must be a first and last day of the month, as [21, 31], not {value!r}; fix it")
    return value[0], value[1]


def _preposition_kinds(f: CueFile) -> dict[str, str]:
    kinds = f.get("preposition_kinds")
    if not isinstance(kinds, dict):
        raise f.error("preposition_kinds", what="must map prepositions to kinds, as {since: since}; fix it")
    for word, kind in kinds.items():
        if not isinstance(word, str) or kind not in PREPOSITION_KINDS:
            raise f.error("preposition_kinds", str(word),
                          what=f"must map a word to one of {', '.join(PREPOSITION_KINDS)}, not {kind!r}; fix it")
    return {w.lower(): k for w, k in kinds.items()}


def resolve_relative(spec: dict[str, Any], ref: When, pub: D, planned: bool) -> When | None:
    """A reference-relative phrase against the last reported date; clipped to the publication date
    for events that are reported as having happened."""
    if ref.lo is None or ref.hi is None:
        return None
    if "months" in spec:
        d = add_months(ref.lo, spec["months"])
        w = month(d.year, d.month, approximate=bool(spec.get("approximate")))
    else:
        a, b = spec["days"]
        lo, hi = ref.lo + dt.timedelta(days=a), ref.hi + dt.timedelta(days=b)
        w = span(lo, hi)
    if not planned and w.lo is not None and w.hi is not None and w.hi > pub:
        if w.lo > pub:
            return None
        w = span(w.lo, pub) if "~" not in w.edtf else w
    return w
