"""Seed metadata is checked on load, with one-line errors naming file and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import SEEDS_DIR

from bigtech_events.errors import UserError
from bigtech_events.seeds import check_seeds, iter_articles, load_article

GOOD = """title: A title
publisher: Somebody
published: 2023-07-16
language: en
"""


def _seed(tmp_path: Path, meta: str, name: str = "abc-article") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / f"{name}.txt").write_text("Some text.", encoding="utf-8")
    (tmp_path / f"{name}.yaml").write_text(meta, encoding="utf-8")
    return tmp_path / f"{name}.txt"


def test_repository_seed_loads_with_its_curated_facts():
    articles = list(iter_articles(SEEDS_DIR))
    assert articles, "seeds/ holds at least one article"
    seed = next(a for a in articles if a.meta.get("original_publisher") == "South China Morning Post")
    assert seed.meta["published"] == "2023-07-16"
    assert seed.meta["publisher"] == "Communications Today"
    dates = {(c.event_type, c.actor): c.date for c in seed.curated_dates}
    assert dates == {("penalty", "ant-group"): "2023-07-07", ("meeting", "li-qiang"): "2023-07-12"}


def test_seed_text_is_byte_identical_to_the_shared_original():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_ca264a3c04ffcd24.txt"
    if not shared.exists():
        pytest.skip("the shared original is not beside this checkout")
    ours = SEEDS_DIR / "scmp-2023-07-16-big-tech-crackdown-over.txt"
    assert ours.read_bytes() == shared.read_bytes()


def test_good_metadata_loads(tmp_path: Path):
    art = load_article(_seed(tmp_path, GOOD))
    assert art.meta["published"] == "2023-07-16"


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (GOOD + "colour: blue\n", r"abc-article.yaml:5: unknown key 'colour'"),
        (GOOD.replace("publisher: Somebody\n", ""), r"required key 'publisher' is missing"),
        (GOOD.replace("2023-07-16", "16 July 2023"), r"abc-article.yaml:3: 'published' is '16 July 2023'"),
        (GOOD.replace("2023-07-16", "2023-13-45"), r"'published' is '2023-13-45'"),
        (GOOD.replace("language: en", "language: English"), r"abc-article.yaml:4: 'language' is 'English'"),
        (GOOD + "notes:\n  - {fact: x}\n", r"note 1 must have 'fact' and 'source'"),
        ("title: [unclosed\n", r"not valid YAML"),
    ],
)
def test_bad_metadata_is_one_line_error_naming_file_and_key(tmp_path: Path, meta: str, expected: str):
    with pytest.raises(UserError, match=expected) as info:
        load_article(_seed(tmp_path, meta))
    assert "\n" not in str(info.value)


def test_bad_article_id_is_rejected(tmp_path: Path):
    with pytest.raises(UserError, match="must match"):
        load_article(_seed(tmp_path, GOOD, name="Bad_ID"))


def test_metadata_without_text_is_an_error(tmp_path: Path):
    (tmp_path / "lonely.yaml").write_text(GOOD)
    with pytest.raises(UserError, match="metadata without a text file"):
        list(iter_articles(tmp_path))


SOURCE = """    source:
      outlet: Reuters
      title: China fines Ant 7.1 billion yuan
      date: 2023-07-07
      url: https://www.nasdaq.com/articles/china-fines-ant-7.1-billion-yuan
"""
DATED = GOOD + "notes:\n  - fact: The fine was announced on 7 July 2023.\n" + SOURCE + \
    "    event: {type: penalty, actor: ant-group, date: 2023-07-07}\n"


def test_a_curated_event_date_keeps_the_citation_of_its_public_source(tmp_path: Path):
    art = load_article(_seed(tmp_path, DATED))
    (fact,) = art.curated_dates
    assert fact.source == ('Reuters, "China fines Ant 7.1 billion yuan", 2023-07-07, '
                           "https://www.nasdaq.com/articles/china-fines-ant-7.1-billion-yuan")


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        # a curated event date must name a public source, not a phrase
        (DATED.replace(SOURCE, "    source: other reports of the fine\n"),
         r"abc-article.yaml:6: note 1 dates an event, so its source must be a public source"),
        (DATED.replace("      outlet: Reuters\n", ""), r"abc-article.yaml:6: note 1 source lacks 'outlet'"),
        (DATED.replace("      date: 2023-07-07\n", "      date: 7 July\n"),
         r"note 1 source date '7 July' is not an ISO or EDTF date"),
        (DATED.replace("      url: https://", "      url: www."), r"note 1 source url is not an http\(s\) address"),
        (DATED.replace("      outlet: Reuters\n", "      outlet: Reuters\n      page: 3\n"),
         r"note 1 source has unknown key 'page'"),
        (DATED.replace("type: penalty", "type: fine"), r"note 1 event type 'fine' is not one of"),
    ],
)
def test_a_malformed_source_is_one_line_naming_the_note(tmp_path: Path, meta: str, expected: str):
    with pytest.raises(UserError, match=expected) as info:
        load_article(_seed(tmp_path, meta))
    assert "\n" not in str(info.value)


def test_a_note_without_an_event_may_cite_the_page_itself(tmp_path: Path):
    meta = GOOD + "notes:\n  - fact: The credit line names the first publisher.\n    source: the page itself\n"
    assert load_article(_seed(tmp_path, meta)).curated_dates == ()


def test_retrieved_is_the_recorded_day_or_null_never_a_guess(tmp_path: Path):
    from bigtech_events.extract.pipeline_rows import article_row

    with_day = load_article(_seed(tmp_path / "a", GOOD + "retrieved: 2024-05-01\n"))
    without = load_article(_seed(tmp_path / "b", GOOD))
    assert article_row(with_day, 0, 1)["retrieved"] == dt.date(2024, 5, 1)
    assert article_row(without, 0, 1)["retrieved"] is None


def test_every_bad_seed_is_reported_not_only_the_first(tmp_path: Path):
    _seed(tmp_path, GOOD + "colour: blue\n", name="first-bad")
    _seed(tmp_path, GOOD.replace("2023-07-16", "July"), name="second-bad")
    _seed(tmp_path, GOOD, name="fine-one")
    (tmp_path / "lonely.yaml").write_text(GOOD)
    texts, problems = check_seeds(tmp_path)
    assert [p.split(":")[0] for p in problems] == [str(tmp_path / n) for n in
                                                   ("lonely.yaml", "first-bad.yaml", "second-bad.yaml")]
    assert len(texts) == 3
