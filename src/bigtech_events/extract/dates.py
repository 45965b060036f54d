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
from typing import Any

D = dt.date
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10}


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

    def compile(self) -> None:
        full = "|".join(self.months)
        abbr = "|".join(sorted(self.month_abbr, key=len, reverse=True))
        mon = rf"(?:(?:{full})|(?:{abbr})\.?)(?![a-z])"
        wd = "|".join(self.weekdays)
        parts = "|".join(re.escape(p) for p in sorted(self.year_parts, key=len, reverse=True))
        pub = "|".join(re.escape(p) for p in sorted(self.rel_pub, key=len, reverse=True))
        ref = "|".join(re.escape(p) for p in sorted(self.rel_ref, key=len, reverse=True))
        pre = r"(?:(?P<prep>(?i:on|in|since|by|from|until|during|before|after|as of))\s+)?"
        self.patterns = [
            ("date.end-of-month", re.compile(rf"\b(?:(?P<by>(?i:by))\s+|(?i:at)\s+)?the\s+end\s+of\s+(?P<mon>{mon})(?:\s+(?P<y>\d{{4}}))?\b")),
            ("date.weekday-date", re.compile(rf"\b{pre}(?P<wd>{wd}),?\s+(?P<mon>{mon})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?\b")),
            ("date.day-month", re.compile(rf"\b{pre}(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{mon})(?:,?\s+(?P<y>\d{{4}}))?\b")),
            ("date.month-day", re.compile(rf"\b{pre}(?P<mon>{mon})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d,]\d)(?:,?\s+(?P<y>\d{{4}}))?\b")),
            ("date.weekday", re.compile(rf"\b{pre}(?:last\s+|this\s+|next\s+)?(?P<wd>{wd})\b")),
            ("date.year-part", re.compile(rf"\b{pre}(?:the\s+)?(?P<part>{parts})[\s-]+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE)),
            ("date.month-list", re.compile(rf"\b{pre}(?P<list>(?:{mon})(?:\s*,\s*(?:{mon}))*\s+and\s+(?:{mon}))(?:\s+(?P<y>\d{{4}}))?(?:,?\s+respectively)?")),
            ("date.month", re.compile(rf"\b{pre}(?:(?P<part>early|mid|late)[\s-]+)?(?P<mon>{mon})(?:\s+(?P<y>(?:19|20)\d\d))?\b(?!\s+\d)")),
            ("date.year", re.compile(r"\b(?P<prep>(?i:in|since|by|during|until|from|as of|before|after))\s+(?P<y>(?:19|20)\d\d)\b(?![-\d])")),
            ("date.over-period", re.compile(r"\bover\s+(?:the\s+)?(?:next\s+|coming\s+)?(?P<n>\d+|one|two|three|four|"
                                            r"five|six|seven|eight|nine|ten)\s+(?P<unit>years?|months?)\b", re.IGNORECASE)),
            ("date.counted-relative", re.compile(r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
                                                 r"(?P<unit>days?|weeks?|months?)\s+(?P<dir>later|earlier|after|before)\b"
                                                 r"(?!\s+the\b)", re.IGNORECASE)),
            ("date.publication-relative", re.compile(rf"\b(?P<rel>{pub})\b", re.IGNORECASE)),
            ("date.reference-relative", re.compile(rf"\b(?P<rel>{ref})\b", re.IGNORECASE)),
        ]

    def find(self, text: str, start: int, end: int, pub: D) -> list[DateExpr]:
        """Date expressions in text[start:end], longest first, not overlapping."""
        found: list[DateExpr] = []
        taken: list[tuple[int, int]] = []
        for rule_id, rx in self.patterns:
            for m in rx.finditer(text, start, end):
                if any(m.start() < e and s < m.end() for s, e in taken):
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
        prep = (m.groupdict().get("prep") or "").lower()
        w = expr.when
        if prep == "before" and w.lo is not None:
            end = w.lo - dt.timedelta(days=1)
            return replace(expr, when=When(f"../{end.isoformat()}", None, end, "range"))
        if prep == "after" and w.hi is not None:
            start = w.hi + dt.timedelta(days=1)
            return replace(expr, when=When(f"{start.isoformat()}/..", start, None, "range"))
        if prep == "until" and w.hi is not None:
            return replace(expr, when=When(f"../{w.hi.isoformat()}", None, w.hi, "range"))
        return expr

    def _resolve_words(self, rule_id: str, m: re.Match[str], pub: D) -> DateExpr | None:
        g = m.groupdict()
        prep = (g.get("prep") or "").lower()
        is_since = prep == "since"
        base = DateExpr(m.start(), m.end(), m.group(0), rule_id, since=is_since)
        try:
            if rule_id in ("date.weekday-date", "date.day-month", "date.month-day"):
                mo = self._month_no(g["mon"])
                y = int(g["y"]) if g.get("y") else self._year_for(mo, pub)
                if rule_id != "date.weekday-date" and not g.get("y") and int(g["d"]) > 31:
                    return None
                d = D(y, mo, int(g["d"]))
                if not g.get("y") and d > pub:
                    d = D(y - 1, mo, int(g["d"]))
                return replace(base, when=day(d), yearless=not g.get("y"))
            if rule_id == "date.end-of-month":
                mo = self._month_no(g["mon"])
                if g.get("by"):  # "by the end of June": a deadline, from now until then
                    y = int(g["y"]) if g.get("y") else self._year_for(mo, pub, planned=True)
                    end = month(y, mo).hi
                    if end >= pub:
                        return replace(base, when=span(pub, end), planned=True)
                    return replace(base, when=month(y, mo))
                y = int(g["y"]) if g.get("y") else self._year_for(mo, pub)
                last = month(y, mo).hi
                return replace(base, when=span(D(y, mo, 21), last), yearless=not g.get("y"))
            if rule_id == "date.weekday":
                wd = self.weekdays.index(g["wd"])
                word = m.group(0).lower()
                if "next" in word:
                    delta = (wd - pub.weekday()) % 7 or 7
                    return replace(base, when=day(pub + dt.timedelta(days=delta)), planned=True)
                back = (pub.weekday() - wd) % 7
                if "last" in word and back == 0:
                    back = 7
                return replace(base, when=day(pub - dt.timedelta(days=back)))
            if rule_id == "date.year-part":
                lo_m, hi_m = self.year_parts[g["part"].lower()]
                y = int(g["y"])
                return replace(base, when=span(D(y, lo_m, 1), month(y, hi_m).hi))
            if rule_id == "date.month-list":
                names = re.findall(r"[A-Z][a-z]+\.?", g["list"])
                items = []
                for name in names:
                    mo = self._month_no(name)
                    y = int(g["y"]) if g.get("y") else self._year_for(mo, pub)
                    items.append(month(y, mo))
                return replace(base, items=tuple(items), when=span(items[0].lo, items[-1].hi),
                               yearless=not g.get("y"))
            if rule_id == "date.month":
                mo = self._month_no(g["mon"])
                if g["mon"] == "May" and not prep and not g.get("y"):
                    return None  # the verb "may"
                y = int(g["y"]) if g.get("y") else self._year_for(mo, pub)
                w = month(y, mo)
                if g.get("part"):
                    third = {"early": (1, 10), "mid": (11, 20), "late": (21, w.hi.day)}[g["part"].lower()]
                    w = span(D(y, mo, third[0]), D(y, mo, third[1]))
                if not prep and not g.get("y") and not g.get("part"):
                    return None  # a bare month name without "in"/"on" is too often something else
                return replace(base, when=w, yearless=not g.get("y"))
            if rule_id == "date.year":
                w = year(int(g["y"]))
                if prep == "by" and w.lo is not None and w.lo > pub:
                    # "by 2027": a deadline, from now until then.
                    return replace(base, when=span(pub, w.hi), planned=True)
                return replace(base, when=w)
            if rule_id == "date.over-period":
                # "over the next three years": a plan's span, from the publication month.
                n = NUMBER_WORDS.get(g["n"].lower()) or int(g["n"])
                months = n * 12 if g["unit"].lower().startswith("year") else n
                end = add_months(D(pub.year, pub.month, 1), months)
                w = When(f"{pub.year:04d}-{pub.month:02d}/{end.year:04d}-{end.month:02d}",
                         D(pub.year, pub.month, 1), month(end.year, end.month).hi, "range")
                return replace(base, when=w, planned=True)
            if rule_id == "date.counted-relative":
                n = NUMBER_WORDS.get(g["n"].lower()) or int(g["n"])
                sign = 1 if g["dir"].lower() in ("later", "after") else -1
                unit = g["unit"].lower()
                if unit.startswith("month"):
                    return replace(base, relative={"months": sign * n, "approximate": False})
                days = n * 7 if unit.startswith("week") else n
                return replace(base, relative={"days": [sign * days, sign * days]})
            if rule_id == "date.publication-relative":
                spec = self.rel_pub[g["rel"].lower()]
                return replace(base, when=self._pub_relative(spec, pub), planned=bool(spec.get("planned")))
            if rule_id == "date.reference-relative":
                return replace(base, relative=self.rel_ref[g["rel"].lower()])
        except (ValueError, KeyError):
            return None
        return None

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
