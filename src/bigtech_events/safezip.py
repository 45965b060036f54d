"""The one way to open a release zip: checked before anything is expanded, members streamed.

Every command that reads a zip (``validate``, ``diff``, ``cite``, :func:`bigtech_events.load`)
opens it with :class:`SafeZip`, which, before reading a member:

- checks the zip against the ``SHA256SUMS`` beside it, when there is one that lists it;
- reads the central directory only and refuses unsafe member names (absolute, ``..``, written
  twice), too many members, a member or a total larger than the limits below, and a member whose
  compression ratio only a crafted file (a "zip bomb") has;

and then streams each member in blocks, never past its declared size. A corrupted member
(a damaged deflate stream, a CRC mismatch, a truncated file) is one line naming the zip and the
member. Every message names the zip as the user gave it, never a temporary path.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Self

from .errors import UserError

SUMS = "SHA256SUMS"
CHUNK = 1 << 20
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 4 << 30  # a table of a few million rows is well under this
MAX_TOTAL_BYTES = 8 << 30
#: Deflate compresses the package's tables ~3-15x; only a crafted member reaches this ratio.
MAX_RATIO = 200
#: Members expanding to less than this are never refused for their ratio (small files compress well).
RATIO_FLOOR_BYTES = 1 << 20
_CORRUPT = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def listed_sha256(sums: Path, name: str) -> tuple[str, int] | None:
    """The sha256 ``sums`` (``sha256sum`` format) lists for file ``name``, and its line; None if unlisted."""
    try:
        lines = sums.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{sums}: cannot be read ({exc.__class__.__name__}); restore or remove it") from None
    for lineno, line in enumerate(lines, 1):
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == name:
            return parts[0].lower(), lineno
    return None


def check_sums(path: Path) -> None:
    """Refuse ``path`` when the ``SHA256SUMS`` beside it lists another sha256 for it."""
    sums = path.parent / SUMS
    if not sums.is_file():
        return
    listed = listed_sha256(sums, path.name)
    if listed is None:
        return
    expected, lineno = listed
    actual = sha256_file(path)
    if actual != expected:
        raise UserError(f"{path}: sha256 {actual} differs from {expected} listed in {sums}:{lineno}; "
                        "the zip is damaged or not the released one: fetch or rebuild it")


def _unsafe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return name.startswith(("/", "\\")) or ".." in parts or "\\" in name or ":" in name.split("/", 1)[0]


def inspect(zf: zipfile.ZipFile, label: str) -> None:
    """Refuse a zip by its central directory alone (nothing is expanded)."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UserError(f"{label}: {len(infos)} members, more than {MAX_MEMBERS}; not a release")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if _unsafe_name(name):
            raise UserError(f"{label}: unsafe member name {name!r} in the zip; not a release")
        if name in seen:
            raise UserError(f"{label}: member {name} is in the zip twice; not a release")
        seen.add(name)
        if info.file_size > MAX_MEMBER_BYTES:
            raise UserError(f"{label}: member {name} expands to {info.file_size} bytes, more than "
                            f"{MAX_MEMBER_BYTES}; refused")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise UserError(f"{label}: member {name} expands {ratio:.0f} times ({info.compress_size} to "
                            f"{info.file_size} bytes), more than a release's tables can; refused as a zip bomb")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise UserError(f"{label}: members expand to {total} bytes in all, more than {MAX_TOTAL_BYTES}; refused")


class SafeZip:
    """A release zip opened for reading: checked by :func:`check_sums` and :func:`inspect` first.

    Use as a context manager. ``label`` is how messages name the zip (default: its path).
    """

    def __init__(self, path: Path, label: str | None = None) -> None:
        self.path = path
        self.label = label or str(path)
        check_sums(path)
        try:
            self._zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UserError(f"{self.label}: not a readable zip ({exc}); fetch or rebuild the release") from None
        try:
            inspect(self._zf, self.label)
        except UserError:
            self._zf.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zf.close()

    def namelist(self) -> list[str]:
        return self._zf.namelist()

    def _corrupt(self, name: str, exc: BaseException) -> UserError:
        why = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        return UserError(f"{self.label}: member {name} is corrupted ({why}); fetch or rebuild the release")

    def blocks(self, name: str) -> Iterator[bytes]:
        """The bytes of member ``name`` in blocks, never more than its declared size."""
        info = self._zf.getinfo(name)  # KeyError for a missing member, as ZipFile.read
        seen = 0
        try:
            with self._zf.open(info) as fh:
                while block := fh.read(CHUNK):
                    seen += len(block)
                    if seen > info.file_size:
                        raise UserError(f"{self.label}: member {name} expands past its declared "
                                        f"{info.file_size} bytes; refused")
                    yield block
        except _CORRUPT as exc:
            raise self._corrupt(name, exc) from None

    def read(self, name: str) -> bytes:
        """The bytes of member ``name`` (streamed and checked; raises KeyError when absent)."""
        return b"".join(self.blocks(name))

    def copy_to(self, name: str, out: IO[bytes]) -> None:
        for block in self.blocks(name):
            out.write(block)

    def extract_all(self, dest: Path) -> None:
        """Every member written under ``dest`` as a regular file (directories created as needed)."""
        for info in self._zf.infolist():
            target = dest.joinpath(*PurePosixPath(info.filename).parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                self.copy_to(info.filename, out)


def is_zip(path: Path) -> bool:
    """True when ``path`` is a file that looks like a zip (its end-of-central-directory record)."""
    try:
        return path.is_file() and zipfile.is_zipfile(path)
    except OSError:
        return False


__all__ = ["SafeZip", "check_sums", "inspect", "is_zip", "sha256_file"]
