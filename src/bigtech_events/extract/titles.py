"""People found by the post written before their name, and the posts as affiliations.

"Beijing mayor Yin Yong", "outgoing Alibaba chairman and CEO Daniel Zhang Yong",
"the city's party secretary Liu Jie", "Chinese premier Li Qiang", "company CEO Zhang".
"""

from __future__ import annotations

import itertools
import re
import string
from dataclasses import dataclass

from .actors import register_pattern_actor
from .cuefile import alternation
from .gazetteer import Gazetteer
from .lexicon import TitleCues
from .model import Affiliation, Doc, Mention
from .relations import add_affiliation
from .scanning import scanned


@dataclass(frozen=True)
class Title:
    title_id: str
    title: str
    forms: tuple[str, ...]
    org_types: tuple[str, ...]


@dataclass
class TitleRules:
    titles: list[Title]
    org_adjectives: dict[str, str]
    org_references: dict[str, tuple[str, ...]]
    surnames: frozenset[str]
    not_names: frozenset[str]
    by_form: dict[str, Title] | None = None
    title_split: re.Pattern[str] | None = None
    name_shape: re.Pattern[str] | None = None
    pinyin_word: re.Pattern[str] | None = None
    not_after_name: re.Pattern[str] | None = None
    # What every match of `name_shape` (ruleset.compile.load_titles) holds: a surname, white
    # space and a capital. A sentence without it has no name shape.
    surname_before_capital: re.Pattern[str] | None = None
    # org_adjectives and org_references (longest first), each with the pattern that finds it
    # right before a title
    adjectives_before: list[tuple[str, str, re.Pattern[str]]] | None = None
    references_before: list[tuple[str, tuple[str, ...], re.Pattern[str]]] | None = None

    def compile(self) -> None:
        """The titles by form, and a regex that finds each form in matched title words."""
        self.by_form = {f: t for t in self.titles for f in t.forms}
        # Atomic: once a title form matched, a shorter one is not tried ("chief executive", not "chief").
        self.title_split = re.compile(alternation(self.by_form, atomic=True))
        surnames = "|".join(sorted(self.surnames, key=len, reverse=True))  # as name_shape has them
        self.surname_before_capital = re.compile(rf"(?:{surnames})\s+[A-Z]")
        self.adjectives_before = [(adj, actor_id, re.compile(rf"(?<![\w-]){re.escape(adj)} $"))
                                  for adj, actor_id in self.org_adjectives.items()]
        self.references_before = [(ref, types, re.compile(rf"(?<![\w-]){re.escape(ref)}\s+$"))
                                  for ref, types in sorted(self.org_references.items(), key=lambda kv: -len(kv[0]))]

    def split(self, words: str) -> list[Title]:
        """The titles named in ``words`` ("founder and CEO" -> founder, CEO)."""
        assert self.by_form is not None and self.title_split is not None
        return [self.by_form[f.group(0)] for f in self.title_split.finditer(words)]


def surname_of(name: str, surnames: frozenset[str]) -> str:
    """The family name in an English-order or Chinese-order name ("Daniel Zhang Yong" -> Zhang)."""
    tokens = name.split()
    if tokens[0] in surnames:
        return tokens[0]
    if len(tokens) >= 2 and tokens[1] in surnames:
        return tokens[1]
    return tokens[-1]


def first_named(doc: Doc, rules: TitleRules) -> dict[str, dict[str, int]]:
    """For each surname, the people of several words who bear it and where each is first named."""
    out: dict[str, dict[str, int]] = {}
    for m in doc.mentions:
        if doc.actors.get(m.actor_id, {}).get("actor_type") == "person":
            name = doc.actors[m.actor_id]["name"]
            if len(name.split()) > 1:
                out.setdefault(surname_of(name, rules.surnames), {}).setdefault(m.actor_id, m.start)
    return out


def _people_by_surname(doc: Doc, rules: TitleRules) -> dict[str, list[str]]:
    """People of several words in ``doc.actors`` by surname, brought up to date (stages only add
    actors)."""
    seen, index = doc.memo.get("titles.surnames", (0, {}))
    if seen > len(doc.actors):
        seen, index = 0, {}
    for actor_id, actor in itertools.islice(doc.actors.items(), seen, None):
        if actor.get("actor_type") == "person" and len(actor["name"].split()) > 1:
            index.setdefault(surname_of(actor["name"], rules.surnames), []).append(actor_id)
    doc.memo["titles.surnames"] = (len(doc.actors), index)
    return index


