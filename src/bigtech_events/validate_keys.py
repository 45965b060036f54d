"""Checks across rows and tables, read from the Parquet files column by column.

- every foreign key resolves: an anti-join of the referring column(s) against the referred ones
  (Arrow's hash join; memory: those key columns, never whole tables);
- every ``amounts.value_usd`` is its value at the rate its ``usd_rate_id`` names: the exchange
  rates (a small table) against the amounts' money columns read a batch of rows at a time.

The span checks (:mod:`.validate_spans`) read their columns with :func:`batches` too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .validate_tables import BATCH_ROWS, MAX_PER_CHECK, rule_note


def _names(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def numbered(table: pa.Table) -> pa.Table:
    return table.append_column("__row", pa.array(range(table.num_rows), pa.int64()))


def has_rules(schema: dict[str, Any]) -> bool:
    return any(f["name"] == "rule_id" for f in schema["fields"])


def _rules_at(path: Path, schema: dict[str, Any], rows: list[int]) -> dict[int, Any]:
    """``rule_id`` of the given rows (that one column read), by row number."""
    if not rows or not has_rules(schema):
        return {}
    column = pq.read_table(path, columns=["rule_id"]).column(0)
    values = column.take(pa.array(rows, pa.int64())).to_pylist()
    return {i: "<NA>" if v is None else v for i, v in zip(rows, values, strict=True)}


def check_foreign_keys(paths: dict[str, Path], schemas: dict[str, dict[str, Any]]) -> list[str]:
    """Every foreign key of the tables in ``paths`` (their Parquet files, read in full) resolves."""
    problems: list[str] = []
    for table, schema in schemas.items():
        if table not in paths:
            continue
        for fk in schema.get("foreignKeys", []):
            ref_table = fk["reference"].get("resource") or table
            if ref_table in paths:
                problems += _missing_references(table, paths, schemas, fk, ref_table)
    return problems


def _missing_references(table: str, paths: dict[str, Path], schemas: dict[str, dict[str, Any]],
                        fk: dict[str, Any], ref_table: str) -> list[str]:
    cols, ref_cols = _names(fk["fields"]), _names(fk["reference"]["fields"])
    child = numbered(pq.read_table(paths[table], columns=cols))
    present = pc.and_(*[pc.is_valid(child[c]) for c in cols]) if len(cols) > 1 else pc.is_valid(child[cols[0]])
    child = child.filter(present)
    known = pq.read_table(paths[ref_table], columns=ref_cols).group_by(ref_cols).aggregate([])
    missing = child.join(known, keys=cols, right_keys=ref_cols, join_type="left anti")
    if missing.num_rows == 0:
        return []
    missing = missing.sort_by("__row").slice(0, MAX_PER_CHECK)
    rows = missing["__row"].to_pylist()
    rules = _rules_at(paths[table], schemas[table], rows)
    keys = zip(*(missing[c].to_pylist() for c in cols), strict=True)
    return [f"{table}:row {i + 1}:column {','.join(cols)}: {(key if len(key) > 1 else key[0])!r} "
            f"is not a {ref_table}.{','.join(ref_cols)}{rule_note(rules.get(i))}; fix the reference"
            for i, key in zip(rows, keys, strict=True)]


def batches(path: Path, columns: list[str]) -> Iterator[dict[str, list[Any]]]:
    """The given columns of a Parquet file, ``BATCH_ROWS`` rows at a time, as lists by column."""
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS, columns=columns):
        yield {c: batch.column(c).to_pylist() for c in columns}


# ---------------------------------------------------------------- amounts in US dollars

#: The amounts' columns the US-dollar check reads.
MONEY = ["currency", "value", "value_usd", "usd_rate_id"]


def check_usd_values(paths: dict[str, Path], schemas: dict[str, dict[str, Any]]) -> list[str]:
    """Every ``amounts.value_usd`` is its value at the rate it names (of its own currency), or the
    value itself for a US-dollar amount, which names no rate."""
    if "amounts" not in paths or "exchange_rates" not in paths:
        return []
    if not {f["name"] for f in schemas["amounts"]["fields"]} >= set(MONEY):
        return []
    rates = pq.read_table(paths["exchange_rates"], columns=["rate_id", "currency", "usd_per_unit"]).to_pylist()
    by_id = {r["rate_id"]: r for r in rates}
    rules = ["rule_id"] if has_rules(schemas["amounts"]) else []
    problems: list[str] = []
    offset = 0
    for batch in batches(paths["amounts"], [*MONEY, *rules]):
        rows = zip(*(batch[c] for c in MONEY), batch["rule_id"] if rules else [None] * len(batch["value"]),
                   strict=True)
        for i, (currency, value, value_usd, rate_id, rule) in enumerate(rows):
            what = _usd_problem(currency, value, value_usd, rate_id, by_id.get(rate_id))
            if what is not None and len(problems) < MAX_PER_CHECK:
                note = rule_note("<NA>" if rule is None and rules else rule)
                problems.append(f"amounts:row {offset + i + 1}:column value_usd: {what}{note}; rebuild the package")
        offset += len(batch["value"])
    return problems


def _usd_problem(currency: str | None, value: float | None, value_usd: float | None, rate_id: str | None,
                 rate: dict[str, Any] | None) -> str | None:
    """What is wrong with one amount's ``value_usd`` (``None`` when nothing is); an unknown
    ``usd_rate_id`` is the foreign-key check's to report."""
    if currency == "USD":
        if rate_id is not None or value_usd != value:
            return "a US-dollar amount has value_usd = value and no usd_rate_id"
        return None
    if rate is None:
        return "value_usd without a usd_rate_id" if rate_id is None and value_usd is not None else None
    if rate["currency"] != currency or value_usd is None or value is None or \
            abs(value_usd - value * rate["usd_per_unit"]) > 0.006:
        return f"value_usd must be value * usd_per_unit of {rate['rate_id']} ({rate['currency']})"
    return None
