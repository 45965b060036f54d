"""Page text: HTML remnants, chrome lines and repeated lines around the body, and the sentences
the body is split into. Passages are written for these tests."""

from __future__ import annotations

from functools import lru_cache

from helpers import RULES_DIR

from bigtech_events.extract.ingest import find_body
from bigtech_events.ruleset import RuleSet, load_rules


@lru_cache(maxsize=1)
def _rules() -> RuleSet:
    return load_rules(RULES_DIR)


def _sentences(text: str) -> list[str]:
    r = _rules()
    return [s.text for s in find_body(text, r.boilerplate, r.lexicon.sentences).sentences]


def test_block_tags_end_lines_and_sentences() -> None:
    text = "<p>Tencent opened an office in 2021</p>.<p>Meituan was fined on Monday.</p>"
    assert _sentences(text) == ["Tencent opened an office in 2021", "Meituan was fined on Monday."]


def test_sentences_keep_their_offsets_into_the_page_text() -> None:
    r = _rules()
    text = "<div><p><strong>Alibaba</strong> said it would invest.</p><br/><p>Shares rose.</p></div>"
    body = find_body(text, r.boilerplate, r.lexicon.sentences)
    assert [text[s.start:s.end] for s in body.sentences] == [s.text for s in body.sentences]
    assert len(body.sentences) == 2 and body.sentences[0].text.startswith("Alibaba")
    assert body.sentences[1].text == "Shares rose."


def test_chrome_rules_read_through_inline_tags() -> None:
    text = ('<p>Meituan was fined on Monday.</p><p><strong>Also Read: <a href="https://example.com/a">'
            'Tencent and Alibaba sign a pact</a></strong></p>')
    assert _sentences(text) == ["Meituan was fined on Monday."]


def test_a_line_printed_twice_is_read_once() -> None:
    caption = "A shop run by Gaotu Techedu Inc. in Qingdao."
    text = f"{caption}\n\n{caption}\n\nShares of Gaotu fell on Friday."
    assert _sentences(text) == [caption, "Shares of Gaotu fell on Friday."]


def test_a_short_repeated_word_is_kept() -> None:
    assert _sentences("Tencent\n\nTencent") == ["Tencent", "Tencent"]


def test_lines_of_page_chrome_are_dropped() -> None:
    text = ("Published: 16:39, April 23, 2024 | Updated: 19:37, April 23, 2024\n"
            "Jul 24, 2021 05:15 AM\n"
            "(PHOTO / CITY GOVERNMENT)\n"
            "READ MORE: City unveils a plan for tech firms\n"
            "Thursday, August 31, 2023\n"
            "By\n"
            "Web Desk\n"
            "Xiaomi opened a factory in Beijing.")
    assert _sentences(text) == ["Xiaomi opened a factory in Beijing."]


def test_a_sentence_that_starts_with_a_date_is_kept() -> None:
    text = "Jul 24, 2021 was the day the rules came out."
    assert _sentences(text) == [text]


def test_a_wire_end_marker_after_the_last_sentence_is_cut() -> None:
    assert _sentences("Tencent was fined on Monday, it said. Enditem") == ["Tencent was fined on Monday, it said."]