def resolve_surname(doc: Doc, token: str, before: int, rules: TitleRules,
                    firsts: dict[str, dict[str, int]] | None = None) -> str | None:
    """The person named earlier whose surname is ``token``. When several share it, the one the
    article introduced first (its protagonist, in news style). ``firsts`` is ``first_named`` of
    the mentions as they are (looked up in the document's indexes when not given)."""
    if firsts is None:
        named = {a: doc.first_mention(a) for a in _people_by_surname(doc, rules).get(token, ())}
    else:
        named = firsts.get(token, {})
    first_seen = {a: start for a, start in named.items() if start is not None and start < before}
    if len(first_seen) <= 1:
        return next(iter(first_seen), None)
    return min(first_seen, key=first_seen.get)


def nearest_actor(doc: Doc, before: int, types: tuple[str, ...], window: int,
                  exclude: tuple[str, ...] = (), skip_modifiers: bool = False,
                  skip: frozenset[int] = frozenset()) -> Mention | None:
    """The mention of an actor of ``types`` that ends last before ``before`` within ``window``
    sentences, other than the ``exclude`` actors and the mentions whose id() is in ``skip``."""
    sent = doc.sentence_of(before)
    near = doc.in_sentences(sent - window, sent) if sent >= 0 else doc.mentions
    for m in sorted(near, key=lambda x: x.start, reverse=True):
        if m.end > before or m.sentence < sent - window:
            continue
        if (skip_modifiers and (m.modifier or doc.text[m.end:m.end + 6] == "-based")) or id(m) in skip:
            continue
        if doc.actors.get(m.actor_id, {}).get("actor_type") in types and m.actor_id not in exclude:
            return m
    return None


def find_titles(doc: Doc, rules: TitleRules, gaz: Gazetteer, cues: TitleCues) -> None:
    for sent in doc.sentences:
        if cues.title_anywhere is not None and not cues.title_anywhere.search(doc.text, sent.start, sent.end):
            continue  # no title form: no match
        for m in scanned(cues.before_name).finditer(doc.text, sent.start, sent.end):
            _one_title(doc, rules, cues, gaz, sent.index, sent.start, m)
    appositive_titles(doc, rules, cues)


def name_shape_persons(doc: Doc, rules: TitleRules, gaz: Gazetteer, rx: re.Pattern[str],
                       stop_after: re.Pattern[str], cues: TitleCues) -> None:
    """Chinese names no list has: a known surname and a pinyin given name ("Zhang Lidong")."""
    cue = rules.surname_before_capital if rx is rules.name_shape else None
    shapes = scanned(rx)
    for sent in doc.sentences:
        start = sent.start
        if cue is not None:
            c = cue.search(doc.text, sent.start, sent.end)
            if c is None:
                continue  # no surname before a capital: no name shape
            start = _word_before(doc.text, sent.start, c.start())
        for m in shapes.finditer(doc.text, start, sent.end):
            s, e = m.span()
            if doc.covered(s, e) or stop_after.match(doc.text[e:e + cues.not_after_name_chars]):
                continue
            name = m.group(0)
            if any(tok in rules.not_names or tok in gaz.forms for tok in name.split()):
                continue
            actor_id = register_pattern_actor(doc, gaz, name, "person")
            doc.add_mention(Mention(s, e, name, actor_id, "name", "person.name-shape", sent.index))


def _word_before(text: str, lo: int, pos: int) -> int:
    """Where a name shape whose surname is at or after ``pos`` can start, no earlier than ``lo``: at
    its surname, or at the capitalised word and white space before it (Hong Kong order). Back over
    the letters ending at ``pos``, one white space and the letters before it."""
    while pos > lo and text[pos - 1] in string.ascii_letters:
        pos -= 1
    if pos > lo and text[pos - 1].isspace():
        pos -= 1
    while pos > lo and text[pos - 1] in string.ascii_letters:
        pos -= 1
    return pos


