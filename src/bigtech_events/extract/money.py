"""Money grammar: "US$984 million", "$2.8bn", "18.3 billion yuan ($2.8 billion)", "about RMB 7.1 billion".

Numbers with no currency (years, counts, percentages, "Qihoo 360") never match.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .cuefile import CueFile, alternation
from .dates import can_match
from .scanning import scanned

Pattern = re.Pattern[str]


@dataclass(frozen=True)
class Money:
    start: int
    end: int
    text: str
    value: float
    currency: str
    approximate: bool
    rule_id: str
    equivalent_of: int | None = None  # index of the amount this one converts


@dataclass
class MoneyGrammar:
    prefixes: dict[str, str]
    suffixes: dict[str, str]
    scales: dict[str, int]
    approximators: list[str]
    patterns: dict[str, Pattern] = field(default_factory=dict)
    conversion_before: Pattern | None = None
    conversion_after: Pattern | None = None
    conversion_after_chars: int = 0
    rate_between: Pattern | None = None

    def compile(self, f: CueFile) -> None:
        """Compile the amount patterns of money.yaml (``f``), filling their {names} from its lists."""
        shortest, longest = f.number("windows", "scale_word_min_chars"), f.number("windows", "scale_attached_max_chars")
        words = {"prefix": alternation(self.prefixes), "suffix": alternation(self.suffixes),
                 "approximator": alternation(self.approximators),
                 "scale_word": alternation(s for s in self.scales if len(s) >= shortest),
                 "scale_attached": alternation(s for s in self.scales if len(s) <= longest)}
        words = f.parts("parts", words)
        self.patterns = {f"money.{k}": f.pattern("patterns", k, values=words) for k in ("prefix", "suffix")}
        self.conversion_before = f.pattern("conversion_before")
        self.conversion_after = f.pattern("conversion_after")
        self.conversion_after_chars = f.number("windows", "conversion_after_chars")
        self.rate_between = f.pattern("rate_between")

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Money]:
        end = len(text) if end is None else end
        hits: list[Money] = []
        for rule_id, rx in can_match(self.patterns.items(), text, start, end):
            for m in scanned(rx).finditer(text, start, end):
                money = self._build(rule_id, m)
                if money and not any(h.start < money.end and money.start < h.end for h in hits):
                    hits.append(money)
        if not hits:
            return hits  # most sentences state no amount
        hits.sort(key=lambda h: h.start)
        return self._link_conversions(text, self._without_rates(text, hits))

    def _without_rates(self, text: str, hits: list[Money]) -> list[Money]:
        """"US$1 = 7.2 yuan": two figures joined as an exchange rate state no amount."""
        assert self.rate_between is not None
        rate = set()
        for a, b in itertools.pairwise(hits):
            if a.currency != b.currency and self.rate_between.fullmatch(text, a.end, b.start):
                rate |= {a.start, b.start}
        return [h for h in hits if h.start not in rate]

    def _build(self, rule_id: str, m: re.Match[str]) -> Money | None:
        cur_word = m.group("cur")
        currency = (self.prefixes if rule_id == "money.prefix" else self.suffixes)[cur_word]
        scale_word = m.group("sw") or m.group("sa")
        mult = self.scales[scale_word] if scale_word else 1
        value = Decimal(m.group("num").replace(",", "")) * mult
        # The hedge word ("about") sets `approximate` but is not part of the amount's words.
        s = m.start("cur") if rule_id == "money.prefix" else m.start("num")
        e = m.end()
        text = m.string[s:e]
        return Money(s, e, text, float(value), currency, bool(m.group("approx")), rule_id)


    def _link_conversions(self, text: str, hits: list[Money]) -> list[Money]:
        """"18.3 billion yuan ($2.8 billion)": the bracketed amount converts the one before it."""
        assert self.conversion_before is not None and self.conversion_after is not None
        out = list(hits)
        for i in range(1, len(out)):
            prev, cur = out[i - 1], out[i]
            if (self.conversion_before.fullmatch(text[prev.end:cur.start])
                    and self.conversion_after.match(text[cur.end:cur.end + self.conversion_after_chars])
                    and prev.currency != cur.currency):
                out[i] = Money(cur.start, cur.end, cur.text, cur.value, cur.currency, cur.approximate,
                               "money.conversion", equivalent_of=i - 1)
        return out
