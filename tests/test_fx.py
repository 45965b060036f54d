"""Amounts in US dollars: the curated rates (rules/exchange_rates.yaml), the rate chosen for an amount,
the conversion flag, the exchange_rates table and its keys, and the README's query."""

from __future__ import annotations

import datetime as dt
import doctest
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import RULES_DIR, assert_rules_problem, edit_once, rewrite
from hypothesis import given
from hypothesis import strategies as st

import bigtech_events
from bigtech_events.build import build
from bigtech_events.curator import explain
from bigtech_events.extract import fx
from bigtech_events.extract.fx import SOURCE, ExchangeRates, Rate, load_exchange_rates
from bigtech_events.ruleset import load_rules, read_rules_file
from bigtech_events.validate import validate_dir

README = Path(__file__).resolve().parent.parent / "README.md"
RATES_FILE = RULES_DIR / "exchange_rates.yaml"
COVERED = (2015, 2017, 2018, 2019, 2020, 2021, 2022, 2023)
CURRENCIES = ("AUD", "CAD", "CNY", "EUR", "GBP", "HKD", "JPY", "SGD", "TWD")


def curated() -> ExchangeRates:
    return load_exchange_rates(RATES_FILE, read_rules_file(RATES_FILE))


def test_the_module_examples_hold():
    assert doctest.testmod(fx).failed == 0


def test_every_currency_the_money_grammar_knows_has_a_rate_for_each_covered_year():
    rates, money = curated(), load_rules(RULES_DIR).money
    codes = (set(money.prefixes.values()) | set(money.suffixes.values())) - {"USD"}
    assert codes == set(CURRENCIES)
    for currency in codes:
        assert [r.period for r in rates.by_currency[currency]] == [str(y) for y in COVERED]


