"""Names: which surface forms of the curated gazetteer are matched, and how organisation shapes
combine with known names. Passages are written for these tests."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from helpers import RULES_DIR

from bigtech_events.extract import Extractor
from bigtech_events.extract.gazetteer import GazActor, Gazetteer
from bigtech_events.ruleset import load_rules
from bigtech_events.seeds import Article


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer:
    return load_rules(RULES_DIR).gazetteer


def _found(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(m.form, m.actor_ids) for m in _gazetteer().find(text)]


def test_a_company_name_in_capitals_is_the_company() -> None:
    assert _found("ALIBABA shares rose") == [("ALIBABA", ("alibaba-group",))]


def test_capitals_of_places_and_short_names_are_not_read_as_names() -> None:
    gaz = Gazetteer({"kite": GazActor("kite", "Kite Data", "company"), "fox": GazActor("fox", "Fox", "company"),
                     "lin": GazActor("lin", "Linzhou", "government")},
                    {"Kite Data": ("kite",), "Fox": ("fox",), "Linzhou": ("lin",)})
    gaz.build()
    assert gaz.capitalised_forms() == {"KITE DATA": ("kite",)}
    assert [m.form for m in gaz.find("LINZHOU -- KITE DATA and FOX said")] == ["KITE DATA"]


def _mentions(text: str) -> list[str]:
    art = Article("names-test", text, hashlib.sha256(text.encode()).hexdigest(),
                  {"title": "t", "publisher": "p", "published": "2024-03-15", "language": "en"}, Path("x.txt"))
    doc, _ = Extractor(load_rules(RULES_DIR)).analyse(art)
    return [m.text for m in doc.mentions]


def test_a_given_name_does_not_reach_across_a_line() -> None:
    assert "Xu Wei" in _mentions("Tencent Boosts Checks\nXu Wei\nDATE: March 3\nTencent said on Monday it would act.")
    assert not any("\n" in m for m in _mentions("Xu Wei\nDATE: March 3\nTencent acted."))


def test_a_pinyin_given_name_on_the_same_line_extends_the_name() -> None:
    assert "Eric Jing Xiandong" in _mentions("Ant Group chairman Eric Jing Xiandong said on Monday it would act.")
