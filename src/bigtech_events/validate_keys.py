"""Checks across rows and tables, read from the Parquet files column by column.

- every foreign key resolves: the referring rows are looked up a batch at a time among the referred
  keys, which are the referred column itself when it has at most ``EXACT_KEYS`` rows, or else one
  8-byte hash per row (Python's, keyed per process), sorted (memory: 8 bytes per referred row,
  never whole columns; a key whose hash is not there is certainly missing);
- every ``amounts.value_usd`` is its value at the rate its ``usd_rate_id`` names: the exchange
  rates (a small table) against the amounts' money columns read a batch of rows at a time.

The span checks (:mod:`.validate_spans`) read their columns with :func:`batches` too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .tableio import parquet_stream
from .validate_tables import BATCH_ROWS, MAX_PER_CHECK, Hashes, distinct, key_hashes, rule_note

#: Referred tables up to this many rows are looked up by their values (Arrow's set lookup), larger
#: ones by the hashes of their keys.
EXACT_KEYS = 250_000


def _names(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def numbered(table: pa.Table) -> pa.Table:
    return table.append_column("__row", pa.array(range(table.num_rows), pa.int64()))


def has_rules(schema: dict[str, Any]) -> bool:
    return any(f["name"] == "rule_id" for f in schema["fields"])


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
    found_in = _lookup(paths[ref_table], ref_cols)
    rules = ["rule_id"] if has_rules(schemas[table]) else []
    problems: list[str] = []
    offset = 0
    for batch in parquet_stream(paths[table]).iter_batches(batch_size=BATCH_ROWS, columns=[*cols, *rules]):
        present = np.ones(batch.num_rows, bool)
        for c in cols:
            present &= pc.is_valid(batch.column(c)).to_numpy(zero_copy_only=False)
        for i in np.flatnonzero(present & ~found_in(batch, cols))[:MAX_PER_CHECK - len(problems)].tolist():
            key = tuple(batch.column(c)[i].as_py() for c in cols)
            rule = batch.column("rule_id")[i].as_py() if rules else None
            problems.append(f"{table}:row {offset + i + 1}:column {','.join(cols)}: "
                            f"{(key if len(key) > 1 else key[0])!r} is not a {ref_table}.{','.join(ref_cols)}"
                            f"{rule_note('<NA>' if rule is None and rules else rule)}; fix the reference")
        if len(problems) >= MAX_PER_CHECK:
            break
        offset += batch.num_rows
    return problems


def _lookup(path: Path, columns: list[str]) -> Callable[[pa.RecordBatch, list[str]], np.ndarray]:
    """Whether each row of a batch has its values of the given columns among those of ``columns``
    of a Parquet file, by value (a single column of at most ``EXACT_KEYS`` rows) or by hash."""
    if len(columns) == 1 and pq.ParquetFile(path).metadata.num_rows <= EXACT_KEYS:
        values = pq.read_table(path, columns=columns).column(0).combine_chunks()
        return lambda batch, cols: pc.is_in(batch.column(cols[0]), value_set=values).to_numpy(zero_copy_only=False)
    known = _sorted_hashes(path, columns)

    def by_hash(batch: pa.RecordBatch, cols: list[str]) -> np.ndarray:
        if not len(known):
            return np.zeros(batch.num_rows, bool)
        hashes = key_hashes(batch, tuple(cols))
        return known[np.minimum(np.searchsorted(known, hashes), len(known) - 1)] == hashes

    return by_hash


def _sorted_hashes(path: Path, columns: list[str]) -> np.ndarray:
    """The distinct hashes of the rows' values of ``columns`` of a Parquet file, sorted (rows with
    a missing value included: they never match a referring row, which has all its values)."""
    file = parquet_stream(path)
    hashes = Hashes(file.metadata.num_rows)
    for batch in file.iter_batches(batch_size=BATCH_ROWS, columns=columns):
        hashes.append(key_hashes(batch, tuple(columns)))
    return distinct(hashes.sorted())


def batches(path: Path, columns: list[str], rows: int = 0) -> Iterator[dict[str, list[Any]]]:
    """The given columns of a Parquet file, ``rows`` (``BATCH_ROWS``) rows at a time, as lists by column."""
    for batch in parquet_stream(path).iter_batches(batch_size=rows or BATCH_ROWS, columns=columns):
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