def _org_appointed(doc: Doc, rules: TitleRules, cues: TitleCues) -> None:
    """"the People's Bank of China appointed Pan Gongsheng as governor": the post is at the appointer."""
    for sent in doc.sentences:
        ms = doc.of_sentence(sent.index)
        for org, person in itertools.pairwise(ms):
            if (doc.actors.get(person.actor_id, {}).get("actor_type") != "person"
                    or doc.actors.get(org.actor_id, {}).get("actor_type") not in cues.appointing_types
                    or not cues.appointed_by.fullmatch(doc.text, org.end, person.start)):
                continue
            tm = cues.appointed_as.match(doc.text, person.end)
            if not tm:
                continue
            titles = rules.split(tm.group("titles"))
            if doc.actors[org.actor_id]["actor_type"] not in {ty for t in titles for ty in t.org_types}:
                continue
            title_text = " and ".join(dict.fromkeys(t.title for t in titles))
            add_affiliation(doc, Affiliation(person.actor_id, "position", org.actor_id, org.start, tm.end(),
                                                f"title.appointed-{titles[0].title_id}", sent.index,
                                                title_text, tm.group("q")))
            doc.note(sent.index, f"title.appointed-{titles[0].title_id}",
                     f"{person.actor_id} {title_text} of {org.actor_id}")


def _second_post(doc: Doc, rules: TitleRules, cues: TitleCues, person: Mention, org: Mention,
                 ms: list[Mention], sent_idx: int) -> None:
    """"X, a member of the Politburo and vice premier of the State Council": the second post."""
    nxt = [m for m in ms if m.start >= org.end]
    if not nxt:
        return
    bm = cues.second_post.fullmatch(doc.text, org.end, nxt[0].start)
    if not bm or doc.actors.get(nxt[0].actor_id, {}).get("actor_type") == "person":
        return
    titles = rules.split(bm.group("titles"))
    if doc.actors[nxt[0].actor_id]["actor_type"] not in {ty for t in titles for ty in t.org_types}:
        return
    nxt[0].modifier = True
    title_text = " and ".join(dict.fromkeys(t.title for t in titles))
    add_affiliation(doc, Affiliation(person.actor_id, "position", nxt[0].actor_id, person.start, nxt[0].end,
                                        f"title.appositive-{titles[0].title_id}", sent_idx, title_text, None))


def minister_of(doc: Doc, gaz: Gazetteer, cues: TitleCues) -> None:
    """"Li Lecheng, Minister of Industry and Information Technology": the ministry so named."""
    for m in list(doc.mentions):
        if doc.actors.get(m.actor_id, {}).get("actor_type") != "person":
            continue
        mm = cues.minister_of.match(doc.text, m.end)
        if not mm:
            continue
        ids = gaz.forms.get(cues.ministry.replace("{name}", mm.group("name")))
        if not ids or len(ids) != 1:
            continue
        org = ids[0]
        doc.actors.setdefault(org, gaz.actors[org].row())
        doc.add_mention(Mention(mm.start("name"), mm.end("name"), mm.group("name"), org, "alias",
                                "title.minister-of", m.sentence, modifier=True))
        title = cues.vice_minister_title if mm.group("vice") else cues.minister_title
        add_affiliation(doc, Affiliation(m.actor_id, "position", org, m.start, mm.end("name"), "title.minister-of",
                                            m.sentence, title, None))
        doc.note(m.sentence, "title.minister-of", f"{m.actor_id} {title} of {org}")


def appositive_titles(doc: Doc, rules: TitleRules, cues: TitleCues) -> None:
    """"Pony Ma, chairman and CEO of Tencent", "Wu Qing, who took over as chairman of the CSRC"."""
    _org_appointed(doc, rules, cues)
    for sent in doc.sentences:
        ms = doc.of_sentence(sent.index)
        for i, person in enumerate(ms):
            if doc.actors.get(person.actor_id, {}).get("actor_type") != "person":
                continue
            for org in ms[i + 1:i + 1 + cues.appositive_mentions]:
                if doc.actors.get(org.actor_id, {}).get("actor_type") == "person":
                    continue
                bm = _appositive_match(doc, cues, person, org)
                if not bm:
                    continue
                titles = rules.split(bm.group("titles"))
                org_types = {ty for t in titles for ty in t.org_types}
                if doc.actors[org.actor_id]["actor_type"] not in org_types:
                    continue
                org.modifier = True
                title_text = " and ".join(dict.fromkeys(t.title for t in titles))
                end = max(org.end, bm.end()) if bm.re is cues.possessive else org.end
                if any((a.subject_id, a.object_id, a.start) == (person.actor_id, org.actor_id, person.start)
                       for a in doc.affiliations):
                    break  # found by the first pass
                add_affiliation(doc, Affiliation(person.actor_id, "position", org.actor_id, person.start,
                                                    end, f"title.appositive-{titles[0].title_id}",
                                                    sent.index, title_text, bm.group("q")))
                doc.note(sent.index, f"title.appositive-{titles[0].title_id}",
                         f"{person.actor_id} {title_text} of {org.actor_id}")
                _second_post(doc, rules, cues, person, org, ms, sent.index)
                break


