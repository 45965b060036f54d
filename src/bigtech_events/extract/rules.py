"""Load the curated rules in ``rules/`` (data files a curator edits) and compile them.

Any defect a curator can make is a one-line error naming the file and entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import UserError
from .actors import ChoiceRule, Disambiguation, OrgPattern
from .coref import NominalRule
from .dates import DateGrammar
from .events import AttachRule, EventRules, TriggerRule, TypeInfo
from .gazetteer import ACTOR_TYPES, Gazetteer, load_gazetteer
from .ingest import BoilerplateRules
from .lexicon import Lexicon, load_lexicon
from .money import MoneyGrammar
from .relations import RelationRule
from .titles import Title, TitleRules

EVENT_TYPES = ("agreement", "meeting", "pledge", "praise", "penalty", "investment", "investigation",
               "regulation", "approval", "ban", "leadership_change")
ROLES = ("source", "target", "party", "attendee", "location", "none")
RELATIONS = ("position", "affiliate_of", "subsidiary_of", "owns", "based_in", "part_of")


@dataclass
class RuleSet:
    boilerplate: BoilerplateRules
    gazetteer: Gazetteer
    disambiguation: dict[str, Disambiguation]
    organisations: list[OrgPattern]
    org_not_first: frozenset[str]
    unit_suffixes: frozenset[str]
    titles: TitleRules
    relations: list[RelationRule]
    nominal: list[NominalRule]
    executives: list[tuple[str, re.Pattern[str]]]
    descriptors: list[tuple[str, str, re.Pattern[str], re.Pattern[str] | None]]
    events: EventRules
    money: MoneyGrammar
    source_dir: Path
    lexicon: Lexicon


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: rule file is missing; restore it from the repository") from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        raise UserError(f"{path}:{line}: not valid YAML; fix the syntax") from None


def compile_regex(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise UserError(f"{where}: regular expression does not compile ({exc.msg}); fix it") from None


def _key(k: Any) -> str:
    """YAML 1.1 reads the bare key `on` as True: take it back as the word."""
    return {True: "on", False: "off"}.get(k, str(k)) if isinstance(k, bool) else str(k)


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    if not isinstance(entry, dict) or key not in entry:
        raise UserError(f"{where}: required key {key!r} is missing")
    return entry[key]


def load_boilerplate(path: Path) -> BoilerplateRules:
    data = read_yaml(path) or {}
    lines = []
    for i, entry in enumerate(data.get("lines", []), 1):
        where = f"{path}: lines[{i}]"
        rid = f"boilerplate.{_need(entry, 'id', where)}"
        if "line" in entry:
            rx = re.compile(re.escape(entry["line"]))
        else:
            rx = compile_regex(_need(entry, "regex", where), where)
        lines.append((rid, rx))
    credits = data.get("credits", [])
    credit = None
    if credits:
        alt = "|".join(re.escape(c) for c in sorted(credits, key=len, reverse=True))
        credit = re.compile(rf"(?<=[.!?”\"’])\s+(?:{alt})\s*$")
    return BoilerplateRules(tuple(lines), credit)


def load_disambiguation(path: Path, gaz: Gazetteer) -> dict[str, Disambiguation]:
    data = read_yaml(path) or {}
    out = {}
    for i, entry in enumerate(data.get("forms", []), 1):
        where = f"{path}: forms[{i}]"
        form = _need(entry, "form", where)
        default = _need(entry, "default", where)
        rules = []
        for j, r in enumerate(entry.get("rules", []), 1):
            w = f"{where}.rules[{j}]"
            actor = _need(r, "actor", w)
            if actor not in gaz.actors:
                raise UserError(f"{w}: actor {actor!r} is not in the gazetteer")
            rules.append(ChoiceRule(f"disambiguation.{_need(r, 'id', w)}", actor,
                                    compile_regex(r["before"], w) if r.get("before") else None,
                                    compile_regex(r["after"], w) if r.get("after") else None))
        if default not in gaz.actors:
            raise UserError(f"{where}: default {default!r} is not in the gazetteer")
        out[form] = Disambiguation(form, default, tuple(rules))
    # The rule's actors may claim the form without listing it as an alias ("Beijing" -> china).
    for form, d in out.items():
        ids = set(gaz.forms.get(form, ())) | {r.actor_id for r in d.rules} | {d.default}
        gaz.forms[form] = tuple(sorted(ids))
    gaz.build()
    return out


def load_titles(path: Path, names_path: Path) -> TitleRules:
    data = read_yaml(path) or {}
    names = read_yaml(names_path) or {}
    titles = []
    for i, t in enumerate(data.get("titles", []), 1):
        where = f"{path}: titles[{i}]"
        titles.append(Title(str(_need(t, "id", where)), str(_need(t, "title", where)),
                            tuple(str(f) for f in _need(t, "forms", where)),
                            tuple(t.get("org_types", []))))
    rules = TitleRules(
        titles=titles,
        qualifiers=[str(q) for q in data.get("qualifiers", [])],
        org_adjectives={str(k): str(v) for k, v in (data.get("org_adjectives") or {}).items()},
        org_references={str(k): tuple(v) for k, v in (data.get("org_references") or {}).items()},
        surnames=frozenset(str(s) for s in names.get("chinese_surnames", [])),
        not_names=frozenset(str(s) for s in names.get("not_names", [])),
    )
    rules.compile()
    syl = str(names.get("pinyin_syllable", "[a-z]+"))
    surnames = "|".join(sorted(rules.surnames, key=len, reverse=True))
    rules.name_shape = compile_regex(
        rf"(?<![\w’'-])(?:(?:[A-Z][a-z]+\s)?(?:{surnames})\s+[A-Z][a-z]+-[a-z]+"  # Hong Kong: "Simon Chan Sai-ming"
        rf"|(?:{surnames})\s+(?=[A-Z])(?i:{syl}){{1,2}})(?![\w’'-])", f"{names_path}: pinyin_syllable")
    rules.pinyin_word = re.compile(rf"\s(?=[A-Z])(?i:{syl}){{1,2}}(?![\w’'-])")
    rules.not_after_name = re.compile(
        r"\s+(?:" + "|".join(re.escape(w) for w in names.get("not_after_name", [])) + r")\b")
    return rules


def load_relations(path: Path) -> list[RelationRule]:
    data = read_yaml(path) or {}
    out = []
    for i, r in enumerate(data.get("relations", []), 1):
        where = f"{path}: relations[{i}]"
        relation = _need(r, "relation", where)
        if relation not in RELATIONS:
            raise UserError(f"{where}: relation {relation!r} is not one of {', '.join(RELATIONS)}")
        subject, obj = str(_need(r, "subject", where)), str(r.get("object", ""))
        if subject not in ("first", "second") or (obj and {subject, obj} != {"first", "second"}):
            raise UserError(f"{where}: subject and object must be first and second (one each)")
        modifier = str(r.get("modifier", "object"))
        if modifier not in ("first", "second", "object"):
            raise UserError(f"{where}: modifier must be first, second or object")
        out.append(RelationRule(str(_need(r, "id", where)), relation, compile_regex(_need(r, "between", where), where),
                                subject, tuple(r.get("first_types", [])),
                                tuple(r.get("second_types", [])),
                                compile_regex(r["after"], where) if r.get("after") else None, modifier))
    return out


def load_descriptors(path: Path) -> list[tuple[str, str, re.Pattern[str], re.Pattern[str] | None]]:
    data = read_yaml(path) or {}
    out = []
    for i, r in enumerate(data.get("descriptors", []) or [], 1):
        where = f"{path}: descriptors[{i}]"
        unless = compile_regex(r["unless_named"], where) if r.get("unless_named") else None
        out.append((str(_need(r, "id", where)), str(_need(r, "actor", where)),
                    compile_regex(_need(r, "pattern", where), where, re.IGNORECASE), unless))
    return out


def load_coreference(path: Path) -> tuple[list[NominalRule], list[tuple[str, re.Pattern[str]]]]:
    data = read_yaml(path) or {}
    nominal = []
    for i, r in enumerate(data.get("nominal", []), 1):
        where = f"{path}: nominal[{i}]"
        nominal.append(NominalRule(str(_need(r, "id", where)),
                                   compile_regex(_need(r, "pattern", where), where, re.IGNORECASE),
                                   tuple(_need(r, "types", where)), int(r.get("window", 3)),
                                   tuple(r.get("exclude", [])), tuple(r.get("prefer", []))))
    executives = [(str(_need(r, "id", f"{path}: executives[{i}]")),
                   compile_regex(_need(r, "pattern", f"{path}: executives[{i}]"), f"{path}: executives[{i}]"))
                  for i, r in enumerate(data.get("executives", []), 1)]
    return nominal, executives


def load_unit_suffixes(path: Path) -> frozenset[str]:
    return frozenset(str(w) for w in (read_yaml(path) or {}).get("unit_suffixes", []))


def load_organisations(path: Path) -> tuple[list[OrgPattern], frozenset[str]]:
    data = read_yaml(path) or {}
    pats = []
    for i, p in enumerate(data.get("patterns", []), 1):
        where = f"{path}: patterns[{i}]"
        pats.append(OrgPattern(str(_need(p, "id", where)), str(_need(p, "type", where)),
                               compile_regex(_need(p, "regex", where), where), int(p.get("name", 1))))
    return pats, frozenset(str(w) for w in data.get("not_first", []))


def load_triggers(path: Path, dates: DateGrammar) -> EventRules:
    data = read_yaml(path) or {}
    types = {}
    for name, info in (data.get("types") or {}).items():
        if name not in EVENT_TYPES:
            raise UserError(f"{path}: types: {name!r} is not an event type of the dataset")
        authorities = tuple(info.get("authorities") or ())
        for t in authorities:
            if t not in ACTOR_TYPES:
                raise UserError(f"{path}: types: {name}: authorities: {t!r} is not an actor type")
        types[name] = TypeInfo(info.get("cameo"), info.get("plover"), info.get("planned_cameo"), authorities)
    parts = {k: str(v) for k, v in (data.get("parts") or {}).items()}
    triggers = []
    for i, t in enumerate(data.get("triggers", []), 1):
        where = f"{path}: triggers[{i}]"
        etype = _need(t, "type", where)
        if etype not in types:
            raise UserError(f"{where}: type {etype!r} is not one of {', '.join(types)}")
        pattern = str(_need(t, "pattern", where))
        for k, v in parts.items():
            pattern = pattern.replace("{" + k + "}", v)
        preps = {_key(k): v for k, v in (t.get("preps") or {}).items()}
        for role in [t.get("subject"), t.get("object"), *preps.values(),
                     *(t.get("passive") or {}).values()]:
            if role is not None and role not in ROLES:
                raise UserError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
        triggers.append(TriggerRule(
            f"trigger.{_need(t, 'id', where)}", etype, compile_regex(pattern, where, re.IGNORECASE),
            t.get("subject"), t.get("object"), preps, t.get("passive"),
            bool(t.get("each", False)), t.get("cameo"), t.get("plover"), t.get("modality")))
    attach = []
    for i, a in enumerate(data.get("attach", []), 1):
        where = f"{path}: attach[{i}]"
        side = str(a.get("side", "object"))
        if side not in ("object", "subject"):
            raise UserError(f"{where}: side {side!r} must be object or subject")
        attach.append(AttachRule(str(_need(a, "id", where)), compile_regex(_need(a, "pattern", where), where, re.IGNORECASE),
                                 str(_need(a, "role", where)), tuple(_need(a, "types", where)), side))
    return EventRules(types, triggers, attach, dates)


def load_dates(path: Path) -> DateGrammar:
    d = read_yaml(path) or {}
    g = DateGrammar(
        weekdays=list(d.get("weekdays", [])), months=list(d.get("months", [])),
        month_abbr={str(k): int(v) for k, v in (d.get("month_abbreviations") or {}).items()},
        year_parts={str(k): (int(v[0]), int(v[1])) for k, v in (d.get("year_parts") or {}).items()},
        rel_pub=dict(d.get("relative_to_publication") or {}),
        rel_ref=dict(d.get("relative_to_reference") or {}),
    )
    g.compile(d, path)
    return g


def load_money(path: Path) -> MoneyGrammar:
    d = read_yaml(path) or {}
    g = MoneyGrammar({str(k): str(v) for k, v in (d.get("prefixes") or {}).items()},
                     {str(k): str(v) for k, v in (d.get("suffixes") or {}).items()},
                     {str(k): int(v) for k, v in (d.get("scales") or {}).items()},
                     [str(a) for a in d.get("approximators", [])])
    g.compile(d, path)
    return g


def load_rules(rules_dir: Path) -> RuleSet:
    if not rules_dir.is_dir():
        raise UserError(f"{rules_dir}: rules directory does not exist; pass --rules DIR")
    gaz = load_gazetteer(rules_dir / "gazetteer")
    orgs, not_first = load_organisations(rules_dir / "organisations.yaml")
    nominal, executives = load_coreference(rules_dir / "coreference.yaml")
    dates = load_dates(rules_dir / "dates.yaml")
    return RuleSet(
        boilerplate=load_boilerplate(rules_dir / "boilerplate.yaml"),
        gazetteer=gaz,
        disambiguation=load_disambiguation(rules_dir / "disambiguation.yaml", gaz),
        organisations=orgs,
        org_not_first=not_first,
        unit_suffixes=load_unit_suffixes(rules_dir / "organisations.yaml"),
        titles=load_titles(rules_dir / "titles.yaml", rules_dir / "names.yaml"),
        relations=load_relations(rules_dir / "relations.yaml"),
        nominal=nominal,
        executives=executives,
        descriptors=load_descriptors(rules_dir / "coreference.yaml"),
        events=load_triggers(rules_dir / "triggers.yaml", dates),
        money=load_money(rules_dir / "money.yaml"),
        source_dir=rules_dir,
        lexicon=load_lexicon(rules_dir),
    )
