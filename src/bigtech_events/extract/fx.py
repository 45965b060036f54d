"""Exchange rates to the US dollar (rules/exchange_rates.yaml) and the US-dollar value of an amount.

An amount is converted with the rate whose period holds the whole of its date: the date of the
amount's event when the text dates the event, else the article's publication date. No rate, no
value: an amount whose currency and date no curated period covers gets ``None``, never a rate
from a neighbouring period::

    >>> rates = ExchangeRates.from_rates([Rate.make("CNY", "2023", 7.0809, "currency_per_usd", SOURCE)])
    >>> rates.value_usd(3_000_000_000, "CNY", dt.date(2023, 7, 7), dt.date(2023, 7, 7))
    (423674956.57, 'fx-cny-2023')
    >>> rates.value_usd(3_000_000_000, "CNY", dt.date(2024, 1, 2), dt.date(2024, 1, 2))
    (None, None)
    >>> rates.value_usd(415_000_000, "USD", None, None)
    (415000000.0, None)
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dates import edtf_bounds
from ..errors import ValidationFailed

USD = "USD"
QUOTES = ("currency_per_usd", "usd_per_currency")


@dataclass(frozen=True)
class Source:
    publisher: str
    series: str
    url: str
    basis: str


#: A source for examples and tests (not a real release).
SOURCE = Source("Example publisher", "Example series", "https://example.org/rates", "annual average")


@dataclass(frozen=True)
class Rate:
    """One currency's published rate for one period (a year or a month)."""

    rate_id: str
    currency: str
    period: str
    start: dt.date
    end: dt.date
    rate: float
    quote: str
    source: Source

    @classmethod
    def make(cls, currency: str, period: str, rate: float, quote: str, source: Source) -> Rate:
        start, end = period_bounds(period)
        return cls(f"fx-{currency.lower()}-{period}", currency, period, start, end, float(rate), quote, source)

    @property
    def usd_per_unit(self) -> float:
        """US dollars per unit of the currency, whichever way the source quotes the rate."""
        return self.rate if self.quote == "usd_per_currency" else 1.0 / self.rate

    def row(self) -> dict[str, Any]:
        """The row of the ``exchange_rates`` table."""
        s = self.source
        return {"rate_id": self.rate_id, "currency": self.currency,
                "period_start": self.start, "period_end": self.end, "rate": self.rate, "quote": self.quote,
                "usd_per_unit": self.usd_per_unit, "basis": s.basis, "source_publisher": s.publisher,
                "source_series": s.series, "source_url": s.url}


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a year ("2023") or a month ("2023-07")."""
    year, _, month = period.partition("-")
    if not month:
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    y, m = int(year), int(month)
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


@dataclass(frozen=True)
class ExchangeRates:
    """The curated rates by currency, each currency's periods in date order and never overlapping."""

    by_currency: dict[str, tuple[Rate, ...]]

    @classmethod
    def from_rates(cls, rates: list[Rate]) -> ExchangeRates:
        grouped: dict[str, list[Rate]] = {}
        for r in rates:
            grouped.setdefault(r.currency, []).append(r)
        return cls({c: tuple(sorted(rs, key=lambda r: r.start)) for c, rs in sorted(grouped.items())})

    def covering(self, currency: str, lo: dt.date | None, hi: dt.date | None) -> Rate | None:
        """The rate of ``currency`` whose period holds every day from ``lo`` to ``hi``; None when
        no period does or a bound is open."""
        if lo is None or hi is None:
            return None
        return next((r for r in self.by_currency.get(currency, ()) if r.start <= lo and hi <= r.end), None)

    def value_usd(self, value: float, currency: str, lo: dt.date | None,
                  hi: dt.date | None) -> tuple[float | None, str | None]:
        """The amount in US dollars (to the cent) and the id of the rate used: the value itself for
        a US-dollar amount (no rate), (None, None) when no rate covers the currency and dates."""
        if currency == USD:
            return float(value), None
        rate = self.covering(currency, lo, hi)
        if rate is None:
            return None, None
        return round(value * rate.usd_per_unit, 2), rate.rate_id

    def rows(self) -> list[dict[str, Any]]:
        """The ``exchange_rates`` table, by rate id."""
        return sorted((r.row() for rs in self.by_currency.values() for r in rs), key=lambda row: row["rate_id"])


def in_usd(rates: ExchangeRates, amounts: list[dict[str, Any]], events: list[dict[str, Any]],
           published: str) -> list[dict[str, Any]]:
    """Each amount row with ``value_usd`` and ``usd_rate_id``, converted at the rate whose period
    holds the date of the amount's event when the text dates it (precision not ``unknown``), else
    the article's publication date (``published``, EDTF)."""
    dated = {e["event_id"]: (e["date_start"], e["date_end"]) for e in events if e["date_precision"] != "unknown"}
    pub = edtf_bounds(published)
    out = []
    for row in amounts:
        lo, hi = dated.get(row["event_id"], pub)
        value_usd, rate_id = rates.value_usd(row["value"], row["currency"], lo, hi)
        out.append({**row, "value_usd": value_usd, "usd_rate_id": rate_id})
    return out


def load_exchange_rates(path: Path, data: Any) -> ExchangeRates:
    """The checked rates of rules/exchange_rates.yaml (``data``, already schema-checked). What the
    schema cannot say is refused here, every problem at once: a source that is not defined, a US
    dollar rate, two periods of one currency that overlap."""
    sources = {str(k): _source(v) for k, v in data.get("sources", {}).items()}
    per_unit = {k: {str(c) for c in v.get("usd_per_currency", [])} for k, v in data.get("sources", {}).items()}
    problems = [f"{path}:{_key_line(v, 'usd_per_currency')}: source {k!r} lists USD in usd_per_currency; "
                "a US dollar needs no rate, remove it" for k, v in data.get("sources", {}).items()
                if USD in per_unit[k]]
    rates: list[Rate] = []
    seen: dict[str, list[tuple[Rate, int]]] = {}
    for entry in data.get("periods", []):
        name, period = str(entry["source"]), str(entry["period"])
        if name not in sources:
            problems.append(f"{path}:{_key_line(entry, 'source')}: source {name!r} is not defined under sources:; "
                            f"name one of {', '.join(sources) or '(none)'} or define it")
            continue
        for currency, value in entry["rates"].items():
            line = _key_line(entry["rates"], currency)
            if currency == USD:
                problems.append(f"{path}:{line}: a rate for USD in period {period}; a US dollar needs no rate, "
                                "remove it")
                continue
            quote = "usd_per_currency" if currency in per_unit[name] else "currency_per_usd"
            rate = Rate.make(str(currency), period, float(value), quote, sources[name])
            clash = next(((r, ln) for r, ln in seen.get(rate.currency, []) if r.start <= rate.end
                          and rate.start <= r.end), None)
            if clash:
                problems.append(f"{path}:{line}: {currency} {period} overlaps {currency} {clash[0].period} "
                                f"(line {clash[1]}); keep one rate for each day")
                continue
            seen.setdefault(rate.currency, []).append((rate, line))
            rates.append(rate)
    if problems:
        raise ValidationFailed(problems)
    return ExchangeRates.from_rates(rates)


def _source(entry: Any) -> Source:
    return Source(str(entry["publisher"]), str(entry["series"]), str(entry["url"]), str(entry["basis"]))


def _key_line(container: Any, key: Any) -> int:
    lines = getattr(container, "key_lines", {})
    return int(lines.get(key, getattr(container, "line", 1)))
