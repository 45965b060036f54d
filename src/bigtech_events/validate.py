"""Validate a package directory or release zip.

Checks, each reported as one line naming table, row, column (and rule where
the row has one):
- descriptor: Data Package v2 profile, every resource file present with the
  recorded ``bytes`` and sha256 ``hash``;
- every Parquet and CSV file against the pandera schema generated from the
  table schema (types, required, unique, enums, patterns, ranges, EDTF,
  dates, primary keys);
- CSV and Parquet hold the same rows;
- every foreign key resolves;
- every ``amounts.value_usd`` is its value at the rate its ``usd_rate_id`` names;
- every span reproduces its recorded text from the seed, for each article whose
  text is at hand (releases carry no texts: :class:`Report` says which articles'
  span checks were skipped);
- Frictionless validation of the descriptor and the CSV resources.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors

from .datapackage import PACKAGE_PROFILE, resource_name
from .pandera_schemas import pandera_schema
from .progress import Bar
from .progress import task as progress_task
from .safezip import SafeZip, is_zip
from .schemas import TABLES, structure_problems
from .tableio import read_csv, read_parquet
from .validate_spans import check_spans, skipped_line
from .validate_spans import rule_of as _rule_of

MAX_PER_CHECK = 20


def _descriptor_schema(resource: dict[str, Any]) -> dict[str, Any]:
    """Table schema of a resource with foreign keys pointing at table names again."""
    return json.loads(json.dumps(resource.get("schema")))


def _row_label(table: str, fmt: str, idx: int) -> str:
    return f"{table}.{fmt}:line {idx + 2}" if fmt == "csv" else f"{table}.{fmt}:row {idx + 1}"


def check_frame(table: str, fmt: str, df: pd.DataFrame, schema: dict[str, Any]) -> list[str]:
    """pandera validation of one frame; one line per failure case."""
    try:
        pandera_schema(table, schema).validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        lines = []
        for rec in exc.failure_cases.head(MAX_PER_CHECK * 5).to_dict("records"):
            col = rec.get("column") or "-"
            check = rec.get("check")
            idx = rec.get("index")
            value = rec.get("failure_case")
            where = _row_label(table, fmt, int(idx)) if isinstance(idx, (int, float)) and pd.notna(idx) \
                else f"{table}.{fmt}"
            rule = _rule_of(df, int(idx)) if isinstance(idx, (int, float)) and pd.notna(idx) else ""
            what = _describe_check(str(check), value)
            lines.append(f"{where}:column {col}: {what}{rule}; correct the row or the rule that made it")
        return lines
    return []


def _describe_check(check: str, value: Any) -> str:
    if check.startswith("not_nullable"):
        return "a required value is missing"
    if check.startswith("field_uniqueness"):
        return f"value {value!r} is not unique"
    if check.startswith("multiple_fields_uniqueness"):
        return f"primary key repeats ({value!r})"
    if check.startswith(("enum", "isin")):
        allowed = check[check.find("[") + 1:check.rfind("]")].replace("'", "") if "[" in check else ""
        return f"{value!r} is not one of the allowed values ({allowed})"
    if check.startswith("pattern"):
        return f"{value!r} does not match the column's pattern"
    if check.startswith(("greater_than_or_equal_to", "less_than_or_equal_to")):
        return f"{value!r} is out of the allowed range ({check})"
    if check.startswith("edtf"):
        return f"{value!r} is not a valid EDTF date"
    if check.startswith("date"):
        return f"{value!r} is not a date"
    if check.startswith("dtype"):
        return f"wrong column type ({value})"
    return f"fails {check} ({value!r})"


def compare_formats(table: str, csv_df: pd.DataFrame, pq_df: pd.DataFrame) -> list[str]:
    if len(csv_df) != len(pq_df):
        return [f"{table}: CSV has {len(csv_df)} rows but Parquet has {len(pq_df)}; rebuild the package"]
    if csv_df.equals(pq_df):
        return []  # the common case, vectorised; the loop below only locates a difference
    for col in csv_df.columns:
        a, b = csv_df[col].astype(object), pq_df[col].astype(object)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if (pd.isna(x) and pd.isna(y)) if not isinstance(x, (list, dict)) else False:
                continue
            if x != y:
                return [(f"{table}.csv:line {i + 2}:column {col}: CSV has {x!r} but Parquet has {y!r}; "
                        "rebuild the package")]
    return []


def check_foreign_keys(frames: dict[str, pd.DataFrame], schemas: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for table, schema in schemas.items():
        df = frames.get(table)
        if df is None:
            continue
        for fk in schema.get("foreignKeys", []):
            ref_table = fk["reference"].get("resource") or table
            ref = frames.get(ref_table)
            if ref is None:
                continue
            cols, ref_cols = fk["fields"], fk["reference"]["fields"]
            known = set(zip(*(ref[c].astype(object) for c in ref_cols), strict=True))
            bad = 0
            for i, key in enumerate(zip(*(df[c].astype(object) for c in cols), strict=True)):
                if any(pd.isna(k) for k in key) or key in known:
                    continue
                bad += 1
                if bad <= MAX_PER_CHECK:
                    problems.append(
                        f"{table}:row {i + 1}:column {','.join(cols)}: {key if len(key) > 1 else key[0]!r} "
                        f"is not a {ref_table}.{','.join(ref_cols)}{_rule_of(df, i)}; fix the reference"
                    )
    return problems


def check_usd_values(frames: dict[str, pd.DataFrame]) -> list[str]:
    """Every ``amounts.value_usd`` is its value at the rate it names (of its own currency), or the
    value itself for a US-dollar amount, which names no rate."""
    amounts, rates = frames.get("amounts"), frames.get("exchange_rates")
    if amounts is None or rates is None or "value_usd" not in amounts.columns:
        return []
    by_id = {r.rate_id: r for r in rates.itertuples(index=False)}
    problems = []
    for i, row in enumerate(amounts.itertuples(index=False)):
        rate = by_id.get(row.usd_rate_id) if pd.notna(row.usd_rate_id) else None
        if row.currency == "USD":
            bad = pd.notna(row.usd_rate_id) or row.value_usd != row.value
            what = "a US-dollar amount has value_usd = value and no usd_rate_id"
        elif rate is None:
            bad = pd.isna(row.usd_rate_id) and pd.notna(row.value_usd)
            what = "value_usd without a usd_rate_id"
        else:
            bad = rate.currency != row.currency or pd.isna(row.value_usd) or \
                abs(row.value_usd - row.value * rate.usd_per_unit) > 0.006
            what = f"value_usd must be value * usd_per_unit of {rate.rate_id} ({rate.currency})"
        if bad and len(problems) < MAX_PER_CHECK:
            problems.append(f"amounts:row {i + 1}:column value_usd: {what}{_rule_of(amounts, i)}; rebuild the package")
    return problems


def check_files(root: Path, descriptor: dict[str, Any]) -> list[str]:
    problems = []
    listed = set()
    files = []
    for res in descriptor.get("resources", []):
        files.append(res)
        if isinstance(res.get("parquet"), dict):
            files.append({"name": f"{res.get('name')} (parquet)", **res["parquet"]})
    for res in files:
        path = root / res.get("path", "")
        listed.add(res.get("path"))
        if not path.is_file():
            problems.append(f"datapackage.json:resource {res.get('name')}: file {res.get('path')} is missing")
            continue
        data = path.read_bytes()
        if res.get("bytes") != len(data):
            problems.append(f"datapackage.json:resource {res['name']}: bytes is {res.get('bytes')} but "
                            f"the file has {len(data)}; rebuild the package")
        digest = hashlib.sha256(data).hexdigest()
        if res.get("hash") != f"sha256:{digest}":
            problems.append(f"datapackage.json:resource {res['name']}: hash does not match "
                            f"{res['path']}; rebuild the package")
    dataset = root / "dataset"
    if dataset.is_dir():
        for path in sorted(dataset.iterdir()):
            if f"dataset/{path.name}" not in listed:
                problems.append(f"dataset/{path.name}: file is not listed in datapackage.json; "
                                "remove it or rebuild")
    return problems


def frictionless_check(root: Path) -> list[str]:
    """Frictionless validation of the descriptor and the CSV resources."""
    from frictionless import Package

    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    package = Package(descriptor, basepath=str(root))
    report = package.validate()
    problems = []
    for task in report.tasks:
        for err in task.errors[:MAX_PER_CHECK]:
            row = getattr(err, "row_number", None)
            col = getattr(err, "field_name", None)
            where = f"{task.name}" + (f":line {row}" if row else "") + (f":column {col}" if col else "")
            problems.append(f"{where}: frictionless {err.type}: {err.note}")
    for err in report.errors:
        problems.append(f"datapackage.json: frictionless {err.type}: {err.note}")
    return problems


def load_descriptor(root: Path) -> tuple[dict[str, Any] | None, list[str]]:
    path = root / "datapackage.json"
    if not path.is_file():
        return None, [f"{path}: no datapackage.json; build the package first"]
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return None, [f"{path}:{exc.lineno}: invalid JSON ({exc.msg}); rebuild the package"]
    except UnicodeDecodeError as exc:
        return None, [f"{path}: byte {exc.start} is not UTF-8; rebuild the package"]
    if not isinstance(descriptor, dict):
        what = f"the descriptor is a JSON {type(descriptor).__name__}, not an object of package properties"
        return None, [f"{path}:1: {what}; rebuild the package"]
    resources = descriptor.get("resources", [])
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        return None, [f"{path}: 'resources' must be a list of objects; rebuild the package"]
    problems = []
    if descriptor.get("$schema") != PACKAGE_PROFILE:
        problems.append(f"{path}: $schema must be {PACKAGE_PROFILE}")
    return descriptor, problems


@dataclass
class Report:
    """What validating a package found: the problems, and the articles whose spans were not
    checked because their texts are absent (a release carries no texts)."""

    problems: list[str] = field(default_factory=list)
    articles: int = 0
    texts_absent: list[str] = field(default_factory=list)

    def skipped(self) -> str | None:
        """One line saying which span checks were skipped and why; ``None`` when none were."""
        return skipped_line(self.texts_absent, self.articles)

    def strict(self, seeds_dir: Path | None) -> list[str]:
        """The problems, and with ``seeds_dir`` (a build, a release) one more per article whose
        text is not there; without it the span checks are simply left out."""
        if seeds_dir is None:
            return self.problems
        return self.problems + [f"articles:article {a}: seed text {seeds_dir / f'{a}.txt'} is missing; "
                                "spans cannot be checked" for a in self.texts_absent]


def check_package(root: Path, seeds_dir: Path | None = None, run_frictionless: bool = True) -> Report:
    """Validate the package rooted at ``root``: every check that can run, with the span checks of
    the articles whose text is in ``seeds_dir`` (none without it)."""
    descriptor, problems = load_descriptor(root)
    if descriptor is None:
        return Report(problems)
    problems += check_files(root, descriptor)
    by_name = {r.get("name"): r for r in descriptor.get("resources", [])}
    schemas: dict[str, dict[str, Any]] = {}
    frames: dict[str, pd.DataFrame] = {}
    with progress_task("validating", total=len(TABLES) + 3) as bar:
        problems += _check_tables(root, by_name, schemas, frames, bar)
        problems += check_foreign_keys(frames, schemas)
        problems += check_usd_values(frames)
        bar.advance("spans")
        span_problems, absent = check_spans(frames, seeds_dir)
        problems += span_problems
        bar.advance("frictionless")
        if run_frictionless and not problems:
            problems += frictionless_check(root)
        bar.advance()
    articles = frames.get("articles")
    return Report(problems, 0 if articles is None else len(articles), absent)


def validate_dir(root: Path, seeds_dir: Path | None = None, run_frictionless: bool = True) -> list[str]:
    """All problems found in the package rooted at ``root`` (empty when valid).

    With ``seeds_dir`` (a build, a release) an article whose text is not there is a problem
    (:meth:`Report.strict`)."""
    return check_package(root, seeds_dir, run_frictionless).strict(seeds_dir)


def _check_tables(root: Path, by_name: dict[str, Any], schemas: dict[str, dict[str, Any]],
                  frames: dict[str, pd.DataFrame], bar: Bar) -> list[str]:
    """Check each table's files against its schema, filling ``schemas`` and ``frames`` as it goes."""
    by_name_schemas = {name: r.get("schema") for name, r in by_name.items()}
    problems: list[str] = []
    for table in TABLES:
        bar.advance(table)
        csv_res = by_name.get(resource_name(table))
        pq_res = csv_res.get("parquet") if csv_res else None
        if csv_res is None or not isinstance(pq_res, dict):
            problems.append(f"datapackage.json: table {table} lacks its CSV or Parquet resource; rebuild")
            continue
        schema = _descriptor_schema(csv_res)
        broken = structure_problems(table, schema, f"datapackage.json:resource {table}", by_name_schemas)
        if broken:
            problems += broken
            continue
        schemas[table] = schema
        pq_df, p1 = read_parquet(root / pq_res["path"], schema) if (root / pq_res["path"]).is_file() else (None, [])
        csv_df, p2 = read_csv(root / csv_res["path"], schema) if (root / csv_res["path"]).is_file() else (None, [])
        problems += p1 + p2
        if pq_df is not None:
            problems += check_frame(table, "parquet", pq_df, schema)
            frames[table] = pq_df
        if csv_df is not None:
            problems += check_frame(table, "csv", csv_df, schema)
        if pq_df is not None and csv_df is not None:
            problems += compare_formats(table, csv_df, pq_df)
    return problems


