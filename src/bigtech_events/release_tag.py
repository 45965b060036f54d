"""The release commit and its annotated tag ``v<version>``, when the release root is a git checkout.

``bigtech-events release`` run at the top of a git work tree commits what it
wrote there (CHANGELOG.md, CITATION.cff, .zenodo.json, croissant.json, the
registry) together with the package it released (``datapackage.json``,
``dataset/``), leaving every other change in the work tree alone, and tags that
commit ``v<version>`` with an annotated tag. Files that git ignores (``build/``)
are not committed. Outside a git checkout, or without git, nothing happens.
Releasing the same version again commits nothing and keeps the tag; a tag
``v<version>`` on another commit is refused in one line.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from .errors import UserError
from .fetch import NAME

PACKAGE_PATHS = ("datapackage.json", "dataset", "croissant.json")


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["git", "-C", str(root), *args], check=False, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        message = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise UserError(f"{root}: git {args[0]} failed ({message[-1] if message else proc.returncode}); "
                        "fix the checkout (user.name, user.email) or release outside git")
    return proc


def is_checkout_top(root: Path) -> bool:
    """True when ``root`` is the top directory of a git work tree (and git is installed)."""
    if shutil.which("git") is None:
        return False
    proc = _git(root, "rev-parse", "--show-toplevel", check=False)
    return proc.returncode == 0 and Path(proc.stdout.strip()).resolve() == root.resolve()


def _committable(root: Path, paths: Iterable[Path]) -> list[str]:
    rels = []
    for path in paths:
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue  # written outside the checkout
        if path.exists() and _git(root, "check-ignore", "-q", rel, check=False).returncode != 0:
            rels.append(rel)
    return sorted(set(rels))


def tag_name(version: str) -> str:
    return f"v{version}"


def tag_release(root: Path, version: str, written: Iterable[Path]) -> str | None:
    """Commit the release's files and tag the commit ``v<version>``; the tag, or None outside git."""
    root = Path(root)
    if not is_checkout_top(root):
        return None
    paths = _committable(root, [*written, *(root / p for p in PACKAGE_PATHS)])
    tag = tag_name(version)
    if paths:
        _git(root, "add", "--", *paths)
        if _git(root, "diff", "--cached", "--quiet", "--", *paths, check=False).returncode != 0:
            _git(root, "commit", "-q", "-m", f"Release {version}", "--", *paths)
    if refuse_moved_tag(root, version):
        return tag
    _git(root, "tag", "-a", tag, "-m", f"{NAME} {version}")
    return tag


def refuse_moved_tag(root: Path, version: str) -> bool:
    """Refuse when tag ``v<version>`` exists on a commit other than HEAD; True when it is on HEAD."""
    root = Path(root)
    if not is_checkout_top(root):
        return False
    tag = tag_name(version)
    existing = _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}^{{commit}}", check=False)
    if existing.returncode != 0:
        return False
    head = _git(root, "rev-parse", "HEAD").stdout.strip()
    if existing.stdout.strip() != head:
        raise UserError(f"{root}: tag {tag} is on commit {existing.stdout.strip()[:12]}, not on the release "
                        f"commit {head[:12]}; a released version never moves, bump the version")
    return True
