"""Which lines of an article state no event: the headline and other lines without a final stop."""

from __future__ import annotations

from .grammar import Grammar
from .model import Doc


def _norm_title(text: str, g: Grammar) -> str:
    for typographic, plain in g.quote_folding.items():
        text = text.replace(typographic, plain)
    return " ".join(text.split()).lower()


def headlines(sentences: tuple, title: str, g: Grammar, text: str = "") -> frozenset[int]:
    """Lines that state no event: a line equal to the curated title, and every line that is one
    short sentence with no final stop (an untitled headline, a subheading, a caption or the title
    of another article in a "read more" list; grammar.yaml: final_stops; settings.yaml:
    headline_max_chars). Names and amounts in them are still recorded."""
    want = _norm_title(title, g)
    out = {s.index for s in sentences if want and _norm_title(s.text, g) == want}
    for s in sentences:
        whole_line = (s.start == 0 or text[s.start - 1] == "\n") and (s.end >= len(text) or text[s.end] == "\n")
        short = len(s.text) < g.settings.headline_max_chars
        if (whole_line or s.index == 0) and short and not s.text.rstrip().endswith(g.final_stops):
            out.add(s.index)
    return frozenset(out)


def dateline_mentions(doc: Doc, g: Grammar) -> None:
    """Names inside a dateline that opens a sentence (grammar.yaml: dateline) only say where the
    report was filed and who sent it: they are kept as mentions but take no part in events."""
    for sent in doc.sentences:
        m = g.dateline.match(doc.text, sent.start, sent.end)
        if m is None:
            continue
        for x in doc.mentions_in(sent.start, m.end()):
            x.modifier = True
            doc.note(sent.index, "grammar.dateline", f"{x.text!r} is in the dateline: no participant")
