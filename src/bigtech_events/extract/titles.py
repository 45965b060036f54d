"""People found by the post written before their name, and the posts as affiliations.

"Beijing mayor Yin Yong", "outgoing Alibaba chairman and CEO Daniel Zhang Yong",
"the city's party secretary Liu Jie", "Chinese premier Li Qiang", "company CEO Zhang".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from .actors import register_pattern_actor
from .gazetteer import Gazetteer
from .model import Affiliation, Doc, Mention

NAME_TOKEN = r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)?"
GOV_DEFAULT_TITLES = {"mayor", "vice mayor", "acting mayor", "governor", "vice governor", "party secretary"}


@dataclass(frozen=True)
class Title:
    title_id: str
    title: str
    forms: tuple[str, ...]
    org_types: tuple[str, ...]


@dataclass
class TitleRules:
    titles: list[Title]
    qualifiers: list[str]
    org_adjectives: dict[str, str]
    org_references: dict[str, tuple[str, ...]]
    surnames: frozenset[str]
    not_names: frozenset[str]
    regex: re.Pattern[str] | None = None
    by_form: dict[str, Title] | None = None
    name_shape: re.Pattern[str] | None = None
    pinyin_word: re.Pattern[str] | None = None
    not_after_name: re.Pattern[str] | None = None

    def compile(self) -> None:
        self.by_form = {f: t for t in self.titles for f in t.forms}
        forms = sorted(self.by_form, key=len, reverse=True)
        # Atomic: once a title form matched, a shorter one is not tried ("chief executive", not "chief").
        alt = "(?>" + "|".join(re.escape(f) for f in forms) + ")"
        titles = rf"(?:{alt})(?:\s*(?:,|and|&)\s*(?:{alt}))*"
        name = rf"{NAME_TOKEN}(?:\s+{NAME_TOKEN}){{0,2}}"
        self.regex = re.compile(rf"(?<![\w-])(?P<titles>{titles})\s+(?P<name>{name})")
        q = "|".join(re.escape(x) for x in sorted(self.qualifiers, key=len, reverse=True))
        self.qual_alt = q
        self.qual_end = re.compile(rf"(?<![\w-])(?P<q>{q})\s+$")
        self.title_split = re.compile(rf"(?:{alt})")


def surname_of(name: str, surnames: frozenset[str]) -> str:
    """The family name in an English-order or Chinese-order name ("Daniel Zhang Yong" -> Zhang)."""
    tokens = name.split()
    if tokens[0] in surnames:
        return tokens[0]
    if len(tokens) >= 2 and tokens[1] in surnames:
        return tokens[1]
    return tokens[-1]


def persons_so_far(doc: Doc, before: int) -> dict[str, str]:
    return {m.actor_id: doc.actors[m.actor_id]["name"] for m in doc.mentions
            if m.start < before and doc.actors.get(m.actor_id, {}).get("actor_type") == "person"}


def resolve_surname(doc: Doc, token: str, before: int, rules: TitleRules) -> str | None:
    """The person named earlier whose surname is ``token``. When several share it, the one the
    article introduced first (its protagonist, in news style) unless the surname is also the
    surname of the person named most recently in this or the previous sentence."""
    first_seen: dict[str, int] = {}
    for m in doc.mentions:
        if m.start < before and doc.actors.get(m.actor_id, {}).get("actor_type") == "person":
            name = doc.actors[m.actor_id]["name"]
            if len(name.split()) > 1 and surname_of(name, rules.surnames) == token:
                first_seen.setdefault(m.actor_id, m.start)
    if len(first_seen) <= 1:
        return next(iter(first_seen), None)
    return min(first_seen, key=first_seen.get)


def nearest_actor(doc: Doc, before: int, types: tuple[str, ...], window: int,
                  exclude: tuple[str, ...] = (), skip_modifiers: bool = False) -> Mention | None:
    sent = doc.sentence_of(before)
    for m in sorted(doc.mentions, key=lambda x: x.start, reverse=True):
        if m.end > before or m.sentence < sent - window:
            continue
        if skip_modifiers and (m.modifier or doc.text[m.end:m.end + 6] == "-based"):
            continue
        if doc.actors.get(m.actor_id, {}).get("actor_type") in types and m.actor_id not in exclude:
            return m
    return None


def find_titles(doc: Doc, rules: TitleRules, gaz: Gazetteer) -> None:
    assert rules.regex is not None and rules.by_form is not None
    for sent in doc.sentences:
        for m in rules.regex.finditer(doc.text, sent.start, sent.end):
            _one_title(doc, rules, gaz, sent.index, sent.start, m)
    appositive_titles(doc, rules)


def name_shape_persons(doc: Doc, rules: TitleRules, gaz: Gazetteer, rx: re.Pattern[str],
                       stop_after: re.Pattern[str]) -> None:
    """Chinese names no list has: a known surname and a pinyin given name ("Zhang Lidong")."""
    for sent in doc.sentences:
        for m in rx.finditer(doc.text, sent.start, sent.end):
            s, e = m.span()
            if doc.covered(s, e) or stop_after.match(doc.text[e:e + 30]):
                continue
            name = m.group(0)
            if any(tok in rules.not_names or tok in gaz.forms for tok in name.split()):
                continue
            actor_id = register_pattern_actor(doc, gaz, name, "person")
            doc.add_mention(Mention(s, e, name, actor_id, "name", "person.name-shape", sent.index))


def _org_appointed(doc: Doc, rules: TitleRules, appoints: re.Pattern[str], as_title: re.Pattern[str]) -> None:
    """"the People's Bank of China appointed Pan Gongsheng as governor": the post is at the appointer."""
    for sent in doc.sentences:
        ms = [m for m in doc.mentions if m.sentence == sent.index]
        for org, person in itertools.pairwise(ms):
            if (doc.actors.get(person.actor_id, {}).get("actor_type") != "person"
                    or doc.actors.get(org.actor_id, {}).get("actor_type") not in ("company", "agency", "government",
                                                                                   "party_body")
                    or not appoints.fullmatch(doc.text, org.end, person.start)):
                continue
            tm = as_title.match(doc.text, person.end)
            if not tm:
                continue
            titles = [rules.by_form[f.group(0)] for f in rules.title_split.finditer(tm.group("titles"))]
            if doc.actors[org.actor_id]["actor_type"] not in {ty for t in titles for ty in t.org_types}:
                continue
            title_text = " and ".join(dict.fromkeys(t.title for t in titles))
            doc.affiliations.append(Affiliation(person.actor_id, "position", org.actor_id, org.start, tm.end(),
                                                f"title.appointed-{titles[0].title_id}", sent.index,
                                                title_text, tm.group("q")))
            doc.note(sent.index, f"title.appointed-{titles[0].title_id}",
                     f"{person.actor_id} {title_text} of {org.actor_id}")


def _second_post(doc: Doc, rules: TitleRules, person: Mention, org: Mention, ms: list[Mention],
                 sent_idx: int, alt: str) -> None:
    """"X, a member of the Politburo and vice premier of the State Council": the second post."""
    more = re.compile(rf"\s+and\s+(?:the\s+|an?\s+)?(?P<titles>{alt}(?:\s*(?:,|and|&)\s*{alt})*)"
                      rf"\s+(?:of|at)\s+(?:the\s+)?")
    nxt = [m for m in ms if m.start >= org.end]
    if not nxt:
        return
    bm = more.fullmatch(doc.text, org.end, nxt[0].start)
    if not bm or doc.actors.get(nxt[0].actor_id, {}).get("actor_type") == "person":
        return
    titles = [rules.by_form[f.group(0)] for f in rules.title_split.finditer(bm.group("titles"))]
    if doc.actors[nxt[0].actor_id]["actor_type"] not in {ty for t in titles for ty in t.org_types}:
        return
    nxt[0].modifier = True
    title_text = " and ".join(dict.fromkeys(t.title for t in titles))
    doc.affiliations.append(Affiliation(person.actor_id, "position", nxt[0].actor_id, person.start, nxt[0].end,
                                        f"title.appositive-{titles[0].title_id}", sent_idx, title_text, None))


MINISTER_OF = re.compile(r",\s+(?:the\s+)?(?:[Mm]inister|[Vv]ice\s+[Mm]inister)\s+of\s+([A-Z][\w&’' -]*?[a-z])"
                         r"(?=\s*[,.;]|\s+(?:said|on|at|who)\b)")


def minister_of(doc: Doc, gaz: Gazetteer) -> None:
    """"Li Lecheng, Minister of Industry and Information Technology": the ministry so named."""
    for m in list(doc.mentions):
        if doc.actors.get(m.actor_id, {}).get("actor_type") != "person":
            continue
        mm = MINISTER_OF.match(doc.text, m.end)
        if not mm:
            continue
        ids = gaz.forms.get(f"Ministry of {mm.group(1)}")
        if not ids or len(ids) != 1:
            continue
        org = ids[0]
        doc.actors.setdefault(org, gaz.actors[org].row())
        doc.add_mention(Mention(mm.start(1), mm.end(1), mm.group(1), org, "alias", "title.minister-of",
                                m.sentence, modifier=True))
        title = "vice minister" if "ice" in mm.group(0).split(" of ")[0] else "minister"
        doc.affiliations.append(Affiliation(m.actor_id, "position", org, m.start, mm.end(1), "title.minister-of",
                                            m.sentence, title, None))
        doc.note(m.sentence, "title.minister-of", f"{m.actor_id} {title} of {org}")


def appositive_titles(doc: Doc, rules: TitleRules) -> None:
    """"Pony Ma, chairman and CEO of Tencent", "Wu Qing, who took over as chairman of the CSRC"."""
    assert rules.regex is not None
    alt = rules.title_split.pattern
    q = rules.qual_alt
    between = re.compile(
        rf",\s+(?:who\s+(?:took\s+over\s+as|was\s+(?:appointed|named)(?:\s+as)?|became|serves\s+as|"
        rf"(?:replaced|succeeded)\s+[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){{0,2}}\s+as|"
        rf"is|was|has\s+been|had\s+been)\s+)?(?:also\s+|previously\s+)?(?:the\s+|a\s+|an\s+|its\s+)?(?:(?P<q>{q})\s+)?"
        rf"(?P<titles>{alt}(?:\s*(?:,|and|&)\s*{alt})*)\s+(?:of|at|for)\s+(?:the\s+)?")
    remains = re.compile(
        rf"\s+(?:remains|is|was|became|becomes|serves\s+as|served\s+as|has\s+been|had\s+been)\s+"
        rf"(?:the\s+|an?\s+|its\s+)?(?:(?P<q>{q})\s+)?(?P<titles>{alt}(?:\s*(?:,|and|&)\s*{alt})*)"
        rf"\s+(?:of|at)\s+(?:the\s+)?")
    appointed = re.compile(
        rf"\s+(?:as\s+)?(?:the\s+|an?\s+)?(?:(?P<q>{q})\s+)?(?P<titles>{alt}(?:\s*(?:,|and|&)\s*{alt})*)"
        rf"\s+(?:of|at)\s+(?:the\s+)?")
    org_appoints = re.compile(
        r"\s+(?:has\s+|had\s+|have\s+)?(?:appointed|named|promoted|elected|picked|tapped)\s+$")
    as_title = re.compile(rf"\s+(?:as\s+)?(?:its\s+|the\s+|an?\s+)?(?:new\s+)?(?:(?P<q>{q})\s+)?"
                          rf"(?P<titles>{alt}(?:\s*(?:,|and|&)\s*{alt})*)\b(?!\s+(?:of|at)\b)")
    _org_appointed(doc, rules, org_appoints, as_title)
    possessive = re.compile(rf"(?:’s|'s)\s+(?:(?P<q>{q})\s+)?(?P<titles>{alt}(?:\s*(?:,|and|&)\s*{alt})*)\b")
    for sent in doc.sentences:
        ms = [m for m in doc.mentions if m.sentence == sent.index]
        for i, person in enumerate(ms):
            if doc.actors.get(person.actor_id, {}).get("actor_type") != "person":
                continue
            for org in ms[i + 1:i + 3]:
                if doc.actors.get(org.actor_id, {}).get("actor_type") == "person":
                    continue
                bm = between.fullmatch(doc.text, person.end, org.start) or remains.fullmatch(
                    doc.text, person.end, org.start)
                if not bm and re.search(r"\b(?:appoint(?:ed|s)?|nam(?:ed|es)|promot(?:ed|es)|made|elected)\s+$",
                                        doc.text[max(0, person.start - 15):person.start]):
                    bm = appointed.fullmatch(doc.text, person.end, org.start)
                if not bm and re.fullmatch(r",\s+(?:the\s+)?", doc.text[person.end:org.start]):
                    bm = possessive.match(doc.text, org.end)
                    if bm and not re.match(r"\s*(?:,|and\b|\.|$)", doc.text[bm.end():bm.end() + 5]):
                        bm = None
                if not bm:
                    continue
                titles = [rules.by_form[f.group(0)] for f in rules.title_split.finditer(bm.group("titles"))]
                org_types = {ty for t in titles for ty in t.org_types}
                if doc.actors[org.actor_id]["actor_type"] not in org_types:
                    continue
                org.modifier = True
                title_text = " and ".join(dict.fromkeys(t.title for t in titles))
                end = max(org.end, bm.end()) if bm.re is possessive else org.end
                if any((a.subject_id, a.object_id, a.start) == (person.actor_id, org.actor_id, person.start)
                       for a in doc.affiliations):
                    break  # found by the first pass
                doc.affiliations.append(Affiliation(person.actor_id, "position", org.actor_id, person.start,
                                                    end, f"title.appositive-{titles[0].title_id}",
                                                    sent.index, title_text, bm.group("q")))
                doc.note(sent.index, f"title.appositive-{titles[0].title_id}",
                         f"{person.actor_id} {title_text} of {org.actor_id}")
                _second_post(doc, rules, person, org, ms, sent.index, alt)
                break


def _one_title(doc: Doc, rules: TitleRules, gaz: Gazetteer, sent_idx: int, sent_start: int,
               m: re.Match[str]) -> None:
    t_start, t_end = m.span("titles")
    title_words = doc.text[t_start:t_end]
    if any(x.start < t_start < x.end or x.start < t_end < x.end for x in doc.mentions
           if x.rule_id.startswith("organisation.")):
        return  # the words belong to a longer name ("Shanghai Head Office of ...")
    titles = [rules.by_form[f.group(0)] for f in rules.title_split.finditer(title_words)]
    # Words of the title belong to the title, not to an actor ("Communist Party chief").
    doc.mentions = [x for x in doc.mentions if not (x.start < t_end and t_start < x.end)]
    person = _person(doc, rules, gaz, sent_idx, m)
    if person is None:
        return
    org, org_start, qualifier = _organisation(doc, rules, gaz, sent_idx, sent_start, t_start, titles)
    if org is None:
        return
    org_types = {ty for t in titles for ty in t.org_types}
    if doc.actors.get(org, {}).get("actor_type") not in org_types:
        doc.note(sent_idx, "title.org-type", f"{title_words!r}: {org} is not a {sorted(org_types)}")
        return
    title_text = " and ".join(dict.fromkeys(t.title for t in titles))
    start = org_start if org_start is not None else t_start
    doc.affiliations.append(Affiliation(person.actor_id, "position", org, start, person.end,
                                        f"title.{titles[0].title_id}", sent_idx, title_text, qualifier))
    doc.note(sent_idx, f"title.{titles[0].title_id}", f"{person.actor_id} {title_text} of {org}")


def _person(doc: Doc, rules: TitleRules, gaz: Gazetteer, sent_idx: int, m: re.Match[str]) -> Mention | None:
    n_start, n_end = m.span("name")
    for x in doc.mentions:
        if x.start == n_start and doc.actors.get(x.actor_id, {}).get("actor_type") == "person":
            return x
    if any(x.start < n_end and n_start < x.end for x in doc.mentions):
        return None  # the words are an organisation or place, not a person
    tokens = doc.text[n_start:n_end].split()
    keep = []
    for tok in tokens:
        if tok in rules.not_names or tok in gaz.forms:
            break
        keep.append(tok)
    if not keep:
        return None
    name = " ".join(keep)
    end = n_start + len(name)
    if len(keep) == 1:
        actor_id = resolve_surname(doc, keep[0], n_start, rules)
        if actor_id is None:
            return None
        return doc.add_mention(Mention(n_start, end, name, actor_id, "coreference", "coreference.surname",
                                       sent_idx))
    actor_id = register_pattern_actor(doc, gaz, name, "person")
    return doc.add_mention(Mention(n_start, end, name, actor_id, "title", "title.person", sent_idx))


def _organisation(doc: Doc, rules: TitleRules, gaz: Gazetteer, sent_idx: int, sent_start: int,
                  t_start: int, titles: list[Title]) -> tuple[str | None, int | None, str | None]:
    """The organisation of the post, where its words start, and a qualifier such as 'outgoing'."""
    pre = doc.text[sent_start:t_start]
    qualifier = None
    qm = rules.qual_end.search(pre)
    if qm:
        qualifier = qm.group("q")
        pre = pre[: qm.start()]
    # An actor named right before: "Beijing mayor", "Alibaba's chairman".
    sep = re.search(r"(?:’s|'s)?\s*$", pre)
    org_end = sent_start + (sep.start() if sep else len(pre))
    for x in doc.mentions:
        if x.end == org_end and doc.actors.get(x.actor_id, {}).get("actor_type") != "person":
            x.modifier = True
            start = x.start
            if qualifier is None:
                q2 = rules.qual_end.search(doc.text[sent_start:x.start])
                if q2:
                    qualifier, start = q2.group("q"), sent_start + q2.start()
            return x.actor_id, start, qualifier
    # An adjective: "Chinese premier".
    for adj, actor_id in rules.org_adjectives.items():
        if re.search(rf"(?<![\w-]){re.escape(adj)} $", pre) and actor_id in gaz.actors:
            s = sent_start + len(pre) - len(adj) - 1
            doc.actors.setdefault(actor_id, gaz.actors[actor_id].row())
            doc.add_mention(Mention(s, s + len(adj), adj, actor_id, "alias", "title.org-adjective", sent_idx,
                                    modifier=True))
            return actor_id, s, qualifier
    # A reference to an organisation named earlier: "the city's", "company".
    for ref, types in sorted(rules.org_references.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"(?<![\w-]){re.escape(ref)}\s+$", pre):
            s = sent_start + len(pre.rstrip()) - len(ref)
            fitting = tuple(t for t in types if any(t in title.org_types for title in titles)) or types
            target = nearest_actor(doc, s, fitting, window=3, skip_modifiers=False)
            if target is None:
                return None, None, qualifier
            words = re.sub(r"(?:’s|'s)$", "", ref)
            if words not in ("its",):
                doc.add_mention(Mention(s, s + len(words), words, target.actor_id, "coreference",
                                        "coreference.title-org", sent_idx, modifier=True))
            return target.actor_id, s, qualifier
    # A government post with no organisation named: the government the text is about.
    if all(t.title in GOV_DEFAULT_TITLES for t in titles):
        target = nearest_actor(doc, t_start, ("government",), window=2, exclude=("china",))
        if target is not None:
            return target.actor_id, None, qualifier
    return None, None, qualifier
