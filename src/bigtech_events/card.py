"""The dataset card: the README.md inside a release zip, generated from the package.

Its YAML front matter is the one data hubs read (``license``, ``language``,
``size_categories``, ``tags``, ``pretty_name`` and one ``configs`` entry per
table, pointing at the table's Parquet file); its body describes the version
it ships in: the release date, the row count of every table and the date
range the articles and events cover, all computed from the package, so the
card can never describe another version. Same package, same bytes. Its
figures are drawn from the same package at release and ship in the zip beside
it (``docs/figures/``): the card links only files the zip holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import yaml

from .cite import licence_id, release_date, to_apa
from .loader import PackageFiles

# Hugging Face size categories (number of rows of the largest table)
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                   (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"))


def size_category(rows: int) -> str:
    for limit, name in SIZE_CATEGORIES:
        if rows < limit:
            return name
    return "n>10M"


def _parquet_path(pkg: PackageFiles, table: str) -> str:
    res = pkg.resource(table)
    parquet = res.get("parquet")
    return str(parquet["path"] if isinstance(parquet, dict) else res["path"])


def front_matter(pkg: PackageFiles, counts: dict[str, int]) -> dict[str, Any]:
    """The card's YAML front matter as a mapping (keys in the order written)."""
    meta = pkg.descriptor
    return {
        "pretty_name": meta.get("title", meta["name"]),
        "license": licence_id(meta).lower(),
        "language": ["en"],
        "size_categories": [size_category(max(counts.values(), default=0))],
        "tags": list(meta.get("keywords") or []),
        "configs": [{"config_name": t, "data_files": [{"split": "train", "path": _parquet_path(pkg, t)}]}
                    for t in pkg.tables()],
    }


def _date_range(pkg: PackageFiles, table: str, column: str) -> str:
    if table not in pkg.tables():
        return "-"
    values = pkg.arrow_table(table).column(column).drop_null()
    if len(values) == 0:
        return "-"
    bounds = pc.min_max(values.cast("string"))
    return f"{bounds['min'].as_py()} to {bounds['max'].as_py()}"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


#: Where the figures drawn for a release go in its zip.
FIGURES_DIR = "docs/figures"
#: What each figure of :mod:`bigtech_events.report` shows, by stem.
FIGURE_CAPTIONS = {
    "event-timeline": "Events by type over time",
    "actor-network": "Who acts on whom (source to target of each event)",
}


def figure_lines(figures: list[str]) -> list[str]:
    """The card's Figures section for the figure files shipped beside it (paths inside the
    zip): each SVG shown, with its PNG linked when it ships too. No figures, no section."""
    svgs = [f for f in figures if f.endswith(".svg")]
    if not svgs:
        return []
    lines = ["", "## Figures", "", "Drawn from the tables of this version by `bigtech-events report`.", ""]
    for svg in svgs:
        stem = svg.rsplit("/", 1)[-1].removesuffix(".svg")
        caption = FIGURE_CAPTIONS.get(stem, stem.replace("-", " "))
        png = svg.removesuffix(".svg") + ".png"
        lines += [f"![{caption}]({svg})", ""]
        lines += [f"{caption} ([PNG]({png}))." if png in figures else f"{caption}.", ""]
    return lines[:-1]


def card_text(pkg: PackageFiles, figures: list[str] | None = None) -> str:
    """The README.md of the release of ``pkg``: front matter, then the card.

    ``figures`` are the paths, inside the release, of the figure files shipped with it; the card
    links those and no other figure."""
    meta = pkg.descriptor
    counts = {t: pkg.arrow_table(t).num_rows for t in pkg.tables()}
    head = yaml.safe_dump(front_matter(pkg, counts), sort_keys=False, allow_unicode=True, width=100)
    title = meta.get("title", meta["name"])
    lines = [
        "---", head.rstrip("\n"), "---", "",
        f"# {title} {pkg.version}", "",
        " ".join(str(meta.get("description", "")).split()), "",
        f"- Version: {pkg.version}, released {release_date(meta)}",
        f"- Licence of the tables: {licence_id(meta)} (see LICENSE-DATA.md); code: see LICENSE",
        f"- Articles published: {_date_range(pkg, 'articles', 'published_start')}",
        f"- Events dated: {_date_range(pkg, 'events', 'date_start')}",
        "", "## Tables", "",
        ("Each table is in `dataset/` as CSV and Parquet (same rows); `datapackage.json` "
         "(Frictionless Data Package) and `croissant.json` (Croissant) describe them, "
         "`docs/data-dictionary.md` explains every column."), "",
        "| table | rows | description |", "|---|---:|---|",
        *[f"| {t} | {counts[t]} | {_cell(pkg.resource(t).get('description', ''))} |" for t in pkg.tables()],
        *figure_lines(sorted(figures or [])),
        "", "## Cite", "", to_apa(meta).rstrip("\n"), "",
        ("CITATION.cff in this archive gives the same reference in Citation File Format; "
         "CHANGELOG.md lists what changed in this version."),
    ]
    return "\n".join(lines) + "\n"


def release_figures(root: Path) -> dict[str, bytes]:
    """The figures of the package at ``root``, drawn from its tables (so they show this version,
    whatever ``docs/figures/`` holds), as zip members ``docs/figures/<stem>.svg|png``."""
    from .report import figure_files

    files, _, _ = figure_files(root)
    return {f"{FIGURES_DIR}/{name}": data for name, data in files.items()}
