"""Compile the checked rules files into the :class:`RuleSet` the extraction stages read.

The files are read (and checked against their schemas) by :mod:`.load` first, so
a build reports every schema problem of every file at once. What a schema
cannot say (a trigger whose type the file does not define, a disambiguation
rule naming an actor the gazetteer lacks, a regular expression that does not
compile) is refused here, as ``file:line: what; fix``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError, ValidationFailed
from ..extract.actors import ChoiceRule, Disambiguation, OrgPattern
from ..extract.coref import NominalRule
from ..extract.cuefile import CueFile
from ..extract.dates import DateGrammar
from ..extract.event_model import AttachRule, EventRules, TriggerRule, TypeInfo
from ..extract.fx import ExchangeRates, load_exchange_rates
from ..extract.gazetteer import Gazetteer
from ..extract.grammar import Grammar, load_grammar
from ..extract.ingest import BoilerplateRules
from ..extract.lexicon import Lexicon, load_lexicon
from ..extract.money import MoneyGrammar
from ..extract.prefilter import CueIndex
from ..extract.relations import RelationRule
from ..extract.titles import Title, TitleRules
from .gazetteer import build_gazetteer
from .load import GAZETTEER, check_rules_dir


@dataclass
class RuleSet:
    boilerplate: BoilerplateRules
    gazetteer: Gazetteer
    disambiguation: dict[str, Disambiguation]
    organisations: list[OrgPattern]
    org_not_first: frozenset[str]
    titles: TitleRules
    relations: list[RelationRule]
    relation_inverse: dict[str, str]  # relations recorded the other way round (relations.yaml)
    nominal: list[NominalRule]
    executives: list[tuple[str, re.Pattern[str]]]
    descriptors: list[tuple[str, str, re.Pattern[str], re.Pattern[str] | None]]
    events: EventRules
    money: MoneyGrammar
    exchange_rates: ExchangeRates
    grammar: Grammar
    lexicon: Lexicon
    source_dir: Path
    # The cue words of the patterns tried on every sentence (see extract/prefilter.py).
    cues: CueIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.cues = CueIndex(rx for _, rx in rule_patterns(self))


def rule_patterns(r: RuleSet) -> list[tuple[str, re.Pattern[str]]]:
    """The patterns tried sentence by sentence that the keyword pass selects from, with the
    file and id of the rule of each."""
    return [*((f"triggers.yaml {t.rule_id}", t.regex) for t in r.events.triggers),
            *((f"triggers.yaml {a.rule_id}", a.regex) for a in r.events.attach),
            *((f"dates.yaml {rid}", rx) for rid, rx in r.events.dates.patterns),
            *((f"coreference.yaml nominal {n.rule_id}", n.regex) for n in r.nominal),
            *((f"coreference.yaml descriptors {d[0]}", d[2]) for d in r.descriptors),
            *((f"organisations.yaml {o.rule_id}", o.regex) for o in r.organisations)]


def compile_regex(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise UserError(f"{where}: regular expression does not compile ({exc.msg}); fix it") from None


def load_boilerplate(path: Path, data: Any) -> BoilerplateRules:
    lines = []
    for entry in data.get("lines", []):
        rid = f"boilerplate.{entry['id']}"
        if "line" in entry:
            rx = re.compile(re.escape(entry["line"]))
        else:
            rx = compile_regex(entry["regex"], f"{path}:{entry.line}")
        lines.append((rid, rx))
    credits = data.get("credits", [])
    credit = None
    if credits:
        alt = "|".join(re.escape(c) for c in sorted(credits, key=len, reverse=True))
        credit = re.compile(rf"(?<=[.!?”\"’])\s+(?:{alt})\s*$")
    return BoilerplateRules(tuple(lines), credit)


def load_disambiguation(path: Path, data: Any, gaz: Gazetteer) -> dict[str, Disambiguation]:
    out = {}
    for entry in data.get("forms", []):
        rules = []
        for r in entry.get("rules", []):
            where = f"{path}:{r.line}"
            if r["actor"] not in gaz.actors:
                raise UserError(f"{where}: actor {r['actor']!r} is not in the gazetteer; add it or fix the id")
            rules.append(ChoiceRule(f"disambiguation.{r['id']}", r["actor"],
                                    compile_regex(r["before"], where) if r.get("before") else None,
                                    compile_regex(r["after"], where) if r.get("after") else None))
        if entry["default"] not in gaz.actors:
            raise UserError(f"{path}:{entry.line}: default {entry['default']!r} is not in the gazetteer; "
                            "add it or fix the id")
        out[entry["form"]] = Disambiguation(entry["form"], entry["default"], tuple(rules))
    # The rule's actors may claim the form without listing it as an alias ("Beijing" -> china).
    for form, d in out.items():
        ids = set(gaz.forms.get(form, ())) | {r.actor_id for r in d.rules} | {d.default}
        gaz.forms[form] = tuple(sorted(ids))
    gaz.build()
    return out


def load_titles(path: Path, data: Any, names_path: Path, names: Any) -> TitleRules:
    titles = [Title(str(t["id"]), str(t["title"]), tuple(str(f) for f in t["forms"]), tuple(t.get("org_types", [])))
              for t in data.get("titles", [])]
    rules = TitleRules(
        titles=titles,
        org_adjectives={str(k): str(v) for k, v in data.get("org_adjectives", {}).items()},
        org_references={str(k): tuple(v) for k, v in data.get("org_references", {}).items()},
        surnames=frozenset(str(s) for s in names.get("chinese_surnames", [])),
        not_names=frozenset(str(s) for s in names.get("not_names", [])),
    )
    rules.compile()
    syl = str(names.get("pinyin_syllable", "[a-z]+"))
    surnames = "|".join(sorted(rules.surnames, key=len, reverse=True))
    where = f"{names_path}:{names.key_lines.get('pinyin_syllable', 1)}"
    rules.name_shape = compile_regex(
        rf"(?<![\w’'-])(?:(?:[A-Z][a-z]+\s)?(?:{surnames})\s+[A-Z][a-z]+-[a-z]+"  # Hong Kong: "Simon Chan Sai-ming"
        rf"|(?:{surnames})\s+(?=[A-Z])(?i:{syl}){{1,2}})(?![\w’'-])", where)
    rules.pinyin_word = re.compile(rf"\s(?=[A-Z])(?i:{syl}){{1,2}}(?![\w’'-])")
    rules.not_after_name = re.compile(
        r"\s+(?:" + "|".join(re.escape(w) for w in names.get("not_after_name", [])) + r")\b")
    return rules


def load_relations(path: Path, data: Any) -> list[RelationRule]:
    """The relation rules, each written the way the text states it; a relation of
    ``recorded_inverse`` is compiled as its inverse (subject and object swapped)."""
    inverse = relation_inverse(data)
    out = []
    for r in data.get("relations", []):
        where = f"{path}:{r.line}"
        subject, obj = str(r["subject"]), str(r.get("object", ""))
        if obj and {subject, obj} != {"first", "second"}:
            raise UserError(f"{where}: subject and object must be first and second (one each); fix one of them")
        relation, modifier = r["relation"], str(r.get("modifier", "object"))
        if relation in inverse:
            other = {"first": "second", "second": "first"}[subject]
            # The mention that qualifies the other stays the one the rule names (by default the
            # object as written, which becomes the subject of the recorded row).
            modifier = other if modifier == "object" else modifier
            relation, subject = inverse[relation], other
        out.append(RelationRule(str(r["id"]), relation, compile_regex(r["between"], where),
                                subject, tuple(r.get("first_types", [])), tuple(r.get("second_types", [])),
                                compile_regex(r["after"], where) if r.get("after") else None, modifier))
    return out


def relation_inverse(data: Any) -> dict[str, str]:
    """relations.yaml ``recorded_inverse``: relations recorded the other way round
    (``subsidiary_of: owns``: "X is a subsidiary of Y" is the row "Y owns X")."""
    return {str(k): str(v) for k, v in (data.get("recorded_inverse") or {}).items()}


def load_descriptors(path: Path, data: Any) -> list[tuple[str, str, re.Pattern[str], re.Pattern[str] | None]]:
    out = []
    for r in data.get("descriptors", []):
        where = f"{path}:{r.line}"
        unless = compile_regex(r["unless_named"], where) if r.get("unless_named") else None
        out.append((str(r["id"]), str(r["actor"]), compile_regex(r["pattern"], where, re.IGNORECASE), unless))
    return out


def load_coreference(path: Path, data: Any) -> tuple[list[NominalRule], list[tuple[str, re.Pattern[str]]]]:
    nominal = [NominalRule(str(r["id"]), compile_regex(r["pattern"], f"{path}:{r.line}", re.IGNORECASE),
                           tuple(r["types"]), int(r.get("window", 3)),
                           tuple(r.get("exclude", [])), tuple(r.get("prefer", [])), bool(r.get("unique", False)))
               for r in data.get("nominal", [])]
    executives = [(str(r["id"]), compile_regex(r["pattern"], f"{path}:{r.line}"))
                  for r in data.get("executives", [])]
    return nominal, executives


def load_organisations(path: Path, data: Any) -> tuple[list[OrgPattern], frozenset[str]]:
    pats = [OrgPattern(str(p["id"]), str(p["type"]), compile_regex(p["regex"], f"{path}:{p.line}"),
                       int(p.get("name", 1)))
            for p in data.get("patterns", [])]
    return pats, frozenset(str(w) for w in data.get("not_first", []))


def load_triggers(path: Path, data: Any, dates: DateGrammar) -> EventRules:
    types = {name: TypeInfo(info.get("cameo"), info.get("plover"), info.get("planned_cameo"),
                            tuple(info.get("authorities", ())), info.get("post_organisation"))
             for name, info in data.get("types", {}).items()}
    parts = {k: str(v) for k, v in data.get("parts", {}).items()}
    triggers = []
    for t in data.get("triggers", []):
        where = f"{path}:{t.line}"
        if t["type"] not in types:
            raise UserError(f"{where}: type {t['type']!r} is not defined under types:; "
                            f"use one of {', '.join(types)} or define it")
        pattern = str(t["pattern"])
        for k, v in parts.items():
            pattern = pattern.replace("{" + k + "}", v)
        triggers.append(TriggerRule(
            f"trigger.{t['id']}", t["type"], compile_regex(pattern, where, re.IGNORECASE),
            t.get("subject"), t.get("object"), dict(t.get("preps", {})), t.get("passive"),
            bool(t.get("each", False)), t.get("cameo"), t.get("plover"), t.get("modality")))
    attach = [AttachRule(str(a["id"]), compile_regex(a["pattern"], f"{path}:{a.line}", re.IGNORECASE),
                         str(a["role"]), tuple(a["types"]), str(a.get("side", "object")))
              for a in data.get("attach", [])]
    return EventRules(types, triggers, attach, dates)


def load_dates(path: Path, data: Any) -> DateGrammar:
    g = DateGrammar(
        weekdays=list(data.get("weekdays", [])), months=list(data.get("months", [])),
        month_abbr={str(k): int(v) for k, v in data.get("month_abbreviations", {}).items()},
        year_parts={str(k): (int(v[0]), int(v[1])) for k, v in data.get("year_parts", {}).items()},
        rel_pub=dict(data.get("relative_to_publication", {})),
        rel_ref=dict(data.get("relative_to_reference", {})),
    )
    g.compile(CueFile(path, data))
    return g


def load_money(path: Path, data: Any) -> MoneyGrammar:
    g = MoneyGrammar({str(k): str(v) for k, v in data.get("prefixes", {}).items()},
                     {str(k): str(v) for k, v in data.get("suffixes", {}).items()},
                     {str(k): int(v) for k, v in data.get("scales", {}).items()},
                     [str(a) for a in data.get("approximators", [])])
    g.compile(CueFile(path, data))
    return g


def _safe_rules(rules_dir: Path) -> dict[Path, Any]:
    """Every rules file's checked data; refused, with every problem at once, when any file has a
    schema problem or anything ``lint-rules`` calls unsafe to run (with the same messages)."""
    from ..lint import unsafe_rule_problems  # lint reads rules through this package

    files, problems = check_rules_dir(rules_dir)
    problems += unsafe_rule_problems(rules_dir, files)
    if problems:
        raise ValidationFailed(problems)
    return files


def load_rules(rules_dir: Path) -> RuleSet:
    """Read, check and compile every rules file in ``rules_dir``."""
    if not rules_dir.is_dir():
        raise UserError(f"{rules_dir}: rules directory does not exist; pass --rules DIR")
    if not (rules_dir / GAZETTEER).is_dir():
        raise UserError(f"{rules_dir / GAZETTEER}: gazetteer directory is missing; restore rules/gazetteer/")
    files = _safe_rules(rules_dir)

    def path(name: str) -> Path:
        return rules_dir / f"{name}.yaml"

    def data(name: str) -> Any:
        return files[path(name)]

    gaz = build_gazetteer({p: d for p, d in files.items() if p.parent.name == GAZETTEER})
    orgs, not_first = load_organisations(path("organisations"), data("organisations"))
    nominal, executives = load_coreference(path("coreference"), data("coreference"))
    dates = load_dates(path("dates"), data("dates"))
    return RuleSet(
        boilerplate=load_boilerplate(path("boilerplate"), data("boilerplate")),
        gazetteer=gaz,
        disambiguation=load_disambiguation(path("disambiguation"), data("disambiguation"), gaz),
        organisations=orgs,
        org_not_first=not_first,
        titles=load_titles(path("titles"), data("titles"), path("names"), data("names")),
        relations=load_relations(path("relations"), data("relations")),
        relation_inverse=relation_inverse(data("relations")),
        nominal=nominal,
        executives=executives,
        descriptors=load_descriptors(path("coreference"), data("coreference")),
        events=load_triggers(path("triggers"), data("triggers"), dates),
        money=load_money(path("money"), data("money")),
        exchange_rates=load_exchange_rates(path("exchange_rates"), data("exchange_rates")),
        grammar=load_grammar(path("grammar"), data("grammar"), path("settings"), data("settings"),
                             [*dates.weekdays, *dates.months, *dates.month_abbr]),
        lexicon=load_lexicon(*(CueFile(path(n), data(n))
                               for n in ("boilerplate", "disambiguation", "organisations", "names", "titles"))),
        source_dir=rules_dir,
    )
