"""The ``bigtech-events`` command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import UserError, ValidationFailed
from .paths import REPO_ROOT, RULES_DIR, SEEDS_DIR

PATH = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="china-bigtech-events")
def cli() -> None:
    """Build, validate, release and cite the china-bigtech-events dataset."""


@cli.command()
@click.option("--seeds", "seeds_dir", type=PATH, default=SEEDS_DIR, show_default="repository seeds/",
              help="Directory of <article_id>.txt and .yaml seeds.")
@click.option("--rules", "rules_dir", type=PATH, default=RULES_DIR, show_default="repository rules/",
              help="Directory of curated rules.")
@click.option("--out", "out_dir", type=PATH, default=Path("."), show_default="current directory",
              help="Package root: datapackage.json and dataset/ are written here.")
@click.option("--jobs", type=int, default=0, help="Worker processes (0: one per core).")
def build(seeds_dir: Path, rules_dir: Path, out_dir: Path, jobs: int) -> None:
    """Extract, validate and write the package (nothing is written unless it validates)."""
    import os

    from .build import build as run_build

    report = run_build(seeds_dir, rules_dir, out_dir, jobs=jobs or (os.cpu_count() or 1))
    counts = ", ".join(f"{t} {n}" for t, n in report.counts.items())
    click.echo(f"built {report.out_dir / 'datapackage.json'} from {report.articles} article(s): {counts}")


@cli.command()
@click.argument("path", type=PATH, default=Path("."), required=False)
@click.option("--seeds", "seeds_dir", type=PATH, default=None,
              help="Seed texts to check spans against (default: the repository's seeds/ if present).")
@click.option("--no-frictionless", is_flag=True, help="Skip the (slower) Frictionless pass.")
def validate(path: Path, seeds_dir: Path | None, no_frictionless: bool) -> None:
    """Validate a package directory or a release zip."""
    from .validate import validate_path

    if seeds_dir is None and SEEDS_DIR.is_dir():
        seeds_dir = SEEDS_DIR
    problems = validate_path(path, seeds_dir=seeds_dir, run_frictionless=not no_frictionless)
    if problems:
        raise ValidationFailed(problems)
    click.echo(f"{path}: valid")


def main(argv: list[str] | None = None) -> None:
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
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


__all__ = ["cli", "main", "REPO_ROOT"]


def _register_extra_commands() -> None:
    from .cli_release import register

    register(cli)


_register_extra_commands()