def _appositive_match(doc: Doc, cues: TitleCues, person: Mention, org: Mention) -> re.Match[str] | None:
    """The words that give ``person`` a post at ``org``: between them, or after ``org`` (possessive)."""
    text = doc.text
    bm = cues.appositive.fullmatch(text, person.end, org.start) or cues.remains.fullmatch(
        text, person.end, org.start)
    if not bm and cues.appointed_verb.search(text[max(0, person.start - cues.appointed_verb_chars):person.start]):
        bm = cues.appointed.fullmatch(text, person.end, org.start)
    if not bm and cues.possessive_gap.fullmatch(text[person.end:org.start]):
        bm = cues.possessive.match(text, org.end)
        if bm and not cues.possessive_end.match(text[bm.end():bm.end() + cues.possessive_end_chars]):
            bm = None
    return bm


def _one_title(doc: Doc, rules: TitleRules, cues: TitleCues, gaz: Gazetteer, sent_idx: int, sent_start: int,
               m: re.Match[str]) -> None:
    t_start, t_end = m.span("titles")
    title_words = doc.text[t_start:t_end]
    if any(x.start < t_start < x.end or x.start < t_end < x.end for x in doc.overlapping(t_start, t_end + 1)
           if x.rule_id.startswith("organisation.")):
        return  # the words belong to a longer name ("Shanghai Head Office of ...")
    titles = rules.split(title_words)
    named = _named_organisation(doc, m)
    if named is False:
        return  # "<titles> of <words>, <Name>": the words name no organisation
    # Words of the title belong to the title, not to an actor ("Communist Party chief").
    inside = {id(x) for x in doc.overlapping(t_start, t_end)}
    if inside:
        doc.mentions = [x for x in doc.mentions if id(x) not in inside]
    person = _person(doc, rules, gaz, sent_idx, m)
    if person is None:
        return
    if isinstance(named, Mention):  # set off by commas, the organisation stays a participant
        org, org_start, qualifier = named.actor_id, None, None
    else:
        org, org_start, qualifier = _organisation(doc, rules, cues, gaz, sent_idx, sent_start, t_start, titles)
    org = org or _listed_organisation(doc, sent_idx, t_start)
    if org is None:
        return
    org_types = {ty for t in titles for ty in t.org_types}
    if doc.actors.get(org, {}).get("actor_type") not in org_types:
        doc.note(sent_idx, "title.org-type", f"{title_words!r}: {org} is not a {sorted(org_types)}")
        return
    title_text = " and ".join(dict.fromkeys(t.title for t in titles))
    start = org_start if org_start is not None else t_start
    holders = [person] + (_coordinated(doc, cues, person) if _plural(title_words, titles[-1]) else [])
    for holder in holders:
        add_affiliation(doc, Affiliation(holder.actor_id, "position", org, start, holder.end,
                                         f"title.{titles[0].title_id}", sent_idx, title_text, qualifier))
        doc.note(sent_idx, f"title.{titles[0].title_id}", f"{holder.actor_id} {title_text} of {org}")


def _listed_organisation(doc: Doc, sent_idx: int, t_start: int) -> str | None:
    """The organisation of the post before, when this post continues its list after a comma:
    "<Company> CEO A, senior vice presidents B and C" (B and C are at the company too)."""
    for a in doc.affiliations_of(sent_idx):
        if (a.relation == "position" and a.rule_id.startswith("title.")
                and a.end < t_start and doc.text[a.end:t_start].strip() == ","):
            return a.object_id
    return None


def _plural(title_words: str, title: Title) -> bool:
    """Whether the last title form is a plural ("senior vice presidents", "vice chairmen")."""
    form, singular = title_words.lower().rsplit(" and ", 1)[-1], title.title.lower()
    return form != singular and (form.rstrip("s") == singular
                                 or (form.endswith("men") and form[:-3] + "man" == singular))


