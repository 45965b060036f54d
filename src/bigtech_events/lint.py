"""``lint-rules``: find curator mistakes in rules/ before they reach a build.

Reports, each as ``file:line: problem; fix``: duplicate ids, a surface form
claimed by two actors with no disambiguation rule, unknown types, roles,
relations or codes, references to ids that do not exist, patterns that
cannot match (an unfilled ``{part}``, a form padded with spaces), regular
expressions that do not compile or can backtrack catastrophically (nested
unbounded repeats).
"""

from __future__ import annotations

import re
from pathlib import Path
from re import _constants as sre_constants  # the stdlib regex parser (public alias deprecated)
from re import _parser as sre_parse
from typing import Any

import yaml

from .errors import UserError
from .extract.gazetteer import ACTOR_TYPES
from .extract.grammar import load_grammar
from .extract.rules import EVENT_TYPES, RELATIONS, ROLES, load_dates

PLOVER = {"SUPPORT", "CONSULT", "AGREE", "SANCTION", "COOPERATE", "ACCUSE", "COERCE", "RETREAT", None}
CAMEO = re.compile(r"^\d{2,4}$")
UNBOUNDED = sre_constants.MAXREPEAT


class _LineLoader(yaml.SafeLoader):
    """Safe loader that records the line of every mapping as ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load(path: Path, problems: list[str]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except FileNotFoundError:
        problems.append(f"{path}:1: file is missing; restore it")
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        problems.append(f"{path}:{line}: not valid YAML; fix the syntax")
    return None


def nested_unbounded(pattern: str) -> bool:
    """True when an unbounded repeat contains another unbounded repeat: (a+)+, (\\w+\\s?)*."""

    def walk(items: Any, inside: bool) -> bool:
        for op, av in items:
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
                _lo, hi, sub = av
                unbounded = hi == UNBOUNDED
                if unbounded and inside:
                    return True
                if walk(sub, inside or unbounded):
                    return True
            elif op == sre_constants.SUBPATTERN:
                if walk(av[-1], inside):
                    return True
            elif op == sre_constants.BRANCH:
                if any(walk(b, inside) for b in av[1]):
                    return True
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) and walk(av[1], inside):
                return True
        return False

    try:
        return walk(sre_parse.parse(pattern), False)
    except (re.error, sre_constants.error):
        return False


def check_regex(pattern: Any, where: str, problems: list[str], flags: int = 0, context: bool = False) -> None:
    """Compile, placeholder, backtracking and empty-match checks (``context`` regexes that test the
    text around a form may match the empty string)."""
    if not isinstance(pattern, str):
        problems.append(f"{where}: pattern must be text; quote it")
        return
    leftover = re.findall(r"(?<!\\)\{([a-z_]+)\}", pattern)
    if leftover:
        problems.append(f"{where}: {{{leftover[0]}}} is not a defined part, so the pattern cannot match; "
                        "define it under parts: or fix the name")
        return
    try:
        re.compile(pattern, flags)
    except re.error as exc:
        problems.append(f"{where}: regular expression does not compile ({exc.msg}); fix it")
        return
    if nested_unbounded(pattern):
        problems.append(f"{where}: nested unbounded repeats can backtrack catastrophically; "
                        "bound the inner or outer repeat (e.g. {0,4})")
    if not context and re.compile(pattern, flags).match(""):
        problems.append(f"{where}: pattern matches the empty string, so it fires everywhere; require some text")


def _dupes(entries: list[dict[str, Any]], key: str, path: Path, problems: list[str], what: str) -> None:
    seen: dict[Any, int] = {}
    for e in entries:
        if not isinstance(e, dict) or key not in e:
            continue
        if e[key] in seen:
            problems.append(f"{path}:{e['__line__']}: duplicate {what} {e[key]!r} (first at line "
                            f"{seen[e[key]]}); give it another id or merge the entries")
        else:
            seen[e[key]] = e["__line__"]


def lint_gazetteer(rules: Path, problems: list[str]) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    actors: dict[str, dict[str, Any]] = {}
    forms: dict[str, list[str]] = {}
    where_of: dict[str, str] = {}
    for path in sorted((rules / "gazetteer").glob("*.yaml")):
        data = _load(path, problems) or {}
        for e in data.get("actors") or []:
            line = f"{path}:{e.get('__line__', 1)}"
            aid = e.get("id")
            if not aid:
                problems.append(f"{line}: actor without an id; add one")
                continue
            if aid in actors:
                problems.append(f"{line}: duplicate actor id {aid!r} (also at {where_of[aid]}); choose another id")
                continue
            actors[aid], where_of[aid] = e, line
            if e.get("type") not in ACTOR_TYPES:
                problems.append(f"{line}: unknown actor type {e.get('type')!r}; use one of {', '.join(ACTOR_TYPES)}")
            if e.get("kind") is not None and e["kind"] != "product":
                problems.append(f"{line}: unknown kind {e['kind']!r}; the only kind is product")
            if e.get("wikidata") is not None and not re.fullmatch(r"Q[1-9]\d*", str(e["wikidata"])):
                problems.append(f"{line}: wikidata {e['wikidata']!r} is not a Q-id; fix or remove it")
            for form in [e.get("name"), *(e.get("aliases") or [])]:
                if not isinstance(form, str) or not form.strip():
                    problems.append(f"{line}: empty name or alias; remove it")
                    continue
                if form != form.strip():
                    problems.append(f"{line}: alias {form!r} has surrounding spaces and cannot match; trim it")
                forms.setdefault(form, [])
                if aid not in forms[form]:
                    forms[form].append(aid)
    for aid, e in actors.items():
        for r in e.get("relations") or []:
            if r.get("relation") not in RELATIONS:
                problems.append(f"{where_of[aid]}: unknown relation {r.get('relation')!r}; use one of {', '.join(RELATIONS)}")
            if r.get("object") not in actors:
                problems.append(f"{where_of[aid]}: relation object {r.get('object')!r} is not a gazetteer id")
        if e.get("based_in") and e["based_in"] not in actors:
            problems.append(f"{where_of[aid]}: based_in {e['based_in']!r} is not a gazetteer id")
        for p in e.get("posts") or []:
            if p.get("org") not in actors:
                problems.append(f"{where_of[aid]}: post org {p.get('org')!r} is not a gazetteer id")
    return actors, forms


def lint_rules(rules: Path) -> list[str]:
    problems: list[str] = []
    actors, forms = lint_gazetteer(rules, problems)
    dis_path = rules / "disambiguation.yaml"
    dis = _load(dis_path, problems) or {}
    decided = set()
    for e in dis.get("forms") or []:
        decided.add(e.get("form"))
        for r in e.get("rules") or []:
            if r.get("actor") not in actors:
                problems.append(f"{dis_path}:{r.get('__line__', 1)}: actor {r.get('actor')!r} is not a gazetteer id")
            for k in ("before", "after"):
                if k in r:
                    check_regex(r[k], f"{dis_path}:{r['__line__']}", problems, context=True)
        if e.get("default") not in actors:
            problems.append(f"{dis_path}:{e.get('__line__', 1)}: default {e.get('default')!r} is not a gazetteer id")
    for form, ids in sorted(forms.items()):
        if len(ids) > 1 and form not in decided:
            problems.append(f"{rules / 'gazetteer'}: alias {form!r} is claimed by {', '.join(ids)} with no rule "
                            f"to choose; add it to {dis_path.name} or remove it from all but one")
    _lint_triggers(rules / "triggers.yaml", problems)
    _lint_list(rules / "titles.yaml", "titles", "id", problems)
    _lint_titles(rules / "titles.yaml", problems)
    for name, key, fields, flags in (("relations.yaml", "relations", ("between",), 0),
                                     ("coreference.yaml", "nominal", ("pattern",), re.IGNORECASE),
                                     ("organisations.yaml", "patterns", ("regex",), 0),
                                     ("boilerplate.yaml", "lines", ("regex",), 0)):
        entries = _lint_list(rules / name, key, "id", problems)
        for e in entries:
            for f in fields:
                if f in e:
                    check_regex(e[f], f"{rules / name}:{e['__line__']}", problems, flags)
            if name == "organisations.yaml" and e.get("type") not in ACTOR_TYPES:
                problems.append(f"{rules / name}:{e['__line__']}: unknown actor type {e.get('type')!r}")
            if name == "relations.yaml" and e.get("modifier", "object") not in ("first", "second", "object"):
                problems.append(f"{rules / name}:{e['__line__']}: modifier must be first, second or object")
            if name == "relations.yaml" and e.get("relation") not in RELATIONS:
                problems.append(f"{rules / name}:{e['__line__']}: unknown relation {e.get('relation')!r}; "
                                f"use one of {', '.join(RELATIONS)}")
            for tkey in ("types", "first_types", "second_types"):
                for t in e.get(tkey) or []:
                    if t not in ACTOR_TYPES:
                        problems.append(f"{rules / name}:{e['__line__']}: unknown actor type {t!r}")
    _lint_grammars(rules, problems)
    _lint_cues(rules, problems)
    return problems


def _lint_cues(rules: Path, problems: list[str]) -> None:
    """grammar.yaml and settings.yaml: the loader's check (first problem only)."""
    try:
        dates = load_dates(rules / "dates.yaml")
        load_grammar(rules, [*dates.weekdays, *dates.months, *dates.month_abbr])
    except UserError as exc:
        problems.append(str(exc))


