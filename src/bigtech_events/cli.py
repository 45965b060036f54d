"""The ``bigtech-events`` command."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

import click

from .errors import Terminated, UserError, ValidationFailed, naming, os_error_message
from .paths import ROOT_ENV, find_root, project_path, project_root, root_or_cwd, set_root
from .workers import use_returning_allocator

PATH = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=None, metavar="DIR",
              help=f"Project root (dataset.yaml, rules/, seeds/, schemas/). Default: ${ROOT_ENV}, else the "
                   "working directory or its nearest parent holding dataset.yaml and rules/.")
@click.version_option(package_name="china-bigtech-events")
def cli(root: Path | None) -> None:
    """Build, validate, release and cite the china-bigtech-events dataset."""
    set_root(root)
    click.get_current_context().call_on_close(lambda: set_root(None))


def project_dir(given: Path | None, name: str) -> Path:
    """``given``, else the project's ``name`` directory (a one-line error when there is no project)."""
    return given if given is not None else project_path(name)


@cli.command()
@click.option("--seeds", "seeds_dir", type=PATH, default=None, show_default="project seeds/",
              help="Directory of <article_id>.txt and .yaml seeds.")
@click.option("--rules", "rules_dir", type=PATH, default=None, show_default="project rules/",
              help="Directory of curated rules.")
@click.option("--out", "out_dir", type=PATH, default=None, show_default="project root",
              help="Package root: datapackage.json and dataset/ are written here.")
@click.option("--jobs", type=int, default=0, help="Worker processes (0: one per core).")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              metavar="DIR", show_default="project .cache/bigtech-events/",
              help="Keep each article's extracted rows here; only changed articles are extracted again.")
@click.option("--no-cache", is_flag=True, help="Extract every article; neither read nor write the cache.")
@click.option("--frictionless", "run_frictionless", is_flag=True,
              help="Also run the Frictionless pass over the written CSVs, as `validate` does.")
def build(seeds_dir: Path | None, rules_dir: Path | None, out_dir: Path | None, jobs: int,
          cache_dir: Path | None, no_cache: bool, run_frictionless: bool) -> None:
    """Extract, validate and write the package (nothing is written unless it validates).

    Every check of `validate` is made, except the slow Frictionless pass unless --frictionless.

    Needs the project (its dataset.yaml and schemas/) even when --seeds and --rules are given.
    """
    import os

    from .install import prepare_out_dir

    root = project_root()  # before the slow imports: without a project, fail at once
    out_dir = out_dir or root
    prepare_out_dir(out_dir)  # likewise for an output directory that cannot be written
    if no_cache and cache_dir is not None:
        raise UserError("--cache and --no-cache both given; pass one of them")
    from .build import build as run_build
    from .cache import default_cache_dir

    report = run_build(seeds_dir or root / "seeds", rules_dir or root / "rules", out_dir,
                       jobs=jobs or (os.cpu_count() or 1), run_frictionless=run_frictionless,
                       cache_dir=None if no_cache else cache_dir or default_cache_dir(root))
    counts = ", ".join(f"{t} {n}" for t, n in report.counts.items())
    cached = "" if report.extracted is None else f" ({report.extracted} extracted, the rest from the cache)"
    click.echo(f"built {report.out_dir / 'datapackage.json'} from {report.articles} article(s){cached}: {counts}")
    from . import timing

    if timing.ON:
        click.echo(timing.report_line(), err=True)


@cli.command()
@click.argument("path", type=PATH, default=None, required=False)
@click.option("--seeds", "seeds_dir", type=PATH, default=None,
              help="Article texts (<article_id>.txt) to check spans against (default: the project's "
                   "seeds/ if there is one).")
@click.option("--no-frictionless", is_flag=True, help="Skip the (slower) Frictionless pass.")
@click.option("--jobs", type=int, default=0, help="Worker processes for the table checks and the Frictionless pass (0: one per core).")
def validate(path: Path | None, seeds_dir: Path | None, no_frictionless: bool, jobs: int) -> None:
    """Validate a package directory or a release zip (default: the project root, else the working directory).

    Spans are checked for the articles whose text is at hand; a line says which were skipped.
    """
    from .install import reading
    from .validate import check_path

    path = path or root_or_cwd()
    if seeds_dir is not None and not seeds_dir.is_dir():
        raise UserError(f"{seeds_dir}: --seeds is not a directory; give the folder holding <article_id>.txt")
    root = find_root()
    if seeds_dir is None and root is not None and (root / "seeds").is_dir():
        seeds_dir = root / "seeds"
    with naming(path), reading(path):
        report = check_path(path, seeds_dir=seeds_dir, run_frictionless=not no_frictionless, jobs=jobs)
    skipped = report.skipped()
    if skipped:
        click.echo(f"{path}: {skipped}")
    if report.problems:
        raise ValidationFailed(report.problems)
    click.echo(f"{path}: valid")