def _coordinated(doc: Doc, cues: TitleCues, person: Mention) -> list[Mention]:
    """The people named after ``person`` in a list joined by commas and "and" ("B and C")."""
    out, end = [], person.end
    for m in sorted((x for x in doc.of_sentence(person.sentence) if x.start >= person.end),
                    key=lambda x: x.start):
        if not cues.name_list_joiner.fullmatch(doc.text, end, m.start):
            break
        if doc.actors.get(m.actor_id, {}).get("actor_type") != "person":
            break
        out.append(m)
        end = m.end
    return out


def _named_organisation(doc: Doc, m: re.Match[str]) -> Mention | bool | None:
    """The organisation of "<titles> of <Organisation>, <Name>": the actor named last in the words
    of the pattern's group `org` (False when none is), or None when the pattern has no such words."""
    if "org" not in m.re.groupindex or m.group("org") is None:
        return None
    o_start, o_end = m.span("org")
    inside = [x for x in doc.mentions_in(o_start, o_end) if x.end == o_end
              and doc.actors.get(x.actor_id, {}).get("actor_type") != "person"]
    return min(inside, key=lambda x: x.start) if inside else False


def _person(doc: Doc, rules: TitleRules, gaz: Gazetteer, sent_idx: int, m: re.Match[str]) -> Mention | None:
    n_start, n_end = m.span("name")
    for x in doc.starting_in(n_start, n_start + 1):
        if doc.actors.get(x.actor_id, {}).get("actor_type") == "person":
            return x
    if doc.covered(n_start, n_end):
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


def _organisation(doc: Doc, rules: TitleRules, cues: TitleCues, gaz: Gazetteer, sent_idx: int, sent_start: int,
                  t_start: int, titles: list[Title]) -> tuple[str | None, int | None, str | None]:
    """The organisation of the post, where its words start, and a qualifier such as 'outgoing'."""
    pre = doc.text[sent_start:t_start]
    qualifier = None
    qm = cues.qualifier_before.search(pre)
    if qm:
        qualifier = qm.group("q")
        pre = pre[: qm.start()]
    # An actor named right before: "Beijing mayor", "Alibaba's chairman".
    sep = cues.org_before_title.search(pre)
    org_end = sent_start + (sep.start() if sep else len(pre))
    for x in doc.ending_at(org_end):
        if doc.actors.get(x.actor_id, {}).get("actor_type") != "person":
            x.modifier = True
            start = x.start
            if qualifier is None:
                q2 = cues.qualifier_before.search(doc.text[sent_start:x.start])
                if q2:
                    qualifier, start = q2.group("q"), sent_start + q2.start()
            return x.actor_id, start, qualifier
    # An adjective: "Chinese premier".
    assert rules.adjectives_before is not None and rules.references_before is not None
    for adj, actor_id, before in rules.adjectives_before:
        if adj in pre and before.search(pre) and actor_id in gaz.actors:
            s = sent_start + len(pre) - len(adj) - 1
            doc.actors.setdefault(actor_id, gaz.actors[actor_id].row())
            doc.add_mention(Mention(s, s + len(adj), adj, actor_id, "alias", "title.org-adjective", sent_idx,
                                    modifier=True))
            return actor_id, s, qualifier
    # A reference to an organisation named earlier: "the city's", "company".
    for ref, types, before in rules.references_before:
        if ref in pre and before.search(pre):
            s = sent_start + len(pre.rstrip()) - len(ref)
            fitting = tuple(t for t in types if any(t in title.org_types for title in titles)) or types
            target = nearest_actor(doc, s, fitting, window=cues.org_reference_sentences, skip_modifiers=False)
            if target is None:
                return None, None, qualifier
            words = cues.reference_possessive.sub("", ref)
            if words not in cues.unrecorded_references:
                doc.add_mention(Mention(s, s + len(words), words, target.actor_id, "coreference",
                                        "coreference.title-org", sent_idx, modifier=True))
            return target.actor_id, s, qualifier
    # A government post with no organisation named: the government the text is about.
    if all(t.title in cues.government_default_titles for t in titles):
        target = nearest_actor(doc, t_start, ("government",), window=cues.government_default_sentences,
                               exclude=cues.government_default_exclude)
        if target is not None:
            return target.actor_id, None, qualifier
    return None, None, qualifier
