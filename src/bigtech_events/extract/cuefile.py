r"""Cue words, cue patterns and windows of a rules file's parsed data, one-line errors included.

The data comes from :mod:`bigtech_events.ruleset` (read, and checked by its schema, there); this
module reads no file. It is shared by every stage that compiles cues: :mod:`.lexicon`,
:mod:`.dates`, :mod:`.money` and :mod:`.grammar`.

A cue pattern is a regular expression written in the rules file. It may name, in braces, a word
list or a part the loader supplies (``{prepositions}``): the name is replaced by the list's
escaped words as one group, longest first, before the pattern is compiled. Regex quantifiers
such as ``{0,2}`` are not names.

>>> alternation(["in", "as of"])
'(?:as\\ of|in)'
>>> alternation(["in", "as of"], any_space=True)
'(?:as\\s+of|in)'
>>> fill("(?P<p>{words}){1,2}", {"words": "(?:a|b)"}, "rules/x.yaml:3: p")
'(?P<p>(?:a|b)){1,2}'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import UserError

Pattern = re.Pattern[str]
_NAME = re.compile(r"\{([A-Za-z_]\w*)\}")
_QUOTE = "quote it (YAML reads on, off, yes and no as true or false)"


def alternation(words: Iterable[str], atomic: bool = False, any_space: bool = False) -> str:
    """The escaped words as one non-capturing group, longest first (ties in the order given).
    ``atomic``: once a word matched, a shorter one is not tried at the same place.
    ``any_space``: a space in a word matches any run of white space (else only itself)."""
    unique = sorted(dict.fromkeys(words), key=len, reverse=True)
    alts = "|".join(_escaped(w, any_space) for w in unique)
    return f"(?:(?>{alts}))" if atomic else f"(?:{alts})"


def _escaped(word: str, any_space: bool) -> str:
    return r"\s+".join(re.escape(part) for part in word.split()) if any_space else re.escape(word)


def fill(template: str, values: Mapping[str, str], where: str,
         unknown: Callable[[str], UserError] | None = None) -> str:
    """``template`` with every ``{name}`` replaced by ``values[name]``; a name ``values`` lacks is
    refused (``unknown(name)`` words the error, if given)."""
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            if unknown is not None:
                raise unknown(name)
            raise UserError(f"{where}: {{{name}}} is not one of {', '.join(sorted(values)) or 'no names'}; "
                            "fix the name (docs/rules.md lists the names each key may use)")
        return values[name]
    return _NAME.sub(one, template)


def key_line(data: Any, keys: Iterable[str]) -> int:
    """The line of the deepest of ``keys`` (a mapping key, or "[n]" for the n-th list item) that
    parsed ``data`` has (its own line, or 1, when none)."""
    line = getattr(data, "line", 1)
    node = data
    for key in keys:
        if isinstance(node, dict) and key in node:
            line, node = getattr(node, "key_lines", {}).get(key, line), node[key]
        elif isinstance(node, list) and key.startswith("[") and key[1:-1].isdigit() \
                and 0 < int(key[1:-1]) <= len(node):
            i = int(key[1:-1]) - 1
            lines = getattr(node, "item_lines", [])
            line, node = (lines[i] if i < len(lines) else line), node[i]
        else:
            break
    return line


class CueFile:
    """The cue keys of one rules file. Each getter takes a key path ("windows", "before_chars") and
    raises a one-line ``file:line: what; fix`` error when the value is missing or of the wrong kind."""

    def __init__(self, path: Path, data: Any) -> None:
        self.path = path  # for messages only: the file is not read here
        self.data = data if data is not None else {}

    def where(self, *keys: str) -> str:
        return f"{self.path}:{self.line(*keys)}: {_dotted(keys) or 'the file'}"

    def error(self, *keys: str, what: str) -> UserError:
        return UserError(f"{self.where(*keys)} {what}")

    def line(self, *keys: str) -> int:
        """The line of the deepest of ``keys`` the file has (1 when none)."""
        return key_line(self.data, keys)

    def get(self, *keys: str) -> Any:
        node: Any = self.data
        for i, key in enumerate(keys):
            if not isinstance(node, dict):
                raise UserError(f"{self.where(*keys[:i])} must be a mapping of names to values; "
                                "restore it from the repository")
            if key not in node:
                raise UserError(f"{self.where(*keys)} is missing; add it (see docs/rules.md)")
            node = node[key]
        return node

    def words(self, *keys: str) -> tuple[str, ...]:
        value = self.get(*keys)
        if not isinstance(value, list) or not value:
            raise UserError(f"{self.where(*keys)} must be a list of words; write it as [word, word, ...]")
        for w in value:
            if not isinstance(w, str) or not w:
                raise UserError(f"{self.where(*keys)}: {w!r} is not a word; {_QUOTE}")
        return tuple(value)

    def text(self, *keys: str) -> str:
        value = self.get(*keys)
        if not isinstance(value, str) or not value:
            raise UserError(f"{self.where(*keys)} must be text (a regular expression in quotes); fix it")
        return value

    def number(self, *keys: str) -> int:
        value = self.get(*keys)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UserError(f"{self.where(*keys)} must be a whole number of 0 or more, not {value!r}; fix it")
        return value

    def numbers(self, *keys: str, size: int | None = None) -> dict[str, Any]:
        """A mapping of words to a whole number (``size`` None) or to a list of ``size`` numbers."""
        value = self.get(*keys)
        if not isinstance(value, dict) or not value:
            raise UserError(f"{self.where(*keys)} must be a mapping of words to numbers; fix it")
        for k, v in value.items():
            if not isinstance(k, str):
                raise UserError(f"{self.where(*keys)}: {k!r} is not a word; {_QUOTE}")
            if not _numbers_ok(v, size):
                shape = "a whole number" if size is None else f"a list of {size} whole numbers"
                raise UserError(f"{self.where(*keys, k)} must be {shape}, not {v!r}; fix it")
        return value

    def parts(self, key: str, values: Mapping[str, str]) -> dict[str, str]:
        """``values`` and the parts under ``key`` (each a regular expression of its own, which may
        use ``values`` and the parts before it), for patterns to name as {part}."""
        parts = self.get(key)
        if not isinstance(parts, dict):
            raise self.error(key, what="must map part names to regular expressions; fix it")
        out = dict(values)
        for name in parts:
            if not isinstance(name, str) or not _NAME.fullmatch(f"{{{name}}}"):
                raise self.error(key, what=f"has the part name {name!r}; use letters, digits and _")
            out[name] = self.compile(self.text(key, name), out, key, name).pattern
        return out

    def pattern(self, *keys: str, values: Mapping[str, str] | None = None) -> Pattern:
        """The regular expression at ``keys``, its ``{names}`` filled from ``values``."""
        return self.compile(self.text(*keys), values or {}, *keys)

    def compile(self, source: str, values: Mapping[str, str], *keys: str) -> Pattern:
        where = self.where(*keys)
        try:
            return re.compile(fill(source, values, where))
        except re.error as exc:
            raise UserError(f"{where}: regular expression does not compile ({exc.msg}); fix it") from None


def _dotted(keys: tuple[str, ...]) -> str:
    """("patterns", "[2]", "regex") -> "patterns[2].regex"."""
    return "".join(k if k.startswith("[") or i == 0 else f".{k}" for i, k in enumerate(keys))


def _numbers_ok(value: Any, size: int | None) -> bool:
    def whole(x: Any) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)
    if size is None:
        return whole(value)
    return isinstance(value, list) and len(value) == size and all(whole(x) for x in value)