@cli.command("add-article")
@click.argument("file", type=PATH)
@click.option("--title", required=True, help="Headline of the article.")
@click.option("--published", required=True, help="Publication date, ISO or EDTF (2023-07-16, 2023-07~).")
@click.option("--publisher", default=None, help="Where the text was obtained.")
@click.option("--original-publisher", default=None, help="Outlet that first published it, if republished.")
@click.option("--url", default=None, help="Address of the page the text came from.")
@click.option("--language", default="en", show_default=True, help="BCP 47 language tag.")
@click.option("--retrieved", default=None, help="Date the text was obtained (ISO).")
@click.option("--id", "article_id", default=None, help="Article id (default: date and title slug).")
@click.option("--seeds", "seeds_dir", type=PATH, default=None, show_default="project seeds/")
def add_article_cmd(file: Path, title: str, published: str, publisher: str | None,
                    original_publisher: str | None, url: str | None, language: str,
                    retrieved: str | None, article_id: str | None, seeds_dir: Path | None) -> None:
    """Copy FILE into seeds/ (byte for byte) and write its metadata."""
    from .curator import add_article

    path = add_article(file, title, published, project_dir(seeds_dir, "seeds"), publisher, url, language,
                       original_publisher, article_id, retrieved)
    click.echo(f"added {path} and {path.with_suffix('.yaml').name}; run `bigtech-events explain {path.stem}`")


@cli.command()
@click.argument("article_id")
@click.option("--seeds", "seeds_dir", type=PATH, default=None, show_default="project seeds/")
@click.option("--rules", "rules_dir", type=PATH, default=None, show_default="project rules/")
def explain(article_id: str, seeds_dir: Path | None, rules_dir: Path | None) -> None:
    """Print, sentence by sentence, which rules fired and what they produced."""
    from .curator import explain as run

    click.echo(run(article_id, project_dir(seeds_dir, "seeds"), project_dir(rules_dir, "rules")))


@cli.command("lint-rules")
@click.option("--rules", "rules_dir", type=PATH, default=None, show_default="project rules/")
def lint_rules_cmd(rules_dir: Path | None) -> None:
    """Check the curated rules: ids, aliases, types, codes, regular expressions.

    Also notes (not problems) the patterns with no literal cue word, tried on every sentence."""
    from .lint import lint_rules

    rules_dir = project_dir(rules_dir, "rules")
    problems = lint_rules(rules_dir)
    if problems:
        raise ValidationFailed(problems)
    click.echo(f"{rules_dir}: no problems")
    from .lint import cueless_rules

    for line in cueless_rules(rules_dir):  # information, on standard error: stdout stays the verdict
        click.echo(f"note: {line}", err=True)


@cli.command()
@click.argument("annotated", type=PATH)
@click.option("--rules", "rules_dir", type=PATH, default=None, show_default="project rules/")
@click.option("--misses", is_flag=True, help="List every expected row that was not produced.")
def evaluate(annotated: Path, rules_dir: Path | None, misses: bool) -> None:
    """Score the rules against hand-annotated articles (tests/fixtures/synthetic format)."""
    from .evaluate import evaluate_dir, report

    total, per = evaluate_dir(annotated, project_dir(rules_dir, "rules"))
    click.echo(report(total, per))
    if misses:
        for line in total.misses:
            click.echo(f"  {line}")


@cli.command()
@click.argument("package", type=PATH, default=None, required=False)
@click.option("--out", "out_dir", type=PATH, default=None, show_default="project docs/figures/",
              help="Directory the figures are written to.")
def report(package: Path | None, out_dir: Path | None) -> None:
    """Draw an event timeline and an actor network of PACKAGE (directory or release zip) as SVG and PNG.

    PACKAGE defaults to the project root, else the working directory.
    """
    from .install import reading
    from .report import write_figures

    package = package or root_or_cwd()
    out_dir = out_dir or (find_root() or Path(".")) / "docs" / "figures"
    with naming(out_dir), reading(package):
        figures = write_figures(package, out_dir)
    click.echo(f"drew {figures.events} events and {figures.links} source-target links into "
               + ", ".join(str(p) for p in figures.paths))


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def main(argv: list[str] | None = None) -> None:
    """Run the command; every error a user or the machine can cause ends in one line and an exit status."""
    signal.signal(signal.SIGTERM, _terminate)  # stops like Ctrl-C: temporary files go, nothing half-installed
    use_returning_allocator()
    try:
        _run(argv)
    except Terminated as exc:
        click.echo(f"error: {exc} before the command finished; nothing half-written is left: run it again",
                   err=True)
        sys.exit(128 + exc.signum)


def _run(argv: list[str] | None) -> None:
    try:
        cli.main(args=argv, prog_name="bigtech-events", standalone_mode=False)
    except ValidationFailed as exc:
        for line in exc.problems:
            click.echo(f"error: {line}", err=True)
        sys.exit(1)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        sys.exit(130)
    except OSError as exc:
        click.echo(f"error: {os_error_message(exc)}", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


__all__ = ["cli", "main"]


def _register_extra_commands() -> None:
    from . import cli_browse, cli_dist, cli_release

    cli_release.register(cli)
    cli_browse.register(cli)
    cli_dist.register(cli)


_register_extra_commands()
