"""Names: which surface forms of the curated gazetteer are matched, and how organisation shapes
combine with known names. Passages are written for these tests."""

from __future__ import annotations

from functools import lru_cache

from helpers import RULES_DIR

from bigtech_events.extract.gazetteer import GazActor, Gazetteer
from bigtech_events.ruleset import load_rules


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
