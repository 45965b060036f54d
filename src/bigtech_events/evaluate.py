"""Score extracted rows against hand-annotated articles (a curator's yardstick).

An annotated article is ``<id>.txt`` plus ``<id>.yaml`` holding the seed
metadata and an ``expected`` block (actors, affiliations, events with
participants and dates, amounts), the format of ``tests/fixtures/synthetic``.
Names in ``expected`` are matched to extracted actors through their name,
aliases and the words of their mentions.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .build import build, write_package
from .dates import edtf_bounds
from .errors import UserError
from .paths import project_path
from .progress import track
from .schemas import load_schemas
from .tableio import read_parquet

SEED_KEYS = ("title", "publisher", "original_publisher", "url", "published", "language", "retrieved", "notes")
CATEGORIES = ("actors", "affiliations", "events", "participants", "event_dates", "amounts")


@dataclass
class Score:
    tp: Counter = field(default_factory=Counter)
    expected: Counter = field(default_factory=Counter)
    produced: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.tp.update(other.tp)
        self.expected.update(other.expected)
        self.produced.update(other.produced)
        self.misses.extend(other.misses)

    def recall(self, cat: str) -> float:
        return self.tp[cat] / self.expected[cat] if self.expected[cat] else 1.0

    def precision(self, cat: str) -> float:
        return self.tp[cat] / self.produced[cat] if self.produced[cat] else 1.0


def prepare_seeds(annotated: Path, seeds: Path) -> dict[str, dict[str, Any]]:
    """Copy annotated articles to a seeds directory; return their expected rows by article id."""
    expected = {}
    for txt in sorted(annotated.glob("*.txt")):
        meta = yaml.safe_load(txt.with_suffix(".yaml").read_text(encoding="utf-8"))
        article_id = txt.stem.lower()
        shutil.copyfile(txt, seeds / f"{article_id}.txt")
        seed = {k: str(meta[k]) if k != "notes" else meta[k] for k in SEED_KEYS if k in meta}
        (seeds / f"{article_id}.yaml").write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
        expected[article_id] = meta.get("expected") or {}
    return expected


def load_tables(root: Path) -> dict[str, pd.DataFrame]:
    schemas = load_schemas()
    out = {}
    for table, schema in schemas.items():
        df, problems = read_parquet(root / "dataset" / f"{table}.parquet", schema)
        if df is None:
            raise UserError(f"{table}: {problems[0] if problems else 'unreadable'}")
        out[table] = df
    return out


def evaluate_dir(annotated: Path, rules_dir: Path | None = None,
                 validate: bool = False) -> tuple[Score, dict[str, Score]]:
    """Build the annotated articles as a package (validated when ``validate``) and score it.

    ``rules_dir`` defaults to the project's ``rules/``.
    """
    rules_dir = rules_dir or project_path("rules")
    if not annotated.is_dir():
        raise UserError(f"{annotated}: not a directory of annotated articles")
    with tempfile.TemporaryDirectory(prefix="bigtech-eval-") as tmp:
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        expected = prepare_seeds(annotated, seeds)
        out = Path(tmp) / "pkg"
        if validate:
            build(seeds, rules_dir, out, jobs=1, run_frictionless=False)
        else:
            write_package(out, seeds, rules_dir)
        tables = load_tables(out)
    total, per = Score(), {}
    for article_id, exp in track(expected.items(), "scoring articles"):
        s = score_article(article_id, exp, tables)
        per[article_id] = s
        total.add(s)
    return total, per


def _names(tables: dict[str, pd.DataFrame], article_id: str) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    mentions = tables["mentions"][tables["mentions"]["article_id"] == article_id]
    here = set(mentions["actor_id"])
    for row in tables["actors"].itertuples(index=False):
        if row.actor_id in here:
            names.setdefault(_norm(row.name), set()).add(row.actor_id)
    for row in tables["actor_aliases"].itertuples(index=False):
        if row.actor_id in here:
            names.setdefault(_norm(row.alias), set()).add(row.actor_id)
    for row in mentions.itertuples(index=False):
        if row.resolution != "coreference":
            names.setdefault(_norm(row.text), set()).add(row.actor_id)
    return names


def _norm(name: str) -> str:
    name = name.replace("’", "'").strip()
    return name[4:] if name.lower().startswith("the ") else name


def score_article(article_id: str, exp: dict[str, Any], tables: dict[str, pd.DataFrame]) -> Score:
    s = Score()
    names = _names(tables, article_id)

    def ids(name: str) -> set[str]:
        return names.get(_norm(name), set())

    ours = set(tables["mentions"].loc[tables["mentions"]["article_id"] == article_id, "actor_id"])
    exp_actors = exp.get("actors") or []
    s.expected["actors"] += len(exp_actors)
    s.produced["actors"] += len(ours)
    matched_ours = set()
    for a in exp_actors:
        hit = ids(a["name"]) & ours
        if hit:
            s.tp["actors"] += 1
            matched_ours |= hit
        else:
            s.misses.append(f"{article_id}: actor {a['name']!r} not found")
    s.tp["actors"] = min(s.tp["actors"], len(matched_ours)) if ours else 0

    aff = tables["affiliations"][tables["affiliations"]["article_id"] == article_id]
    our_aff = {(r.subject_id, r.relation, r.object_id) for r in aff.itertuples(index=False)}
    exp_aff = {(a["subject"], a["relation"], a["object"]) for a in exp.get("affiliations") or []}
    s.expected["affiliations"] += len(exp_aff)
    s.produced["affiliations"] += len(our_aff)
    found_aff = set()
    for subj, rel, obj in exp_aff:
        hits = {(x, rel, y) for x in ids(subj) for y in ids(obj)} & our_aff
        if hits:
            found_aff |= hits
            s.tp["affiliations"] += 1
        else:
            s.misses.append(f"{article_id}: affiliation {subj} {rel} {obj} not found")
    s.tp["affiliations"] = min(s.tp["affiliations"], len(found_aff))

    _score_events(s, article_id, exp, tables, ids)
    _score_amounts(s, article_id, exp, tables)
    return s


def _score_events(s: Score, article_id: str, exp: dict[str, Any], tables: dict[str, pd.DataFrame], ids) -> None:
    events = tables["events"][tables["events"]["article_id"] == article_id]
    parts = tables["event_participants"]
    our = {}
    for ev in events.itertuples(index=False):
        ps = parts[parts["event_id"] == ev.event_id]
        our[ev.event_id] = (str(ev.event_type), str(ev.date), {(r.actor_id, str(r.role)) for r in ps.itertuples(index=False)})
    s.produced["events"] += len(our)
    s.produced["participants"] += sum(len(v[2]) for v in our.values())
    used: set[str] = set()
    for e in exp.get("events") or []:
        want = {(i, p["role"]) for p in e.get("participants", []) for i in (ids(p["name"]) or {f"?{p['name']}"})}
        want_actors = {a for a, _ in want}
        s.expected["events"] += 1
        s.expected["participants"] += len(e.get("participants", []))
        s.expected["event_dates"] += 1
        best, best_overlap = None, 0
        for eid, (etype, _date, ps) in our.items():
            if eid in used or etype != e["type"]:
                continue
            overlap = len({a for a, _ in ps} & want_actors) + (0.5 if _same_date(_date, str(e.get("date"))) else 0)
            if overlap > best_overlap and overlap >= 1:
                best, best_overlap = eid, overlap
        if best is None:
            s.misses.append(f"{article_id}: event {e['type']} {[p['name'] for p in e.get('participants', [])]} not found")
            continue
        used.add(best)
        s.tp["events"] += 1
        etype, date, ps = our[best]
        s.tp["participants"] += len(ps & want)
        for miss in want - ps:
            s.misses.append(f"{article_id}: {e['type']} participant {miss} missing or in another role")
        exp_date = str(e.get("date"))
        if _same_date(date, exp_date):
            s.tp["event_dates"] += 1
        else:
            s.misses.append(f"{article_id}: {e['type']} date {date} (expected {exp_date})")
    s.produced["event_dates"] = s.produced["events"]


def _same_date(ours: str, expected: str) -> bool:
    """Equal EDTF bounds ("2020-10/2020-12" equals "2020-10-01/2020-12-31"); "unknown" matches an
    open interval."""
    if expected == "unknown":
        return ours.startswith("..") or ours.endswith("..")
    try:
        return edtf_bounds(ours) == edtf_bounds(expected)
    except Exception:  # noqa: BLE001 - an expected date the EDTF parser refuses never matches
        return ours == expected


def _score_amounts(s: Score, article_id: str, exp: dict[str, Any], tables: dict[str, pd.DataFrame]) -> None:
    am = tables["amounts"][tables["amounts"]["article_id"] == article_id]
    ours = Counter((round(float(r.value), 2), r.currency) for r in am.itertuples(index=False))
    s.produced["amounts"] += sum(ours.values())
    for a in exp.get("amounts") or []:
        key = (round(float(a["value"]), 2), a["currency"])
        s.expected["amounts"] += 1
        if ours[key] > 0:
            ours[key] -= 1
            s.tp["amounts"] += 1
        else:
            s.misses.append(f"{article_id}: amount {a['text']!r} not found")


def report(total: Score, per: dict[str, Score]) -> str:
    lines = [f"{'category':<14}{'expected':>9}{'produced':>9}{'matched':>8}{'recall':>8}{'precision':>10}"]
    for cat in CATEGORIES:
        lines.append(f"{cat:<14}{total.expected[cat]:>9}{total.produced[cat]:>9}{total.tp[cat]:>8}"
                     f"{total.recall(cat):>8.2f}{total.precision(cat):>10.2f}")
    return "\n".join(lines)
