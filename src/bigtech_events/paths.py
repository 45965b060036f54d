"""Where the project's inputs live, and where the files shipped inside the package are.

The project root is the directory holding ``dataset.yaml`` and ``rules/``
(beside ``seeds/`` and ``schemas/``): a checkout of the repository. It is,
in order of precedence:

1. ``bigtech-events --root DIR`` (the command sets it with :func:`set_root`);
2. the environment variable ``BIGTECH_EVENTS_ROOT``;
3. the working directory, or the nearest of its parents holding those files.

It never comes from this module's location: an installed package has no
project beside it. Only the commands that read the project (``build``,
``explain``, ``cite`` without ``--package``, ...) need one; loading, citing
and validating a package directory or release zip do not.

Files shipped inside the package (``registry.txt``, the CFF schema) are
found with :mod:`importlib.resources`, wherever the package is installed.
"""

from __future__ import annotations

import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import UserError

ROOT_ENV = "BIGTECH_EVENTS_ROOT"
MARKER_FILE = "dataset.yaml"
MARKER_DIR = "rules"
HOW_TO_FIX = f"run it inside the project's checkout, pass --root DIR or set {ROOT_ENV}"

_root_option: Path | None = None


def is_project(path: Path) -> bool:
    """Whether ``path`` holds ``dataset.yaml`` and ``rules/``."""
    return (path / MARKER_FILE).is_file() and (path / MARKER_DIR).is_dir()


def _checked(path: Path, source: str) -> Path:
    if not is_project(path):
        raise UserError(f"{path}: not the project root ({source}); it must hold {MARKER_FILE} and "
                        f"{MARKER_DIR}/: name the checkout's top directory")
    return path.resolve()


def set_root(path: Path | None) -> None:
    """Use ``path`` as the project root (``--root``); ``None`` goes back to the environment and cwd."""
    global _root_option
    _root_option = None if path is None else _checked(Path(path), "--root")


#: Roots found, by where they were looked for: a root found before is only checked to still be one
#: (two ``stat`` calls), not resolved and searched for again (the seeds' checks ask for every article).
_FOUND: dict[tuple[str, str], Path] = {}


def find_root(cwd: Path | None = None) -> Path | None:
    """The project root (``--root``, else ``$BIGTECH_EVENTS_ROOT``, else cwd and its parents); None if none."""
    if _root_option is not None:
        return _root_option
    env = os.environ.get(ROOT_ENV)
    where = ("env", env) if env else ("cwd", str(cwd or os.getcwd()))
    found = _FOUND.get(where)
    if found is not None and is_project(found):
        return found
    if env:
        found = _checked(Path(env), ROOT_ENV)
    else:
        start = (cwd or Path.cwd()).resolve()
        found = next((d for d in (start, *start.parents) if is_project(d)), None)
    if found is not None:
        _FOUND[where] = found
    return found


def project_root() -> Path:
    """The project root; a one-line :class:`UserError` when there is none."""
    root = find_root()
    if root is None:
        raise UserError(f"no project found: neither {Path.cwd()} nor a parent holds {MARKER_FILE} and "
                        f"{MARKER_DIR}/; {HOW_TO_FIX}")
    return root


def root_or_cwd() -> Path:
    """The project root when there is one, else the working directory (where a package is looked for)."""
    return find_root() or Path(".")


def project_path(*parts: str) -> Path:
    """A path inside the project (``seeds``, ``rules``, ``schemas``, ``dataset.yaml``, ...)."""
    return project_root().joinpath(*parts)


def package_file(name: str) -> Traversable:
    """A file shipped inside the installed package (``registry.txt``, the CFF schema)."""
    return files(__package__).joinpath(name)
