"""Curated rules: schema-checked reading of ``rules/`` and the compiled :class:`RuleSet` the stages read.

- :mod:`.parse`: YAML with the line of every key and item; aliases, anchors and duplicate keys refused;
- :mod:`.schema`: the JSON Schemas in ``ruleset/schemas/`` (vocabularies filled in from ``schemas/``);
- :mod:`.load`: :func:`read_rules_file`, the one reader every command uses;
- :mod:`.compile` and :mod:`.gazetteer`: the checked data compiled into matchers and grammars.
"""

from .compile import RuleSet, load_rules
from .load import check_rules_file, read_rules_file

__all__ = ["RuleSet", "check_rules_file", "load_rules", "read_rules_file"]
