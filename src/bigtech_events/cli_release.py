"""Commands for releases, diffs and citation (registered on the main command group)."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import UserError, naming

PATH = click.Path(path_type=Path)


@click.command()
@click.option("--package", "root", type=PATH, default=None, show_default="project root, else working directory",
              help="Package root to release (datapackage.json, dataset/, README.md, CHANGELOG.md, licences).")
@click.option("--out", "out_dir", type=PATH, default=None, show_default="<package>/build",
              help="Where the release zip and SHA256SUMS are written.")
@click.option("--previous", default=None, metavar="PATH|VERSION",
              help="Release to diff against (default: the newest older release in build/ or the registry).")
@click.option("--registry", type=PATH, default=None,
              show_default="<package>/src/bigtech_events/registry.txt, else the installed package's",
              help="Registry file that gets the release's sha256.")
@click.option("--seeds", "seeds_dir", type=PATH, default=None,
              help="Seed texts to check spans against (default: <package>/seeds if present).")
@click.option("--no-frictionless", is_flag=True, help="Skip the (slower) Frictionless pass of validation.")
def release(root: Path | None, out_dir: Path | None, previous: str | None, registry: Path | None,
            seeds_dir: Path | None, no_frictionless: bool) -> None:
    """Write build/china-bigtech-events-<version>.zip and build/SHA256SUMS.

    Refuses a version that is a smaller bump than the diff against the
    previous release needs; updates CHANGELOG.md, CITATION.cff, .zenodo.json
    and the registry.
    """
    from .install import reading
    from .paths import root_or_cwd
    from .release import release as run_release

    root = root or root_or_cwd()
    with naming(out_dir or root / "build"), reading(root):
        report = run_release(root, out_dir, previous=previous, registry=registry,
                             seeds_dir=seeds_dir, run_frictionless=not no_frictionless)
    against = f"diffed against {report.previous}" if report.previous else "first release"
    click.echo(f"released {report.zip_path} ({report.size} bytes, sha256 {report.sha256}); {against}")
    if report.diff is not None:
        level, reason = report.diff.required_bump()
        click.echo(f"changes need a {level} bump" + ("" if level == "none" else f" ({reason})"))
    click.echo("updated " + ", ".join(str(p) for p in report.updated))


@click.command()
@click.argument("old", type=PATH)
@click.argument("new", type=PATH)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--limit", type=int, default=20, show_default=True,
              help="Rows listed per table in text output (JSON lists all).")
def diff(old: Path, new: Path, fmt: str, limit: int) -> None:
    """Rows added, removed and changed (by primary key) and schema changes between OLD and NEW.

    OLD and NEW are package directories or release zips.
    """
    from .diff import diff_paths, render_json, render_text
    from .install import reading

    with naming(f"{old} or {new}"), reading(old), reading(new):
        result = diff_paths(old, new)
    click.echo(render_json(result) if fmt == "json" else render_text(result, limit), nl=False)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["apa", "bibtex", "cff", "zenodo"]), default="apa",
              show_default=True)
@click.option("--package", "package", type=PATH, default=None,
              help="Cite this package directory or release zip (default: the version in the project's "
                   "dataset.yaml).")
def cite(fmt: str, package: Path | None) -> None:
    """Print the citation of the current version (or of --package, from its datapackage.json)."""
    from .cite import meta_from_descriptor, render

    if package is not None:
        from .install import reading
        from .loader import PackageFiles

        with reading(package), PackageFiles(package) as pkg:
            meta = meta_from_descriptor(pkg.descriptor)
    else:
        from .metadata import load_dataset_meta
        from .paths import ROOT_ENV, find_root

        root = find_root()
        if root is None:
            raise UserError("no project found, so no dataset.yaml to cite: pass --package DIR|ZIP to cite a "
                            f"package or release, or name the project (run inside its checkout, pass --root DIR "
                            f"or set {ROOT_ENV})")
        meta = load_dataset_meta(root / "dataset.yaml")
    click.echo(render(meta, fmt), nl=False)


def register(cli: click.Group) -> None:
    """Add the release commands to ``cli``."""
    for command in (release, diff, cite):
        cli.add_command(command)
