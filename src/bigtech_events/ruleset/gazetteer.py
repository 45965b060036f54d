"""Build the :class:`~bigtech_events.extract.gazetteer.Gazetteer` from the checked ``gazetteer/*.yaml`` files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UserError
from ..extract.gazetteer import GazActor, Gazetteer, Post


def build_gazetteer(files: dict[Path, Any]) -> Gazetteer:
    """One gazetteer from every file's ``actors`` (file order); an id used twice is refused."""
    actors: dict[str, GazActor] = {}
    forms: dict[str, list[str]] = {}
    for path, data in files.items():
        for entry in data.get("actors", []):
            actor = _actor(entry, f"{path}:{entry.line}")
            if actor.actor_id in actors:
                raise UserError(f"{actor.where}: id {actor.actor_id!r} is already used by "
                                f"{actors[actor.actor_id].where}; choose another id")
            actors[actor.actor_id] = actor
            for form in (actor.name, *actor.aliases):
                ids = forms.setdefault(form, [])
                if actor.actor_id not in ids:
                    ids.append(actor.actor_id)
    gaz = Gazetteer(actors, {k: tuple(v) for k, v in forms.items()})
    gaz.build()
    return gaz


def _actor(entry: dict[str, Any], where: str) -> GazActor:
    posts = tuple(Post(str(p["title"]), str(p["org"]), _s(p.get("start")), _s(p.get("end")))
                  for p in entry.get("posts", []))
    relations = tuple((str(r["relation"]), str(r["object"])) for r in entry.get("relations", []))
    if entry.get("based_in"):
        relations += (("based_in", str(entry["based_in"])),)
    return GazActor(
        actor_id=str(entry["id"]),
        name=str(entry["name"]),
        actor_type=str(entry["type"]),
        country=_s(entry.get("country")),
        description=_s(entry.get("description")),
        wikidata_id=_s(entry.get("wikidata")),
        aliases=tuple(str(a) for a in entry.get("aliases", [])),
        posts=posts,
        relations=relations,
        where=where,
        kind=_s(entry.get("kind")),
    )


def _s(value: Any) -> str | None:
    return None if value is None else str(value)
