"""Curator tools: add an article, explain what the rules did."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .dates import valid_edtf
from .errors import UserError
from .extract import Extractor
from .ids import slugify
from .ruleset import load_rules
from .seeds import article_id_pattern, load_article, parse_metadata


def explain(article_id: str, seeds_dir: Path, rules_dir: Path) -> str:
    """Sentence by sentence: the rules that fired and the rows they produced."""
    path = seeds_dir / f"{article_id}.txt"
    if not path.exists():
        known = ", ".join(p.stem for p in sorted(seeds_dir.glob("*.txt"))[:5])
        raise UserError(f"{path}: no such article; known ids include {known}")
    article = load_article(path)
    ex = Extractor(load_rules(rules_dir))
    doc, result = ex.process(article)  # the same path as build
    body = doc.body
    assert body is not None
    lines = [f"article {article_id}: body {body.start}-{body.end}, {len(doc.sentences)} sentences"]
    for start, end, rule in body.dropped:
        lines.append(f"  dropped {article.text[start:end]!r} ({rule})")
    by_sentence: dict[int, list[str]] = {}
    for t in doc.trace:
        by_sentence.setdefault(t["sentence"], []).append(f"{t['rule_id']}: {t['produced']}")
    ev_rows = result.rows["events"]
    for s in doc.sentences:
        lines.append("")
        lines.append(f"[{s.index}] {s.start}-{s.end} {s.text}")
        for entry in by_sentence.get(s.index, []):
            lines.append(f"    fired  {entry}")
        for row in ev_rows:
            if row["char_start"] == s.start:
                lines.append(f"    event  {row['event_id']} {row['summary']} (date {row['date_basis']}"
                             f"{': ' + repr(row['date_text']) if row['date_text'] else ''})")
        for row in result.rows["affiliations"]:
            if s.start <= row["char_start"] < s.end:
                lines.append(f"    affil  {row['subject_id']} {row['relation']} {row['object_id']}"
                             f"{' (' + row['title'] + ')' if row['title'] else ''}")
        for row in result.rows["amounts"]:
            if s.start <= row["char_start"] < s.end:
                usd = "" if row["currency"] == "USD" else (
                    f" (US${row['value_usd']:,.2f} at {row['usd_rate_id']})" if row["usd_rate_id"] else " (no rate)")
                lines.append(f"    amount {row['text']!r} = {row['value']:g} {row['currency']}{usd} -> {row['event_id']}")
    return "\n".join(lines)


def add_article(file: Path, title: str, published: str, seeds_dir: Path, publisher: str | None,
                url: str | None, language: str, original_publisher: str | None,
                article_id: str | None, retrieved: str | None = None) -> Path:
    """Copy a text into seeds/ byte for byte and write its checked metadata."""
    if not file.is_file():
        raise UserError(f"{file}: no such file")
    data = file.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{file}: byte {exc.start} is not UTF-8; convert the text to UTF-8 first") from None
    if not valid_edtf(published):
        raise UserError(f"--published {published!r} is not an ISO or EDTF date; write e.g. 2023-07-16")
    aid = article_id or f"{published[:10]}-{slugify(title)[:60]}".strip("-").lower()
    aid = re.sub(r"[^a-z0-9-]", "-", aid)
    if not article_id_pattern().match(aid):
        raise UserError(f"article id {aid!r} must match {article_id_pattern().pattern}; pass --id")
    txt, meta = seeds_dir / f"{aid}.txt", seeds_dir / f"{aid}.yaml"
    if txt.exists() or meta.exists():
        raise UserError(f"{txt}: an article with this id exists; pass --id to choose another")
    record = {"title": title, "publisher": publisher or "unknown", "published": published,
              "language": language}
    if retrieved:
        record["retrieved"] = retrieved
    if original_publisher:
        record["original_publisher"] = original_publisher
    if url:
        record["url"] = url
    seeds_dir.mkdir(parents=True, exist_ok=True)
    tmp_meta = seeds_dir / f".{aid}.yaml.tmp"
    tmp_meta.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        parse_metadata(tmp_meta)
    except UserError:
        tmp_meta.unlink()
        raise
    txt.write_bytes(data)
    tmp_meta.replace(meta)
    return txt
