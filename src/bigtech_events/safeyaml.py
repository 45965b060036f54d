"""Parse curated YAML (rules files, seed metadata), keeping the line of every mapping, key and item.

What a curated file has no use for, and a hostile one could abuse, is refused:
aliases and anchors (``&a`` / ``*a`` can multiply a small file into a huge
one), merge keys (``<<``), tags other than YAML's plain ones, keys written
twice (plain YAML keeps the last one silently) and keys that are not plain
text. Only ``true`` and ``false`` are booleans (YAML 1.1 also reads ``On``,
``Off``, ``Yes`` and ``No`` as booleans, so the word "On" in a word list would
become True), integers are decimal (YAML 1.1 reads ``057`` as octal 47) and
dates stay text as written.

>>> data, problems = parse("a: [x, On]\\nb: {c: 1}\\n", "f.yaml")
>>> data, data["b"].line, data.key_lines["b"], problems
({'a': ['x', 'On'], 'b': {'c': 1}}, 2, 2, [])
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}
_BOOL = r"^(?:true|True|TRUE|false|False|FALSE)$"
_INT = r"^[-+]?[0-9]+$"


class Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping: a dict that knows its line and the line of each key."""

    line: int
    key_lines: dict[str, int]


class Sequence(list):  # type: ignore[type-arg]
    """A YAML sequence: a list that knows its line and the line of each item."""

    line: int
    item_lines: list[int]


if yaml.__with_libyaml__:
    from yaml.cyaml import CParser

    class _Base(yaml.composer.Composer, CParser,  # type: ignore[misc]
                yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """SafeLoader with libyaml's scanner and parser (several times faster) and Python's composer,
        so that the hooks below see every event."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader  # type: ignore[misc]


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Composes the node tree, recording (not following) aliases and anchors."""

    refused: list[tuple[int, str]]

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.get_event()
            what = f"YAML alias *{event.anchor} is not allowed; write the value out in full"
            self.refused.append((event.start_mark.line + 1, what))
            return yaml.ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.refused.append((event.start_mark.line + 1, f"YAML anchor &{anchor} is not allowed; remove it"))
            event.anchor = None  # composed as a plain node, so later aliases are not resolved either
        return super().compose_node(parent, index)


# YAML 1.2's booleans and decimal integers ("057" is 57, not octal), no timestamps.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(_BOOL), list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(_INT), list("-+0123456789"))
_Loader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(node.value))


def parse(text: str, where: str) -> tuple[Any, list[str]]:
    """The data of a YAML text and its problems (``where:line: what; fix``), all of them.

    Mappings come back as :class:`Mapping`, sequences as :class:`Sequence`; an
    empty text is ``None``. When there are problems the data is ``None``.
    """
    loader = _Loader(text)
    loader.refused = []
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return None, [f"{where}:{line}: not valid YAML ({exc.problem}); fix the syntax"]
    except yaml.YAMLError as exc:
        return None, [f"{where}:1: not valid YAML ({exc}); fix the syntax"]
    finally:
        loader.dispose()
    problems = [f"{where}:{line}: {what}" for line, what in loader.refused]
    if node is None:
        return None, problems
    builder = _Builder(loader, where)
    data = builder.build(node)
    problems += builder.problems
    return (None if problems else data), problems


class _Builder:
    """Turns a composed node tree into Mapping / Sequence / scalars, noting problems."""

    def __init__(self, loader: _Loader, where: str) -> None:
        self.loader = loader
        self.where = where
        self.problems: list[str] = []

    def _problem(self, node: yaml.Node, what: str) -> None:
        self.problems.append(f"{self.where}:{node.start_mark.line + 1}: {what}")

    def build(self, node: yaml.Node) -> Any:
        if node.tag not in _PLAIN_TAGS and node.tag != "tag:yaml.org,2002:merge":
            self._problem(node, f"tag {node.tag} is not allowed; write plain YAML")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            out = Sequence(self.build(item) for item in node.value)
            out.line = node.start_mark.line + 1
            out.item_lines = [item.start_mark.line + 1 for item in node.value]
            return out
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode) -> Mapping:
        out = Mapping()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_node, "merge key << is not allowed; write the keys out in full")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                self._problem(key_node, "a key must be plain text; write it as a word or a quoted string")
                continue
            key = key_node.value  # the key as written: `on:` is the word "on", `1:` the text "1"
            if key in out.key_lines:
                self._problem(key_node, f"key {key!r} is written twice (first at line {out.key_lines[key]}); "
                              "keep one")
                continue
            out.key_lines[key] = line
            out[key] = self.build(value_node)
        return out
