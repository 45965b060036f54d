"""Commands to browse a package: ``sqlite`` (registered on the main command group)."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import naming

PATH = click.Path(path_type=Path)


@click.command()
@click.argument("package", type=PATH, default=None, required=False)
@click.option("--out", "out_file", type=PATH, default=None,
              show_default="<package>/build/<name>-<version>.db, or <zip stem>.db beside a zip",
              help="SQLite file to write.")
def sqlite(package: Path | None, out_file: Path | None) -> None:
    """Write a SQLite database of PACKAGE (directory or release zip; default: the project root).

    Tables with primary and foreign keys, indexes, full-text search on events and actors, and the
    views event_details and actor_events; the same package gives the same bytes.
    """
    from .install import reading
    from .paths import root_or_cwd
    from .sqlite import write_sqlite

    package = package or root_or_cwd()
    with naming(out_file or package), reading(package):
        report = write_sqlite(package, out_file)
    counts = ", ".join(f"{t} {n}" for t, n in report.counts.items())
    click.echo(f"wrote {report.path}: {counts}")


def register(cli: click.Group) -> None:
    """Add the browsing commands to ``cli``."""
    for command in (sqlite,):
        cli.add_command(command)
