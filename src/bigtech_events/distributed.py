"""Build on a Dask cluster: the local build's extraction, run on workers over corpus partitions.

Map: each task reads one corpus partition (:mod:`bigtech_events.corpus`), checks every record
as a seed is checked, runs :meth:`Extractor.extract` (the pure per-article function of the local
build) on each article, checks that every span reproduces its text, and returns the rows.
Reduce: this process takes the partitions' rows in corpus order and writes, validates and
installs the package with the local build's own writer, validator and installer, so the package
is byte for byte the one ``bigtech-events build`` writes from the same articles.

Without a scheduler address a :class:`distributed.LocalCluster` of worker processes is started
here; with one (``tcp://host:8786``) the tasks run on that cluster, whose workers must reach the
corpus (a shared folder or an fsspec URL such as ``s3://bucket/corpus``) and run the same code
(checked: a worker with other code refuses the task). See ``docs/scale.md``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import logging
import time
from collections import deque
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from .build import BuildReport, exchange_rate_rows, write_results
from .cache import Extracted
from .contract.vocab import use_schemas
from .corpus import list_partitions, read_articles, seed_order
from .datapackage import source_entry
from .errors import UserError, ValidationFailed, naming
from .extract import ArticleResult, Extractor
from .install import install, prepare_out_dir, workspace
from .ruleset import load_rules
from .schemas import load_schemas
from .seeds import Article
from .validate import validate_dir
from .validate_spans import SPANS

#: Partitions submitted ahead of the one being written, per worker thread: enough to keep every
#: worker busy, few enough that finished rows waiting for the writer stay bounded.
AHEAD_PER_THREAD = 2


@dataclasses.dataclass
class PartitionRows:
    """What a task returns for one partition: its articles' rows, any span that does not match, and
    the one-line error of a record a user must fix (returned, not raised: a worker logs what it raises)."""

    address: str
    results: list[tuple[Article, ArticleResult]]
    problems: list[str]
    error: UserError | None = None


@dataclasses.dataclass(frozen=True)
class WorkerContext:
    """All a worker needs besides the code, sent once to each: the compiled rules and the table
    schemas (the vocabularies and id patterns that records are checked against)."""

    extractor: Extractor
    schemas: dict[str, dict[str, Any]]


@functools.cache
def code_fingerprint() -> str:
    """sha256 over this package's Python sources: workers must extract with the code that writes."""
    import bigtech_events  # the installed package's own sources, wherever it is installed

    digest = hashlib.sha256()
    root = Path(bigtech_events.__path__[0])
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def span_problems(article: Article, result: ArticleResult) -> list[str]:
    """Every row's span reproduces its recorded text (the check ``validate --seeds`` makes)."""
    problems = []
    for table, col, start, end in SPANS:
        for row in result.rows.get(table, []):
            got = article.text[row[start]:row[end]]
            if got != row[col]:
                problems.append(f"{table}:article {article.article_id}:column {col}: text[{row[start]}:"
                                f"{row[end]}] is {got!r}, not the recorded {row[col]!r} (rule {row.get('rule_id')})"
                                "; fix the offsets or the rule")
    return problems


def extract_partition(address: str, context: WorkerContext, fingerprint: str) -> PartitionRows:
    """The task run on a worker: one partition's articles, extracted, without their texts."""
    rows = PartitionRows(address, [], [])
    try:
        if fingerprint != code_fingerprint():
            raise UserError(f"{address}: a worker runs other bigtech_events code than the build; install the "
                            "same version on every worker")
        use_schemas(context.schemas)
        _extract_into(rows, context.extractor)
    except UserError as exc:
        rows.results, rows.error = [], exc
    return rows


def _extract_into(rows: PartitionRows, extractor: Extractor) -> None:
    for article in read_articles(rows.address):
        result = extractor.extract(article)
        rows.problems += span_problems(article, result)
        # the writer needs neither the text nor the explain trace: both stay on the worker
        rows.results.append((dataclasses.replace(article, text=""),
                             dataclasses.replace(result, trace=[], sentences=[])))


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, else of a LocalCluster of ``workers`` processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UserError("the distributed build needs Dask; install it with "
                        "pip install 'china-bigtech-events[dist]'") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise UserError(f"{scheduler}: cannot reach the Dask scheduler ({exc}); start it "
                            "(dask scheduler) or leave out --scheduler") from None
        with client:
            yield client
        return
    if workers < 1:
        raise UserError(f"--workers is {workers}; give 1 or more worker processes")
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def gathered_results(client: Any, context: WorkerContext, addresses: list[str], problems: list[str],
                     timeout: float | None = None) -> Generator[Extracted, None, None]:
    """Extraction results in corpus order, a few partitions in flight at a time.

    ``timeout`` bounds the wait for the last partition (:class:`TimeoutError` after it).
    Span problems found by the workers are added to ``problems``; an article out of order
    across partitions, or a task that fails, stops the build with one line.
    """
    shared = client.scatter(context, broadcast=True, hash=False)
    threads = sum(client.nthreads().values()) or 1
    pending = iter(addresses)
    flight: deque[Any] = deque()

    def submit() -> None:
        address = next(pending, None)
        if address is not None:
            flight.append(client.submit(extract_partition, address, shared, code_fingerprint(), pure=False))

    for _ in range(threads * AHEAD_PER_THREAD):
        submit()
    deadline = None if timeout is None else time.monotonic() + timeout
    last: str | None = None
    try:
        while flight:
            future = flight.popleft()
            part = _result(future, deadline)
            future.release()
            submit()
            if part.error is not None:
                raise part.error
            problems.extend(part.problems)
            for article, result in part.results:
                if last is not None and seed_order(article.article_id) <= seed_order(last):
                    raise UserError(f"{part.address}: article {article.article_id} comes after {last} of an earlier "
                                    "partition; partitions must be in article-id order (write the corpus with "
                                    "`bigtech-events corpus`)")
                last = article.article_id
                yield Extracted(source_entry(article), result)
    finally:
        for future in flight:
            future.cancel()
        shared.release()


def _result(future: Any, deadline: float | None) -> PartitionRows:
    from distributed import KilledWorker

    try:
        return future.result(timeout=None if deadline is None else max(deadline - time.monotonic(), 0.001))
    except KilledWorker:
        raise UserError("a Dask worker died while extracting articles (memory?); run the build again with "
                        "more memory per worker") from None


def build_distributed(corpus: str, rules_dir: Path, out_dir: Path, scheduler: str | None = None,
                      workers: int = 2, run_frictionless: bool = False,
                      timeout: float | None = None) -> BuildReport:
    """Build, validate and atomically install the package of ``corpus`` at ``out_dir`` on Dask.

    ``timeout`` (seconds, from when the tasks are submitted) bounds the wait for all the rows.
    Validated as :func:`bigtech_events.build.build` validates (Frictionless with ``run_frictionless``).
    """
    prepare_out_dir(out_dir)
    # here, not on a worker: every problem in the rules is reported before any work
    context = WorkerContext(Extractor(load_rules(rules_dir)), load_schemas())
    addresses = list_partitions(corpus)
    problems: list[str] = []
    with dask_client(scheduler, workers) as client, naming(out_dir), workspace(out_dir) as tmp:
        counts, articles = write_results(tmp, gathered_results(client, context, addresses, problems, timeout),
                                        exchange_rate_rows(rules_dir))
        problems += validate_dir(tmp, seeds_dir=None, run_frictionless=run_frictionless)
        if problems:
            raise ValidationFailed(problems)
        install(tmp, out_dir)
    return BuildReport(out_dir, counts, articles)
