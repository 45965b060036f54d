"""Seed articles: ``seeds/<article_id>.txt`` plus curated ``<article_id>.yaml``.

Metadata is checked on load; any defect is a one-line error naming the file,
the line and the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .contract.vocab import pattern
from .dates import edtf_bounds, valid_edtf
from .errors import UserError, ValidationFailed
from .safeyaml import Mapping, Sequence, parse
from .seed_notes import CuratedEventDate, as_text, parse_notes

REQUIRED = ("title", "publisher", "published", "language")
OPTIONAL = ("original_publisher", "url", "retrieved", "notes")
#: Set to ``true`` when a publication date after the build date is meant (an embargoed article);
#: it is a check's switch, not metadata, so it is not written to the tables.
FUTURE_KEY = "allow_future_published"
#: A date up to a day after today (UTC) is not "in the future": it is already today somewhere.
FUTURE_GRACE = dt.timedelta(days=1)


def article_id_pattern() -> re.Pattern[str]:
    """What an article id (a seed's file name) must match: ``articles.article_id`` in ``schemas/``."""
    return pattern("articles", "article_id")


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


def _plain(value: Any) -> Any:
    """Parsed YAML as plain dicts and lists (the parser's line-keeping types are for messages only)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def read_yaml(path: Path) -> Mapping:
    """A seed metadata file parsed like a rules file: aliases, anchors, tags, merge keys and keys
    written twice are refused; not UTF-8 or not a mapping is refused. One line, ``file:line: what``."""
    data = path.read_bytes()
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UserError(f"{path}:{line}: byte {exc.start} is not UTF-8; save the file as UTF-8") from None
    parsed, problems = parse(raw, str(path))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UserError(problems[0] + more)
    if not isinstance(parsed, Mapping):
        line = parsed.line if isinstance(parsed, Sequence) else 1
        what = "a list" if isinstance(parsed, Sequence) else "empty" if parsed is None else "one value"
        raise UserError(f"{path}:{line}: seed metadata is {what}, not a mapping of keys to values; "
                        "write key: value lines (see docs/rules.md)")
    return parsed


def parse_metadata(path: Path) -> tuple[dict[str, Any], tuple[CuratedEventDate, ...]]:
    """Read and check one seed metadata file."""
    data = read_yaml(path)
    lines = data.key_lines
    return check_metadata(data, lambda key: f"{path}:{lines.get(key, 1)}")


def check_metadata(data: dict[str, Any], where: Callable[[str], str]
                   ) -> tuple[dict[str, Any], tuple[CuratedEventDate, ...]]:
    """Check one article's metadata mapping; ``where(key)`` names the place of a key in messages.

    A seed's ``.yaml`` file and a corpus record (:mod:`bigtech_events.corpus`) pass the same checks.
    """
    allow_future = _future_switch(data, where(FUTURE_KEY))
    data = Mapping({k: v for k, v in data.items() if k != FUTURE_KEY})
    for key in data:
        if key not in REQUIRED and key not in OPTIONAL:
            allowed = ", ".join(REQUIRED + OPTIONAL)
            raise UserError(f"{where(key)}: unknown key {key!r}; allowed keys are {allowed}")
    for key in REQUIRED:
        if data.get(key) in (None, ""):
            raise UserError(f"{where(key)}: required key {key!r} is missing; add it")
    meta: dict[str, Any] = {}
    for key in REQUIRED + OPTIONAL:
        if key == "notes" or data.get(key) is None:
            continue
        if isinstance(data[key], (dict, list)):
            kind = "a list" if isinstance(data[key], list) else "a mapping"
            raise UserError(f"{where(key)}: {key!r} is {kind}; write it as text on one line")
        meta[key] = as_text(data[key]).strip()
    if not valid_edtf(meta["published"]):
        raise UserError(
            f"{where('published')}: 'published' is {meta['published']!r}, not an ISO or EDTF date; "
            "write e.g. 2023-07-16 or 2023-07~"
        )
    if not pattern("articles", "language").match(meta["language"]):
        raise UserError(
            f"{where('language')}: 'language' is {meta['language']!r}, not a BCP 47 tag; write e.g. en"
        )
    _check_not_future(meta["published"], where("published"), allow_future)
    if "retrieved" in meta:
        try:
            dt.date.fromisoformat(meta["retrieved"])
        except ValueError:
            raise UserError(
                f"{where('retrieved')}: 'retrieved' is {meta['retrieved']!r}; write an ISO date such as 2024-05-01"
            ) from None
    if "url" in meta and not re.match(r"^https?://\S+$", meta["url"]):
        raise UserError(f"{where('url')}: 'url' is not an http(s) address; fix or remove it")
    curated = parse_notes(data.get("notes"), where("notes"))
    if data.get("notes") is not None:
        meta["notes"] = _plain(data["notes"])
    return meta, curated


def _future_switch(data: Mapping, where: str) -> bool:
    value = data.get(FUTURE_KEY, False)
    if not isinstance(value, bool):
        raise UserError(f"{where}: {FUTURE_KEY!r} is {value!r}; write true or remove it")
    return value


def build_date() -> dt.date:
    """Today in UTC: the date a build runs on."""
    return dt.datetime.now(dt.UTC).date()


def _check_not_future(published: str, where: str, allowed: bool) -> None:
    """A publication date after the build date is a typo (2099 for 2019) unless the curator says so."""
    earliest, _ = edtf_bounds(published)
    if allowed or earliest is None or earliest <= build_date() + FUTURE_GRACE:
        return
    raise UserError(f"{where}: 'published' is {published}, after today ({build_date()}); fix the date, "
                    f"or add '{FUTURE_KEY}: true' if the article really is dated ahead")


def check_seed_files(txt_path: Path) -> Path:
    """Check a seed's name and that its text and metadata are regular files; its metadata path.

    The checks that need no reading: what :func:`load_article` checks first, and all a build
    checks of a seed whose extracted rows it has cached.
    """
    article_id = txt_path.stem
    if not article_id_pattern().match(article_id):
        raise UserError(
            f"{txt_path}: article id {article_id!r} must match {article_id_pattern().pattern}; rename the file"
        )
    meta_path = txt_path.with_suffix(".yaml")
    if not meta_path.exists() and not meta_path.is_symlink():
        raise UserError(f"{txt_path}: no metadata file {meta_path.name}; write it (see docs/rules.md)")
    check_regular_file(txt_path)
    check_regular_file(meta_path)
    return meta_path


def load_article(txt_path: Path) -> Article:
    """Load one seed: its text (exactly as stored) and checked metadata."""
    article_id = txt_path.stem
    meta_path = check_seed_files(txt_path)
    data = txt_path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UserError(f"{txt_path}:{line}: byte {exc.start} is not UTF-8; store the text as UTF-8") from None
    if not text.strip():
        raise UserError(f"{txt_path}:1: the article is empty or only white space; store its text or remove "
                        "the seed")
    meta, curated = parse_metadata(meta_path)
    return Article(
        article_id=article_id,
        text=text,
        text_sha256=hashlib.sha256(data).hexdigest(),
        meta=meta,
        path=txt_path,
        curated_dates=curated,
    )


def check_regular_file(path: Path) -> None:
    """Refuse a seed file that is not a regular file of the seeds folder (a link, a directory, a FIFO)."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        raise UserError(f"{path}: is a symbolic link; a seed must be a regular file inside the seeds folder: "
                        "copy the file in (bigtech-events add-article)")
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "not a regular file"
        raise UserError(f"{path}: is {kind}; a seed must be a regular file: remove or rename it")


