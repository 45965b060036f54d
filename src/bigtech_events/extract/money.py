"""Money grammar: "US$984 million", "$2.8bn", "18.3 billion yuan ($2.8 billion)", "about RMB 7.1 billion".

Numbers with no currency (years, counts, percentages, "Qihoo 360") never match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


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

    def compile(self) -> None:
        num = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
        words = sorted((s for s in self.scales if len(s) > 2), key=len, reverse=True)
        abbr = sorted((s for s in self.scales if len(s) <= 3), key=len, reverse=True)
        scale = (rf"(?:\s?(?P<sw>{'|'.join(words)})\b|(?P<sa>{'|'.join(abbr)})(?![\w]))")
        pre = "|".join(re.escape(p) for p in sorted(self.prefixes, key=len, reverse=True))
        suf = "|".join(re.escape(s) for s in sorted(self.suffixes, key=len, reverse=True))
        approx = "|".join(re.escape(a) for a in sorted(self.approximators, key=len, reverse=True))
        lead = rf"(?:(?P<approx>{approx})\s+)?"
        self.prefix_rx = re.compile(
            rf"(?<![\w$]){lead}(?P<cur>{pre})\s?{num}(?:{scale})?(?![\d])"
        )
        self.suffix_rx = re.compile(
            rf"(?<![\w$.,]){lead}{num}(?:{scale})?\s?(?P<cur>{suf})\b"
        )

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Money]:
        end = len(text) if end is None else end
        hits: list[Money] = []
        for rule_id, rx in (("money.prefix", self.prefix_rx), ("money.suffix", self.suffix_rx)):
            for m in rx.finditer(text, start, end):
                money = self._build(rule_id, m)
                if money and not any(h.start < money.end and money.start < h.end for h in hits):
                    hits.append(money)
        hits.sort(key=lambda h: h.start)
        return _link_conversions(text, hits)

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


def _link_conversions(text: str, hits: list[Money]) -> list[Money]:
    """"18.3 billion yuan ($2.8 billion)": the bracketed amount converts the one before it."""
    out = list(hits)
    for i in range(1, len(out)):
        prev, cur = out[i - 1], out[i]
        between = text[prev.end:cur.start]
        if re.fullmatch(r"\s*[(（]\s*(?:or\s+|about\s+|roughly\s+|approximately\s+|around\s+)?", between) \
                and re.match(r"\s*[)）]", text[cur.end:cur.end + 3]) and prev.currency != cur.currency:
            out[i] = Money(cur.start, cur.end, cur.text, cur.value, cur.currency, cur.approximate,
                           "money.conversion", equivalent_of=i - 1)
    return out


def format_money(value: float, currency: str) -> str:
    """Inverse of the grammar for round-trip tests: 984000000, USD -> 'US$984 million'."""
    symbol = {"USD": "US$", "HKD": "HK$", "CNY": "RMB", "EUR": "€", "GBP": "£"}[currency]
    for word, mult in (("billion", 10**9), ("million", 10**6)):
        if value >= mult and (Decimal(str(value)) / mult) == (Decimal(str(value)) / mult).normalize():
            q = (Decimal(str(value)) / mult).normalize()
            return f"{symbol}{q:f} {word}"
    return f"{symbol}{Decimal(str(value)).normalize():f}"
