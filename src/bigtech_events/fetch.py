"""Download a release with pooch and verify it against the registry shipped in the package.

The registry, ``registry.txt``, ships inside the package (it is read with
:mod:`importlib.resources`, so it is found wherever the package is
installed). It has one line per published release,
``china-bigtech-events-<version>.zip sha256:<hex>``, written by
``bigtech-events release``. A download whose sha256 differs is refused and
not kept.

Where releases are downloaded from: the ``base_url`` argument, else the
environment variable ``BIGTECH_EVENTS_BASE_URL``. There is no built-in
address yet (the project has no public home): a release already in the
cache with the registered hash is used without one.

Where they are cached: the ``cache_dir`` argument, else the environment
variable ``BIGTECH_EVENTS_CACHE``, else ``pooch.os_cache("bigtech-events")``.

>>> path = fetch("0.1.0", base_url="https://example.org/releases")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
from importlib.resources.abc import Traversable
from pathlib import Path

import pooch

from .errors import UserError
from .metadata import SEMVER
from .paths import package_file
from .safezip import sha256_file

NAME = "china-bigtech-events"
REGISTRY = package_file("registry.txt")
BASE_URL_ENV = "BIGTECH_EVENTS_BASE_URL"
CACHE_ENV = "BIGTECH_EVENTS_CACHE"
TIMEOUT_S = 60


def release_name(version: str) -> str:
    """File name of the release archive of ``version``."""
    return f"{NAME}-{version}.zip"


def read_registry(path: Path | Traversable | None = None) -> dict[str, str]:
    """``{file name: "sha256:<hex>"}`` from a registry file (``#`` comments and blank lines ignored)."""
    path = path or REGISTRY
    entries: dict[str, str] = {}
    if not path.is_file():
        return entries
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].startswith("sha256:") or len(parts[1]) != 71:
            raise UserError(f"{path}:{lineno}: expected '<file> sha256:<64 hex digits>'; fix the line")
        entries[parts[0]] = parts[1]
    return entries


def registered_versions(path: Path | Traversable | None = None) -> list[str]:
    """Versions in the registry, oldest first."""
    prefix, suffix = f"{NAME}-", ".zip"
    versions = [n[len(prefix):-len(suffix)] for n in read_registry(path)
                if n.startswith(prefix) and n.endswith(suffix)]
    return sorted((v for v in versions if SEMVER.match(v)), key=version_key)


def version_key(version: str) -> tuple[int, int, int]:
    """``"1.10.2"`` -> ``(1, 10, 2)`` for ordering."""
    m = SEMVER.match(version)
    if not m:
        raise UserError(f"version {version!r} is not MAJOR.MINOR.PATCH")
    return int(m[1]), int(m[2]), int(m[3])


def cache_path(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The download cache directory (argument, environment, or the OS cache)."""
    chosen = cache_dir or os.environ.get(CACHE_ENV)
    return Path(chosen) if chosen else Path(pooch.os_cache("bigtech-events"))


def fetch(version: str, base_url: str | None = None, cache_dir: str | os.PathLike[str] | None = None,
          registry: Path | Traversable | None = None) -> Path:
    """Download (or reuse from the cache) the release zip of ``version`` and verify its sha256.

    Returns the path of the verified zip in the cache. Raises
    :class:`~bigtech_events.errors.UserError` for an unknown version, a
    missing download address, a failed download, or a file whose sha256 is
    not the registered one (that file is not kept).
    """
    version_key(version)
    fname = release_name(version)
    entries = read_registry(registry)
    if fname not in entries:
        known = ", ".join(registered_versions(registry)) or "none yet"
        raise UserError(f"version {version} is not in the release registry (released: {known})")
    known_hash = entries[fname]
    cache = cache_path(cache_dir)
    cached = cache / fname
    if cached.is_file() and sha256_file(cached) == known_hash[7:]:
        return cached
    url = _download_url(base_url, fname)
    return _download(url, fname, known_hash, cache)


def _download_url(base_url: str | None, fname: str) -> str:
    base = base_url or os.environ.get(BASE_URL_ENV)
    if not base:
        raise UserError(f"{fname} is not in the cache and no download address is set: "
                        f"pass base_url= or set {BASE_URL_ENV}")
    return f"{base.rstrip('/')}/{fname}"


def _download(url: str, fname: str, known_hash: str, cache: Path) -> Path:
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        path = pooch.retrieve(url, known_hash=known_hash, fname=fname, path=cache,
                              downloader=pooch.HTTPDownloader(progressbar=False, timeout=TIMEOUT_S))
    except ValueError as exc:
        if "hash" in str(exc).lower():
            raise UserError(f"{url}: the downloaded file's sha256 is not the registered {known_hash}; "
                            "refused (the file was not kept)") from None
        raise
    except OSError as exc:  # requests' errors derive from OSError
        raise UserError(f"{url}: download failed ({str(exc).splitlines()[0]})") from None
    finally:
        logger.setLevel(level)
    return Path(path)
