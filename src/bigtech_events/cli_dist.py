"""Commands for a build beyond one machine: ``corpus`` and ``build-dist`` (see docs/scale.md)."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import naming
from .paths import project_path, project_root

PATH = click.Path(path_type=Path)


@click.command()
@click.option("--seeds", "seeds_dir", type=PATH, default=None, show_default="project seeds/",
              help="Directory of <article_id>.txt and .yaml seeds.")
@click.option("--out", "out_dir", type=PATH, required=True,
              help="New (or empty) directory the partitions are written to.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet"]), default="jsonl", show_default=True,
              help="Partition format.")
@click.option("--per-partition", type=int, default=1000, show_default=True, help="Articles per partition.")
def corpus(seeds_dir: Path | None, out_dir: Path, fmt: str, per_partition: int) -> None:
    """Write the seeds as a corpus for build-dist: part-00000.jsonl (or .parquet), ..., one record per article."""
    from .corpus import write_corpus

    seeds_dir = seeds_dir or project_path("seeds")
    with naming(out_dir):
        articles, parts = write_corpus(seeds_dir, out_dir, fmt, per_partition)
    click.echo(f"wrote {articles} article(s) in {parts} partition(s) to {out_dir}")


@click.command("build-dist")
@click.option("--corpus", "corpus_at", required=True, metavar="DIR|URL",
              help="Corpus written by `bigtech-events corpus`: a folder or an fsspec URL the workers can read.")
@click.option("--rules", "rules_dir", type=PATH, default=None, show_default="project rules/",
              help="Directory of curated rules (read here and sent to the workers).")
@click.option("--out", "out_dir", type=PATH, default=None, show_default="project root",
              help="Package root: datapackage.json and dataset/ are written here, by this process.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster of --workers processes).")
@click.option("--workers", type=int, default=2, show_default=True,
              help="Worker processes of the local cluster (ignored with --scheduler).")
@click.option("--frictionless", "run_frictionless", is_flag=True,
              help="Also run the Frictionless pass over the written CSVs, as `validate` does.")
def build_dist(corpus_at: str, rules_dir: Path | None, out_dir: Path | None, scheduler: str | None,
               workers: int, run_frictionless: bool) -> None:
    """Extract on a Dask cluster, then validate and write the package here (the same bytes as `build`)."""
    root = project_root()  # before the slow imports: without a project, fail at once
    from .distributed import build_distributed

    report = build_distributed(corpus_at, rules_dir or root / "rules", out_dir or root, scheduler, workers,
                               run_frictionless=run_frictionless)
    counts = ", ".join(f"{t} {n}" for t, n in report.counts.items())
    click.echo(f"built {report.out_dir / 'datapackage.json'} from {report.articles} article(s): {counts}")


def register(cli: click.Group) -> None:
    """Add the distributed-build commands to ``cli``."""
    for command in (corpus, build_dist):
        cli.add_command(command)
