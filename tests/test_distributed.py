"""The distributed build: a corpus of partitions, extracted on a Dask cluster, gives the local package.

The cluster tests start a LocalCluster of 2 worker processes (one thread each) once for the
module and bound the extraction wait with a timeout, so that a stuck cluster fails the test
instead of hanging it; they are marked ``dist`` (``pytest -m "not dist"`` leaves them out).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from helpers import REPO, RULES_DIR, SEEDS_DIR

from bigtech_events.build import build
from bigtech_events.cli import cli, main
from bigtech_events.corpus import read_articles, write_corpus
from bigtech_events.diff import diff_paths
from bigtech_events.distributed import (
    PartitionRows,
    WorkerContext,
    build_distributed,
    extract_partition,
)
from bigtech_events.errors import UserError
from bigtech_events.evaluate import prepare_seeds
from bigtech_events.seeds import iter_articles
from bigtech_events.validate import validate_path

#: Seconds the cluster may take to extract the seed and synthetic articles (about 10 on an idle machine).
CLUSTER_TIMEOUT = 60


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's seed plus the synthetic articles, as one seeds folder."""
    out = tmp_path_factory.mktemp("seeds")
    for path in SEEDS_DIR.iterdir():
        shutil.copyfile(path, out / path.name)
    prepare_seeds(REPO / "tests" / "fixtures" / "synthetic", out)
    return out


def _write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _record(article_id: str, **meta: str) -> dict:
    metadata = {"title": "T", "publisher": "P", "published": "2023-07-16", "language": "en", **meta}
    return {"article_id": article_id, "metadata": metadata, "text": "Tencent signed a deal.\n"}


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_corpus_holds_each_seed_article_exactly(seeds: Path, tmp_path: Path, fmt: str) -> None:
    articles, parts = write_corpus(seeds, tmp_path / "corpus", fmt, per_partition=4)
    expected = list(iter_articles(seeds))
    assert (articles, parts) == (len(expected), -(-len(expected) // 4))
    got = [a for p in sorted((tmp_path / "corpus").iterdir()) for a in read_articles(str(p))]
    key = [(a.article_id, a.text, a.text_sha256, a.meta, a.curated_dates) for a in expected]
    assert [(a.article_id, a.text, a.text_sha256, a.meta, a.curated_dates) for a in got] == key


def test_a_parquet_partition_has_one_row_per_article_with_its_metadata_as_json(seeds: Path, tmp_path: Path) -> None:
    write_corpus(seeds, tmp_path / "c", "parquet", per_partition=1000)
    table = pq.read_table(tmp_path / "c" / "part-00000.parquet")
    assert table.column_names == ["article_id", "metadata", "text"]
    rows = {r["article_id"]: r for r in table.to_pylist()}
    assert len(rows) == len(list(seeds.glob("*.txt")))
    seed = next(SEEDS_DIR.glob("*.txt"))
    assert rows[seed.stem]["text"] == seed.read_text(encoding="utf-8")
    assert json.loads(rows[seed.stem]["metadata"])["publisher"] == "Communications Today"


def test_writing_a_corpus_into_a_folder_with_files_is_refused(seeds: Path, tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "old.txt").write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="not an empty directory"):
        write_corpus(seeds, tmp_path / "c")


def test_a_record_out_of_article_order_names_its_line(tmp_path: Path) -> None:
    part = tmp_path / "part-00000.jsonl"
    _write_jsonl(part, [_record("bbb"), _record("aaa")])
    with pytest.raises(UserError, match=r"part-00000\.jsonl:2: article aaa comes after bbb"):
        list(read_articles(str(part)))


def test_a_record_with_an_unknown_metadata_key_is_checked_like_a_seed(tmp_path: Path) -> None:
    part = tmp_path / "part-00000.jsonl"
    _write_jsonl(part, [_record("aaa", authr="X")])
    with pytest.raises(UserError, match=r"part-00000\.jsonl:1: metadata: unknown key 'authr'"):
        list(read_articles(str(part)))


def test_a_line_that_is_not_json_names_its_line(tmp_path: Path) -> None:
    part = tmp_path / "part-00000.jsonl"
    part.write_text(json.dumps(_record("aaa")) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"part-00000\.jsonl:2: not JSON"):
        list(read_articles(str(part)))


def test_a_worker_with_other_code_refuses_the_task(tmp_path: Path) -> None:
    rows = extract_partition(str(tmp_path / "part-00000.jsonl"), WorkerContext(None, {}), "0" * 64)  # type: ignore[arg-type]
    assert isinstance(rows, PartitionRows) and rows.results == []
    assert "other bigtech_events code" in str(rows.error)


def test_the_corpus_command_writes_partitions(seeds: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["corpus", "--seeds", str(seeds), "--out", str(tmp_path / "c"),
                                      "--per-partition", "10"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["part-00000.jsonl", "part-00001.jsonl",
                                                                  "part-00002.jsonl"]


# ---------------------------------------------------------------- on a cluster of 2 worker processes


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed", reason="Dask is not installed (pip install '.[dist]')")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address


def _digests(root: Path) -> dict[str, str]:
    files = [root / "datapackage.json", *sorted((root / "dataset").iterdir())]
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.mark.dist
def test_the_distributed_build_writes_the_local_package_byte_for_byte(seeds: Path, scheduler: str,
                                                                       tmp_path: Path) -> None:
    build(seeds, RULES_DIR, tmp_path / "local", jobs=1)
    write_corpus(seeds, tmp_path / "corpus", "parquet", per_partition=4)  # 6 partitions for 2 workers
    # the Frictionless pass is left to the local build: the same bytes pass or fail it alike
    report = build_distributed(str(tmp_path / "corpus"), RULES_DIR, tmp_path / "dist", scheduler=scheduler,
                               run_frictionless=False, timeout=CLUSTER_TIMEOUT)
    assert report.articles == len(list(seeds.glob("*.txt")))
    assert _digests(tmp_path / "dist") == _digests(tmp_path / "local")
    assert all(t.is_empty for t in diff_paths(tmp_path / "local", tmp_path / "dist").tables)
    assert validate_path(tmp_path / "dist", seeds_dir=seeds, run_frictionless=False) == []


@pytest.mark.dist
def test_a_bad_record_stops_build_dist_with_one_line_and_writes_nothing(scheduler: str, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    _write_jsonl(tmp_path / "corpus" / "part-00000.jsonl", [_record("aaa", published="July 2023")])
    with pytest.raises(SystemExit) as stopped:
        main(["build-dist", "--corpus", str(tmp_path / "corpus"), "--scheduler", scheduler,
              "--out", str(tmp_path / "out")])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "part-00000.jsonl:1: metadata: 'published' is 'July 2023', not an ISO or EDTF date" in err
    assert not (tmp_path / "out" / "datapackage.json").exists()