def seed_files(seeds_dir: Path) -> tuple[list[Path], list[str]]:
    """Seed text files in article-id order, and the problems found without reading any: a missing
    seeds folder, a metadata file without text."""
    if not seeds_dir.is_dir():
        return [], [f"{seeds_dir}: seeds directory does not exist; pass --seeds DIR"]
    problems = [f"{meta}: metadata without a text file {meta.with_suffix('.txt').name}"
                for meta in sorted(seeds_dir.glob("*.yaml"))
                if not meta.with_suffix(".txt").exists() and not meta.with_suffix(".txt").is_symlink()]
    return sorted(seeds_dir.glob("*.txt")), problems


def scan_seeds(seeds_dir: Path) -> tuple[list[Path], list[str]]:
    """The seeds :func:`check_seed_files` accepts, in article-id order, and the problems of the
    others and of :func:`seed_files`: the same lines, from one listing of the folder (the types
    the listing gives spare a ``stat`` per file; a file they do not show regular is checked again
    by :func:`check_seed_files` for its exact message)."""
    if not seeds_dir.is_dir():
        return seed_files(seeds_dir)
    with os.scandir(seeds_dir) as listing:
        entries = {e.name: e for e in listing}
    problems = [f"{seeds_dir / name}: metadata without a text file {name[:-5]}.txt"
                for name in sorted(entries) if name.endswith(".yaml") and f"{name[:-5]}.txt" not in entries]
    ids = article_id_pattern()
    texts = []
    for name in sorted(n for n in entries if n.endswith(".txt")):
        path, meta = seeds_dir / name, entries.get(f"{name[:-4]}.yaml")
        if ids.match(name[:-4]) and meta is not None and entries[name].is_file(follow_symlinks=False) \
                and meta.is_file(follow_symlinks=False):
            texts.append(path)
            continue
        try:
            check_seed_files(path)
            texts.append(path)
        except UserError as exc:
            problems += getattr(exc, "problems", None) or [str(exc)]
    return texts, problems


def check_seeds(seeds_dir: Path) -> tuple[list[Path], list[str]]:
    """Seed text files in article-id order, and every problem of every seed (one line each).

    A missing seeds folder, a metadata file without text, and any seed :func:`load_article`
    refuses is a problem; each seed is checked on its own, so one bad seed hides no other.
    """
    texts, problems = seed_files(seeds_dir)
    return texts, problems + read_problems(texts)


def read_problems(paths: Iterable[Path]) -> list[str]:
    """The problems :func:`load_article` finds in each of ``paths``, in order, one line each."""
    problems: list[str] = []
    for path in paths:
        try:
            load_article(path)
        except UserError as exc:
            problems += getattr(exc, "problems", None) or [str(exc)]
    return problems


def seed_paths(seeds_dir: Path) -> list[Path]:
    """Seed text files in article-id order, each checked with its metadata before any is extracted;
    raises :class:`ValidationFailed` listing every problem of every seed (:func:`check_seeds`)."""
    texts, problems = check_seeds(seeds_dir)
    if problems:
        raise ValidationFailed(problems)
    return texts


def iter_articles(seeds_dir: Path) -> Iterator[Article]:
    for path in seed_paths(seeds_dir):
        yield load_article(path)