def check_path(path: Path, seeds_dir: Path | None = None, run_frictionless: bool = True) -> Report:
    """Validate a package directory or a release zip (checked and streamed by :mod:`.safezip`);
    spans are checked for the articles whose text is in ``seeds_dir``, the rest reported skipped."""
    if is_zip(path):
        with tempfile.TemporaryDirectory(prefix="bigtech-validate-") as tmp:
            with SafeZip(path) as zf:
                zf.extract_all(Path(tmp))
            root = Path(tmp)
            subdirs = [p for p in root.iterdir() if p.is_dir()]
            if not (root / "datapackage.json").exists() and len(subdirs) == 1:
                root = subdirs[0]
            report = check_package(root, seeds_dir, run_frictionless)
            report.problems = [_in_zip(p, root, Path(tmp), path) for p in report.problems]
            return report
    if not path.is_dir():
        return Report([f"{path}: not a package directory or release zip"])
    return check_package(path, seeds_dir, run_frictionless)


def validate_path(path: Path, seeds_dir: Path | None = None, run_frictionless: bool = True) -> list[str]:
    """The problems of a package directory or release zip (:func:`check_path`); with ``seeds_dir``,
    an article whose text is not there is a problem too."""
    return check_path(path, seeds_dir, run_frictionless).strict(seeds_dir)


def _in_zip(problem: str, root: Path, tmp: Path, zip_path: Path) -> str:
    """A problem found in a zip's extracted copy, naming the zip instead of the temporary folder."""
    for prefix in (f"{root}/", f"{tmp}/", str(root), str(tmp)):
        problem = problem.replace(prefix, f"{zip_path}:" if prefix.endswith("/") else str(zip_path))
    return problem