def test_rates_are_kept_as_published_and_converted_the_way_they_are_quoted():
    rates = curated()
    cny = rates.covering("CNY", dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    eur = rates.covering("EUR", dt.date(2023, 3, 1), dt.date(2023, 3, 1))
    assert (cny.rate, cny.quote, eur.rate, eur.quote) == (7.0809, "currency_per_usd", 1.0817, "usd_per_currency")
    day = dt.date(2023, 6, 30)
    assert rates.value_usd(100, "EUR", day, day) == (108.17, "fx-eur-2023")
    assert rates.value_usd(7_080_900, "CNY", day, day) == (1_000_000.0, "fx-cny-2023")
    assert cny.source.url.startswith("https://www.federalreserve.gov/releases/g5a/")


dates = st.dates(dt.date(2010, 1, 1), dt.date(2030, 12, 31))


@given(currency=st.sampled_from(CURRENCIES), day=dates, span=st.integers(0, 400))
def test_the_rate_is_the_one_whose_period_holds_the_whole_date(currency: str, day: dt.date, span: int):
    end = day + dt.timedelta(days=span)
    rate = curated().covering(currency, day, end)
    if day.year == end.year and day.year in COVERED:
        assert rate is not None and rate.period == str(day.year) and rate.currency == currency
    else:
        assert rate is None  # a date in no covered year, or across two years: no rate is guessed


@given(value=st.floats(0, 1e13), day=st.one_of(st.none(), dates))
def test_a_us_dollar_amount_is_its_own_value_and_needs_no_rate(value: float, day: dt.date | None):
    assert curated().value_usd(value, "USD", day, day) == (value, None)


@given(currency=st.sampled_from(CURRENCIES), day=dates)
def test_an_open_date_or_an_unknown_currency_gets_no_value(currency: str, day: dt.date):
    rates = curated()
    assert rates.value_usd(1.0, currency, None, day) == (None, None)
    assert rates.value_usd(1.0, "XAU", day, day) == (None, None)


def test_a_month_rate_has_its_own_bounds():
    rate = Rate.make("CNY", "2024-02", 7.1, "currency_per_usd", SOURCE)
    assert (rate.rate_id, rate.start, rate.end) == ("fx-cny-2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29))


# --- a bad rates file is refused, each problem at its line ---------------------------------------

@pytest.mark.parametrize(("old", "new", "message"), [
    ("    source: g5a-20240201\n", "    source: g5a-2024\n", "source 'g5a-2024' is not defined under sources:"),
    ("      CNY: 7.0809\n", "      CNY: 7.0809\n      USD: 1.0\n", "a rate for USD in period 2023"),
    ("      CNY: 7.0809\n", "      CNY: -7.0809\n", "is out of range"),
    ("      CNY: 7.0809\n", "      CNY: seven\n", "rate in periods[8].rates.CNY is text ('seven'), not a number"),
    ('  - period: "2023"\n', "  - period: 2023\n", "is a number (2023), not text"),
    ('  - period: "2023"\n', '  - period: "2023-13"\n', "does not match"),
    ("      CNY: 7.0809\n", "      cny: 7.0809\n", "currency code 'cny'"),
    ("    usd_per_currency: [AUD, EUR, GBP]\n", "    usd_per_currency: [AUD, EUR, GBP, USD]\n",
     "lists USD in usd_per_currency"),
    ("    basis: annual", "    basi: annual", "unknown key 'basi'"),
])
def test_a_bad_rates_file_is_one_line_per_problem_at_its_line(rules_copy: Path, old: str, new: str, message: str):
    edit_once(rules_copy / "exchange_rates.yaml", old, new)
    assert_rules_problem(rules_copy, "exchange_rates.yaml", message)


def test_two_rates_for_one_day_are_refused(rules_copy: Path):
    path = rules_copy / "exchange_rates.yaml"
    path.write_text(path.read_text(encoding="utf-8") + '  - period: "2023-07"\n    source: g5a-20240201\n'
                    "    rates:\n      CNY: 7.2\n", encoding="utf-8")
    assert_rules_problem(rules_copy, "exchange_rates.yaml", "CNY 2023-07 overlaps CNY 2023 (line")


# --- extraction and the package ------------------------------------------------------------------

ARTICLES = {
    # Our own sentences, not any publisher's.
    "fx-test-2023": ("2023-05-12", ("The State Administration for Market Regulation fined Alibaba 2.5 billion yuan "
                     "(about US$350 million) on Tuesday for abusing its dominant position, the regulator said.\n\n"
                     "In April 2021, the State Administration for Market Regulation fined Meituan 3.44 billion "
                     "yuan ($530 million), a record at the time.")),
    "fx-test-2016": ("2016-03-04", ("The market regulator fined Tencent 500,000 yuan for failing to report an "
                     "acquisition.")),
}


@pytest.fixture(scope="module")
def fx_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seeds = tmp_path_factory.mktemp("fx-seeds")
    for article_id, (published, body) in ARTICLES.items():
        (seeds / f"{article_id}.txt").write_text(f"Regulators fine platforms\n\n{body}\n", encoding="utf-8")
        (seeds / f"{article_id}.yaml").write_text(
            f"title: Regulators fine platforms\npublisher: Test desk\npublished: {published}\nlanguage: en\n",
            encoding="utf-8")
    return seeds


@pytest.fixture(scope="module")
def fx_package(fx_seeds: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fx-pkg")
    build(fx_seeds, RULES_DIR, out, jobs=1, run_frictionless=False)
    return out


def test_explain_shows_the_dollar_value_and_its_rate(fx_seeds: Path):
    assert "= 2.5e+09 CNY (US$353,062,463.81 at fx-cny-2023) -> ev-" in explain("fx-test-2023", fx_seeds, RULES_DIR)
    assert "= 500000 CNY (no rate) -> ev-" in explain("fx-test-2016", fx_seeds, RULES_DIR)


def _amounts(package: Path) -> dict[str, dict]:
    return {r["text"]: r for r in bigtech_events.load("amounts", path=package).to_dict("records")}


def test_a_bracketed_conversion_points_at_the_figure_it_restates(fx_package: Path):
    rows = _amounts(fx_package)
    yuan, dollars = rows["2.5 billion yuan"], rows["US$350 million"]
    assert dollars["equivalent_of"] == yuan["amount_id"] and dollars["rule_id"] == "money.conversion"
    assert pd.isna(yuan["equivalent_of"]) and dollars["event_id"] == yuan["event_id"]


def test_the_rate_is_chosen_by_the_event_date_else_the_publication_date(fx_package: Path):
    rows = _amounts(fx_package)
    assert (rows["2.5 billion yuan"]["usd_rate_id"], rows["2.5 billion yuan"]["value_usd"]) == \
        ("fx-cny-2023", round(2.5e9 / 7.0809, 2))
    # fined "in April 2021" in an article of 2023: the rate of 2021
    assert (rows["3.44 billion yuan"]["usd_rate_id"], rows["3.44 billion yuan"]["value_usd"]) == \
        ("fx-cny-2021", round(3.44e9 / 6.4508, 2))
    assert rows["US$350 million"]["value_usd"] == 350e6 and pd.isna(rows["US$350 million"]["usd_rate_id"])


def test_no_rate_for_the_date_gives_no_value(fx_package: Path):
    row = _amounts(fx_package)["500,000 yuan"]  # 2016: no curated rate, the text gives no other date
    assert pd.isna(row["value_usd"]) and pd.isna(row["usd_rate_id"])


def test_the_rates_table_is_published_with_its_sources(fx_package: Path):
    table = bigtech_events.load("exchange_rates", path=fx_package)
    assert len(table) == len(CURRENCIES) * len(COVERED)
    assert table.source_url.str.startswith("https://").all() and table.source_publisher.notna().all()
    cny = table.set_index("rate_id").loc["fx-cny-2023"]
    assert (cny.rate, cny.usd_per_unit) == (7.0809, 1 / 7.0809)
    assert validate_dir(fx_package) == []


def test_every_value_usd_is_its_value_at_the_rate_it_names(fx_package: Path):
    amounts = bigtech_events.load("amounts", path=fx_package)
    rates = bigtech_events.load("exchange_rates", path=fx_package).set_index("rate_id")
    for row in amounts[amounts.usd_rate_id.notna()].itertuples():
        rate = rates.loc[row.usd_rate_id]
        assert rate.currency == row.currency and row.value_usd == round(row.value * rate.usd_per_unit, 2)


def test_a_rate_id_that_is_not_in_the_table_fails_validation(fx_package: Path, tmp_path: Path):
    pkg = tmp_path / "pkg"
    shutil.copytree(fx_package, pkg)
    rewrite(pkg, "amounts", lambda rows: [{**r, "usd_rate_id": "fx-cny-1999"} if r["usd_rate_id"] else r
                                          for r in rows])
    problems = validate_dir(pkg)
    assert any("usd_rate_id: 'fx-cny-1999' is not a exchange_rates.rate_id" in p for p in problems), problems


# --- the README's query -------------------------------------------------------------------------

def _readme_block(language: str, marker: str) -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"```{language}\n({re.escape(marker)}.*?)```", text, re.DOTALL)
    assert found, f"README.md has no {language} block starting {marker!r}"
    return found.group(1)


def test_the_readme_query_answers_who_penalised_whom_for_how_much_without_double_counting(
        fx_package: Path, monkeypatch: pytest.MonkeyPatch):
    code = _readme_block("python", "# Who penalised whom")
    code = re.sub(r'path="[^"]+"', f'path="{fx_package}"', code, count=1)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - the documented query, as written
    fines = scope["fines"]
    assert list(fines.columns) == ["event_id", "date", "source", "target", "value", "currency", "value_usd",
                                   "usd_rate_id"]
    assert sorted(fines.target) == ["Alibaba Group", "Meituan", "Tencent"]
    naive = bigtech_events.load("amounts", path=fx_package)
    assert len(naive) == 5 and len(fines) == 3  # the two conversions in brackets are not counted again
    assert fines.value_usd.sum() == pytest.approx(2.5e9 / 7.0809 + 3.44e9 / 6.4508)
    assert fines.value_usd.isna().sum() == 1  # the 2016 fine: no curated rate
    monkeypatch.chdir(fx_package)
    sql = duckdb.sql(_readme_block("sql", "-- Who penalised whom")).df()
    assert list(sql.event_id) == list(fines.event_id)
    assert sql.value_usd.fillna(-1).tolist() == fines.value_usd.astype(float).fillna(-1).tolist()


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: {**r, "value_usd": r["value_usd"] * 2} if r["usd_rate_id"] else r,
     "value_usd must be value * usd_per_unit of fx-cny-"),
    (lambda r: {**r, "usd_rate_id": "fx-cny-2023"} if r["currency"] == "USD" else r,
     "a US-dollar amount has value_usd = value and no usd_rate_id"),
    (lambda r: {**r, "usd_rate_id": "fx-hkd-2023"} if r["usd_rate_id"] == "fx-cny-2023" else r,
     "value_usd must be value * usd_per_unit of fx-hkd-2023 (HKD)"),
])
def test_a_value_usd_that_its_rate_does_not_give_fails_validation(fx_package: Path, tmp_path: Path, change, message):
    pkg = tmp_path / "pkg"
    shutil.copytree(fx_package, pkg)
    rewrite(pkg, "amounts", lambda rows: [change(r) for r in rows])
    problems = validate_dir(pkg, run_frictionless=False)
    assert any(message in p and p.startswith("amounts:row ") for p in problems), problems


def test_a_wrong_value_usd_in_a_later_batch_is_located_by_its_row(fx_package: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    import bigtech_events.validate_keys as keys

    monkeypatch.setattr(keys, "BATCH_ROWS", 1)  # one amount per batch
    pkg = tmp_path / "pkg"
    shutil.copytree(fx_package, pkg)
    rows = bigtech_events.load("amounts", path=pkg).to_dict("records")
    last = max(i for i, r in enumerate(rows) if pd.notna(r["usd_rate_id"]))
    assert last > 0
    rewrite(pkg, "amounts", lambda rows: [{**r, "value_usd": r["value_usd"] * 2} if i == last else r
                                          for i, r in enumerate(rows)])
    problems = [p for p in validate_dir(pkg, run_frictionless=False) if "value_usd" in p]
    assert len(problems) == 1 and problems[0].startswith(f"amounts:row {last + 1}:column value_usd: value_usd must "
                                                         f"be value * usd_per_unit of {rows[last]['usd_rate_id']}")