def _lint_grammars(rules: Path, problems: list[str]) -> None:
    money = _load(rules / "money.yaml", problems) or {}
    for key in ("prefixes", "suffixes"):
        for form, code in (money.get(key) or {}).items():
            if form != "__line__" and not re.fullmatch(r"[A-Z]{3}", str(code)):
                problems.append(f"{rules / 'money.yaml'}:{money.get('__line__', 1)}: {key}: {form!r} maps to "
                                f"{code!r}, not an ISO 4217 code")
    for word, mult in (money.get("scales") or {}).items():
        if word != "__line__" and (not isinstance(mult, int) or mult <= 0):
            problems.append(f"{rules / 'money.yaml'}: scales: {word!r} must be a positive whole number")
    dates = _load(rules / "dates.yaml", problems) or {}
    if len(dates.get("weekdays") or []) != 7 or len(dates.get("months") or []) != 12:
        problems.append(f"{rules / 'dates.yaml'}:1: weekdays must list 7 names and months 12")
    names = _load(rules / "names.yaml", problems) or {}
    if "pinyin_syllable" in names:
        check_regex(names["pinyin_syllable"], f"{rules / 'names.yaml'}: pinyin_syllable", problems)


def _lint_list(path: Path, key: str, id_key: str, problems: list[str]) -> list[dict[str, Any]]:
    data = _load(path, problems) or {}
    entries = [e for e in data.get(key) or [] if isinstance(e, dict)]
    _dupes(entries, id_key, path, problems, "id")
    return entries


