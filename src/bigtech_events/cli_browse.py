"""Commands to browse a package: ``sqlite`` and ``serve`` (registered on the main command group)."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import Terminated, naming

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


@click.command()
@click.argument("package", type=PATH, default=None, required=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port to listen on (0: any free port).")
def serve(package: Path | None, host: str, port: int) -> None:
    """Browse PACKAGE in Datasette until Ctrl-C (default: the project root).

    PACKAGE is a package directory, a release zip or a .db file from `bigtech-events sqlite`.
    Needs the serve extra: pip install 'china-bigtech-events[serve]'.
    """
    from .paths import root_or_cwd
    from .serve import serve as run_serve

    package = package or root_or_cwd()
    try:
        run_serve(package, host=host, port=port,
                  announce=lambda url: click.echo(f"serving {package} at {url} (Ctrl-C stops)"))
    except (KeyboardInterrupt, Terminated):
        click.echo("stopped")


def register(cli: click.Group) -> None:
    """Add the browsing commands to ``cli``."""
    for command in (sqlite, serve):
        cli.add_command(command)
