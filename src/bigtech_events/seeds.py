"""Seed articles: ``seeds/<article_id>.txt`` plus curated ``<article_id>.yaml``.

Metadata is checked on load; any defect is a one-line error naming the file,
the line and the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .contract.vocab import pattern
from .errors import UserError
from .pandera_schemas import is_valid_edtf

REQUIRED = ("title", "publisher", "published", "language")
OPTIONAL = ("original_publisher", "url", "retrieved", "notes")
NOTE_KEYS = {"fact", "source", "event"}
EVENT_FACT_KEYS = {"type", "actor", "date"}


def article_id_pattern() -> re.Pattern[str]:
    """What an article id (a seed's file name) must match: ``articles.article_id`` in ``schemas/``."""
    return pattern("articles", "article_id")


@dataclass(frozen=True)
class CuratedEventDate:
    """A date for an event that the text does not give, established by a curator."""

    event_type: str
    actor: str
    date: str
    source: str


@dataclass(frozen=True)
class Article:
    article_id: str
    text: str
    text_sha256: str
    meta: dict[str, Any]
    path: Path
    curated_dates: tuple[CuratedEventDate, ...] = field(default=())

    @property
    def published(self) -> str:
        return str(self.meta["published"])


class _StringDateLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as written (strings), so EDTF and bad dates reach our checks."""


_StringDateLoader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _key_lines(text: str) -> dict[str, int]:
    """1-based line of each top-level key in a YAML mapping (best effort)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value}


def _as_str(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def parse_metadata(path: Path) -> tuple[dict[str, Any], tuple[CuratedEventDate, ...]]:
    """Read and check one seed metadata file."""
    raw = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(raw, Loader=_StringDateLoader)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        raise UserError(f"{path}:{line}: not valid YAML; fix the syntax") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}:1: seed metadata must be a mapping of keys to values")
    lines = _key_lines(raw)

    def where(key: str) -> str:
        return f"{path}:{lines.get(key, 1)}"

    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            allowed = ", ".join(REQUIRED + OPTIONAL)
            raise UserError(f"{where(key)}: unknown key {key!r}; allowed keys are {allowed}")
    for key in REQUIRED:
        if data.get(key) in (None, ""):
            raise UserError(f"{path}:1: required key {key!r} is missing; add it")
    meta: dict[str, Any] = {}
    for key in REQUIRED + OPTIONAL:
        if key == "notes" or data.get(key) is None:
            continue
        meta[key] = _as_str(data[key]).strip()
    if not is_valid_edtf(meta["published"]):
        raise UserError(
            f"{where('published')}: 'published' is {meta['published']!r}, not an ISO or EDTF date; "
            "write e.g. 2023-07-16 or 2023-07~"
        )
    if not pattern("articles", "language").match(meta["language"]):
        raise UserError(
            f"{where('language')}: 'language' is {meta['language']!r}, not a BCP 47 tag; write e.g. en"
        )
    if "retrieved" in meta:
        try:
            dt.date.fromisoformat(meta["retrieved"])
        except ValueError:
            raise UserError(
                f"{where('retrieved')}: 'retrieved' is {meta['retrieved']!r}; write an ISO date such as 2024-05-01"
            ) from None
    if "url" in meta and not re.match(r"^https?://\S+$", meta["url"]):
        raise UserError(f"{where('url')}: 'url' is not an http(s) address; fix or remove it")
    curated = _parse_notes(data.get("notes"), where("notes"))
    if data.get("notes") is not None:
        meta["notes"] = data["notes"]
    return meta, curated


def _parse_notes(notes: Any, where: str) -> tuple[CuratedEventDate, ...]:
    if notes is None or isinstance(notes, str):
        return ()
    if not isinstance(notes, list):
        raise UserError(f"{where}: 'notes' must be text or a list of {{fact, source, event}} entries")
    out = []
    for i, note in enumerate(notes, 1):
        if isinstance(note, str):
            continue
        if not isinstance(note, dict) or set(note) - NOTE_KEYS or "fact" not in note or "source" not in note:
            raise UserError(
                f"{where}: note {i} must have 'fact' and 'source' (and optionally 'event'); "
                f"found {sorted(note) if isinstance(note, dict) else type(note).__name__}"
            )
        event = note.get("event")
        if event is None:
            continue
        if not isinstance(event, dict) or set(event) != EVENT_FACT_KEYS:
            raise UserError(f"{where}: note {i} 'event' must have exactly the keys type, actor, date")
        date = _as_str(event["date"])
        if not is_valid_edtf(date):
            raise UserError(f"{where}: note {i} event date {date!r} is not an EDTF date")
        out.append(CuratedEventDate(str(event["type"]), str(event["actor"]), date, str(note["source"])))
    return tuple(out)


def load_article(txt_path: Path) -> Article:
    """Load one seed: its text (exactly as stored) and checked metadata."""
    article_id = txt_path.stem
    if not article_id_pattern().match(article_id):
        raise UserError(
            f"{txt_path}: article id {article_id!r} must match {article_id_pattern().pattern}; rename the file"
        )
    meta_path = txt_path.with_suffix(".yaml")
    if not meta_path.exists():
        raise UserError(f"{txt_path}: no metadata file {meta_path.name}; write it (see docs/rules.md)")
    data = txt_path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{txt_path}: byte {exc.start} is not UTF-8; store the text as UTF-8") from None
    meta, curated = parse_metadata(meta_path)
    return Article(
        article_id=article_id,
        text=text,
        text_sha256=hashlib.sha256(data).hexdigest(),
        meta=meta,
        path=txt_path,
        curated_dates=curated,
    )


def seed_paths(seeds_dir: Path) -> list[Path]:
    """Seed text files in article-id order; a metadata file without text is an error."""
    if not seeds_dir.is_dir():
        raise UserError(f"{seeds_dir}: seeds directory does not exist; pass --seeds DIR")
    texts = sorted(seeds_dir.glob("*.txt"))
    for meta in sorted(seeds_dir.glob("*.yaml")):
        if not meta.with_suffix(".txt").exists():
            raise UserError(f"{meta}: metadata without a text file {meta.with_suffix('.txt').name}")
    return texts


def iter_articles(seeds_dir: Path) -> Iterator[Article]:
    for path in seed_paths(seeds_dir):
        yield load_article(path)