def _lint_titles(path: Path, problems: list[str]) -> None:
    data = _load(path, problems) or {}
    seen: dict[str, int] = {}
    for t in data.get("titles") or []:
        for form in t.get("forms") or []:
            if form in seen:
                problems.append(f"{path}:{t['__line__']}: title form {form!r} is also at line {seen[form]}; "
                                "keep it in one title")
            seen[form] = t["__line__"]
        for ty in t.get("org_types") or []:
            if ty not in ACTOR_TYPES:
                problems.append(f"{path}:{t['__line__']}: unknown actor type {ty!r} in org_types")


def _lint_triggers(path: Path, problems: list[str]) -> None:
    data = _load(path, problems) or {}
    types = data.get("types") or {}
    for name, info in types.items():
        if name == "__line__":
            continue
        if name not in EVENT_TYPES:
            problems.append(f"{path}:{info.get('__line__', 1)}: unknown event type {name!r}; use one of "
                            f"{', '.join(EVENT_TYPES)}")
        _codes(info, f"{path}:{info.get('__line__', 1)}", problems)
    parts = {k: v for k, v in (data.get("parts") or {}).items() if k != "__line__"}
    triggers = [t for t in data.get("triggers") or [] if isinstance(t, dict)]
    _dupes(triggers, "id", path, problems, "trigger id")
    for t in triggers:
        where = f"{path}:{t['__line__']}"
        if t.get("type") not in EVENT_TYPES:
            problems.append(f"{where}: unknown event type {t.get('type')!r}; use one of {', '.join(EVENT_TYPES)}")
        pattern = str(t.get("pattern", ""))
        for k, v in parts.items():
            pattern = pattern.replace("{" + k + "}", str(v))
        check_regex(pattern, where, problems, re.IGNORECASE)
        roles = [t.get("subject"), t.get("object"), *((t.get("preps") or {}).values()),
                 *((t.get("passive") or {}).values())]
        for role in roles:
            if role is not None and role not in ROLES and not isinstance(role, int):
                problems.append(f"{where}: unknown role {role!r}; use one of {', '.join(ROLES)}")
        _codes(t, where, problems)
    attach = [a for a in data.get("attach") or [] if isinstance(a, dict)]
    _dupes(attach, "id", path, problems, "attach id")
    for a in attach:
        where = f"{path}:{a['__line__']}"
        check_regex(a.get("pattern"), where, problems, re.IGNORECASE)
        if a.get("role") not in ROLES:
            problems.append(f"{where}: unknown role {a.get('role')!r}; use one of {', '.join(ROLES)}")
        for t in a.get("types") or []:
            if t not in EVENT_TYPES:
                problems.append(f"{where}: unknown event type {t!r} in types")
        if a.get("side", "object") not in ("object", "subject"):
            problems.append(f"{where}: side must be object or subject")


def _codes(entry: dict[str, Any], where: str, problems: list[str]) -> None:
    cameo = entry.get("cameo")
    if cameo is not None and not CAMEO.match(str(cameo)):
        problems.append(f"{where}: CAMEO code {cameo!r} is not 2-4 digits; quote it as text, e.g. \"057\"")
    if "plover" in entry and entry["plover"] not in PLOVER:
        problems.append(f"{where}: unknown PLOVER type {entry['plover']!r}; use one of "
                        f"{', '.join(sorted(p for p in PLOVER if p))}")
