"""``bigtech-events release``: versioned, byte-reproducible release artifacts.

A release of version V is ``build/china-bigtech-events-V.zip`` holding
``datapackage.json``, ``croissant.json``, ``dataset/*.parquet|csv``,
README.md (the dataset card of V, from :mod:`bigtech_events.card`),
CHANGELOG.md, CITATION.cff, the licence files, the docs (data dictionary,
codebook, rules) and the figures the card shows (``docs/figures/``, drawn
from the package at release) — never the article texts — plus
``build/SHA256SUMS`` listing every release zip in ``build/``.

Steps, in order, so that a refusal changes nothing:

1. read the package (``datapackage.json`` + ``dataset/``) and check that its
   version is the one in ``dataset.yaml``;
2. find the previous release (``--previous``, else the newest zip in
   ``build/`` older than V, else the newest older version in the registry,
   fetched) and diff against it; refuse V if it is a smaller bump than the
   diff needs (versioning policy in :mod:`bigtech_events.diff`);
3. validate the package;
4. assemble the zip in memory with fixed timestamps (1980-01-01), sorted
   entries, fixed permissions and fixed compression (Parquet stored, text
   deflated at level 9), so the same version gives the same bytes; refuse if
   V was already released (in ``build/`` or the registry) with other bytes;
5. write the zip, SHA256SUMS, the registry line, and update CHANGELOG.md
   (row-level summary of the diff), CITATION.cff, .zenodo.json and croissant.json;
6. in a git checkout (``root`` is the top of a work tree), commit the files it
   wrote and the package, and create the annotated tag ``v<version>`` on that
   commit (:mod:`bigtech_events.release_tag`). Every file written is mode 0644.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import croissant
from .card import card_text, release_figures
from .cite import META_KEYS, meta_from_descriptor, to_cff, to_zenodo, validate_cff
from .diff import LEVELS, PackageDiff, diff_packages, render_markdown
from .errors import UserError, ValidationFailed
from .fetch import (
    NAME,
    REGISTRY,
    fetch,
    read_registry,
    registered_versions,
    release_name,
    version_key,
)
from .loader import PackageFiles
from .metadata import SEMVER, load_dataset_meta
from .progress import task
from .release_tag import refuse_moved_tag, tag_release

REQUIRED_FILES = ("README.md", "CHANGELOG.md", "LICENSE", "LICENSE-DATA.md")
OPTIONAL_FILES = ("docs/data-dictionary.md", "docs/codebook.md", "docs/rules.md")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # regular file, rw-r--r--
RELEASE_FILE_MODE = 0o644  # of the files release writes (zip, SHA256SUMS, CHANGELOG.md, ...)


@dataclass
class ReleaseReport:
    version: str
    zip_path: Path
    sha256: str
    size: int
    previous: str | None = None
    diff: PackageDiff | None = None
    updated: list[Path] = field(default_factory=list)


# ---------------------------------------------------------------- versions


def bump_of(old: str, new: str) -> str | None:
    """``major``, ``minor`` or ``patch`` for a step from ``old`` to ``new``; None if not higher."""
    o, n = version_key(old), version_key(new)
    if n <= o:
        return None
    return "major" if n[0] > o[0] else "minor" if n[1] > o[1] else "patch"


def next_version(old: str, level: str) -> str:
    major, minor, patch = version_key(old)
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def check_version(old: str, new: str, diff: PackageDiff) -> None:
    """Refuse ``new`` unless it is above ``old`` by at least the bump the diff needs."""
    needed, reason = diff.required_bump()
    bump = bump_of(old, new)
    if bump is None:
        suggestion = next_version(old, needed if needed != "none" else "patch")
        raise UserError(f"version {new} is not above the previous release {old}; "
                        f"set version {suggestion} in dataset.yaml and rebuild")
    if LEVELS.index(bump) < LEVELS.index(needed):
        raise UserError(f"version {new} is a {bump} bump over {old}, but the changes need a {needed} "
                        f"bump ({reason}); set version {next_version(old, needed)} in dataset.yaml and rebuild")


def _local_releases(out_dir: Path) -> dict[str, Path]:
    found = {}
    for path in out_dir.glob(f"{NAME}-*.zip"):
        version = path.name[len(NAME) + 1:-4]
        if SEMVER.match(version):
            found[version] = path
    return found


def find_previous(version: str, out_dir: Path, registry: Path | None = None,
                  previous: str | None = None) -> Path | None:
    """The release to diff against: ``previous`` (a path or a version), else the newest older one."""
    if previous is not None:
        if SEMVER.match(previous) and not Path(previous).exists():
            return _local_releases(out_dir).get(previous) or _fetch_previous(previous, registry)
        return Path(previous)
    local = {v: p for v, p in _local_releases(out_dir).items() if version_key(v) < version_key(version)}
    registered = [v for v in registered_versions(registry) if version_key(v) < version_key(version)]
    candidates = sorted(set(local) | set(registered), key=version_key)
    if not candidates:
        return None
    newest = candidates[-1]
    return local.get(newest) or _fetch_previous(newest, registry)


def _fetch_previous(version: str, registry: Path | None) -> Path:
    try:
        return fetch(version, registry=registry)
    except UserError as exc:
        raise UserError(f"the previous release {version} is needed to check the version and is not "
                        f"in build/ ({exc}); put its zip in build/ or pass --previous PATH") from None


# ---------------------------------------------------------------- CHANGELOG.md

BEGIN = "<!-- begin: data changes, generated by `bigtech-events release`; edits here are overwritten -->"
END = "<!-- end: data changes -->"


def changelog_block(pkg: PackageFiles, diff: PackageDiff | None, prev_version: str | None) -> list[str]:
    """The generated CHANGELOG lines of a release: the diff summary, or row counts for a first one."""
    if diff is None:
        body = ["### Data (first release)", "", "| table | rows |", "|---|---:|"]
        body += [f"| {t} | {pkg.arrow_table(t).num_rows} |" for t in pkg.tables()]
    else:
        body = [f"### Data changes against {prev_version}", "", *render_markdown(diff)]
    return [BEGIN, *body, END]


def update_changelog(text: str, version: str, date: str, block: list[str]) -> str:
    """CHANGELOG text with ``block`` in the section of ``version`` (idempotent).

    The section is found by its heading (``## [V] - date``); if there is none,
    the ``## Unreleased`` section becomes it (under a new, empty Unreleased
    heading), or a new section is put before the first one. A block from an
    earlier run is replaced, so releasing the same version again changes nothing.
    """
    lines = text.splitlines()
    heading = re.compile(rf"^##\s+\[?{re.escape(version)}\]?(\s|$)")
    start = next((i for i, ln in enumerate(lines) if heading.match(ln)), None)
    if start is None:
        start = _open_section(lines, version, date)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    if BEGIN in lines[start:end] and END in lines[start:end]:
        b = lines.index(BEGIN, start, end)
        e = lines.index(END, b, end)
        lines[b:e + 1] = block
    else:
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        gap = [""] if end < len(lines) and lines[end].strip() else []
        lines[end:end] = ["", *block, *gap]
    return "\n".join(lines).rstrip("\n") + "\n"


def _open_section(lines: list[str], version: str, date: str) -> int:
    """Insert the heading of ``version`` into ``lines``; return its index."""
    title = f"## [{version}] - {date}"
    unreleased = re.compile(r"^##\s+\[?unreleased\]?\s*$", re.IGNORECASE)
    at = next((i for i, ln in enumerate(lines) if unreleased.match(ln)), None)
    if at is not None:
        lines[at:at + 1] = ["## Unreleased", "", title]
        return at + 2
    at = next((i for i, ln in enumerate(lines) if ln.startswith("## ")), len(lines))
    if at == len(lines) and lines and lines[-1].strip():
        lines.append("")
        at += 1
    lines[at:at] = [title, ""]
    return at


# ---------------------------------------------------------------- the zip


def zip_entries(pkg: PackageFiles, root: Path, extra: dict[str, bytes]) -> dict[str, bytes]:
    """Every member of the release: descriptor, tables, docs; ``extra`` overrides files by name."""
    entries = {"datapackage.json": pkg.read_bytes("datapackage.json")}
    for res in pkg.descriptor.get("resources", []):
        for entry in (res, res.get("parquet")):
            if isinstance(entry, dict) and entry.get("path"):
                entries[entry["path"]] = pkg.verified_bytes(entry)
    for rel in REQUIRED_FILES:
        if not (root / rel).is_file():
            raise UserError(f"{root / rel}: missing; a release needs {', '.join(REQUIRED_FILES)}")
        entries[rel] = (root / rel).read_bytes()
    for rel in OPTIONAL_FILES:
        if (root / rel).is_file():
            entries[rel] = (root / rel).read_bytes()
    entries.update(extra)
    return entries


def zip_bytes_to(entries: dict[str, bytes], dest: Path) -> None:
    """Write a deterministic zip: sorted names, fixed time, mode and compression."""
    with zipfile.ZipFile(dest, "w") as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3
            info.external_attr = FILE_MODE << 16
            stored = name.endswith(".parquet")  # already compressed
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            zf.writestr(info, entries[name], compresslevel=None if stored else 9)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, RELEASE_FILE_MODE)  # mkstemp makes 0600: others may read a release
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_sha256sums(out_dir: Path) -> Path:
    """``SHA256SUMS`` for every release zip in ``out_dir`` (``sha256sum -c`` format), oldest first."""
    lines = []
    for version, path in sorted(_local_releases(out_dir).items(), key=lambda kv: version_key(kv[0])):
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n")
    target = out_dir / "SHA256SUMS"
    _atomic_write(target, "".join(lines).encode("utf-8"))
    return target


def update_registry(path: Path, fname: str, digest: str) -> None:
    """Record ``fname sha256:digest`` in the registry (comment lines kept, entries by version)."""
    entries = read_registry(path)
    entries[fname] = f"sha256:{digest}"
    header = [ln for ln in (path.read_text(encoding="utf-8").splitlines() if path.is_file() else [])
              if ln.startswith("#")]
    prefix = len(NAME) + 1

    def order(name: str) -> tuple[int, ...]:
        v = name[prefix:-4]
        return version_key(v) if SEMVER.match(v) else (10**9,)

    body = [f"{n} {entries[n]}" for n in sorted(entries, key=order)]
    _atomic_write(path, ("\n".join(header + body) + "\n").encode("utf-8"))


# ---------------------------------------------------------------- release


def default_registry(root: Path) -> Path:
    """The registry a release updates: the checkout's ``src/bigtech_events/registry.txt``
    when ``root`` is a checkout, else the one shipped in the installed package."""
    checkout = root / "src" / "bigtech_events" / "registry.txt"
    return checkout if checkout.is_file() else Path(str(REGISTRY))


def _check_metadata(pkg: PackageFiles, root: Path) -> None:
    if pkg.name != NAME:
        raise UserError(f"{root}/datapackage.json: name is {pkg.name!r}, expected {NAME!r}")
    if not SEMVER.match(pkg.version):
        raise UserError(f"{root}/datapackage.json: version {pkg.version!r} is not MAJOR.MINOR.PATCH")
    meta_path = root / "dataset.yaml"
    if meta_path.is_file():
        meta = load_dataset_meta(meta_path)
        for key in META_KEYS:
            have, want = pkg.descriptor.get(key), meta.get(key, [] if key == "keywords" else None)
            if have != want:
                shown = f"{have!r} but dataset.yaml says {want!r}" if key in ("version", "created") \
                    else "not what dataset.yaml says"
                raise UserError(f"{root}/datapackage.json: {key} is {shown}; run `bigtech-events build` first")


def _diff_previous(pkg: PackageFiles, prev_path: Path | None) -> tuple[str | None, PackageDiff | None]:
    if prev_path is None:
        return None, None
    with PackageFiles(prev_path) as old:
        diff = diff_packages(old, pkg)
        check_version(old.version, pkg.version, diff)
        return old.version, diff


def _refuse_changed_release(version: str, digest: str, out_dir: Path, registry: Path | None) -> None:
    fname = release_name(version)
    existing = out_dir / fname
    if existing.is_file() and hashlib.sha256(existing.read_bytes()).hexdigest() != digest:
        raise UserError(f"{existing} exists with other bytes: a released version never changes; "
                        "bump the version (or delete the zip if it was never published)")
    registered = read_registry(registry).get(fname)
    if registered and registered != f"sha256:{digest}":
        raise UserError(f"version {version} is in the registry with another sha256: a released version never "
                        "changes; bump the version (or remove its registry line if it was never published)")


def _validate(root: Path, seeds_dir: Path | None, run_frictionless: bool) -> None:
    from .validate import validate_dir

    problems = validate_dir(root, seeds_dir=seeds_dir, run_frictionless=run_frictionless)
    if problems:
        raise ValidationFailed(problems)


def _generated_files(pkg: PackageFiles, root: Path, diff: PackageDiff | None,
                     prev_version: str | None) -> dict[str, str]:
    """CITATION.cff, .zenodo.json and the updated CHANGELOG.md for the release of ``pkg``."""
    meta = meta_from_descriptor(pkg.descriptor)
    cff = to_cff(meta)
    problems = validate_cff(cff)
    if problems:
        raise UserError(f"generated CITATION.cff is invalid: {problems[0]}; fix dataset.yaml")
    path = root / "CHANGELOG.md"
    changelog = update_changelog(path.read_text(encoding="utf-8") if path.is_file() else "",
                                 pkg.version, meta["created"][:10], changelog_block(pkg, diff, prev_version))
    return {"CITATION.cff": cff, ".zenodo.json": to_zenodo(meta), "CHANGELOG.md": changelog,
            croissant.FILE_NAME: croissant.render(pkg.descriptor)}


def release(root: Path, out_dir: Path | None = None, previous: str | None = None,
            registry: Path | None = None, seeds_dir: Path | None = None,
            run_frictionless: bool = True) -> ReleaseReport:
    """Build the release artifacts of the package rooted at ``root`` (see the module docstring)."""
    root = Path(root)
    out_dir = Path(out_dir) if out_dir is not None else root / "build"
    registry = registry or default_registry(root)
    if seeds_dir is None and (root / "seeds").is_dir():
        seeds_dir = root / "seeds"
    if not root.is_dir():
        raise UserError(f"{root}: release needs a package directory (datapackage.json + dataset/)")
    with PackageFiles(root) as pkg, task("releasing", total=4) as bar:
        _check_metadata(pkg, root)
        version = pkg.version
        bar.advance("diff against the previous release")
        prev_version, diff = _diff_previous(pkg, find_previous(version, out_dir, registry, previous))
        bar.advance("validate")
        _validate(root, seeds_dir, run_frictionless)
        bar.advance("zip")
        refuse_moved_tag(root, version)
        root_files = _generated_files(pkg, root, diff, prev_version)
        extra = {n: root_files[n].encode("utf-8") for n in ("CHANGELOG.md", "CITATION.cff", croissant.FILE_NAME)}
        figures = release_figures(root)
        extra.update(figures)
        extra["README.md"] = card_text(pkg, sorted(figures)).encode("utf-8")
        entries = zip_entries(pkg, root, extra)
        bar.advance("write")
    report = _write_artifacts(root, out_dir, registry, version, entries, root_files, prev_version, diff)
    tag_release(root, version, report.updated)
    return report


def _write_artifacts(root: Path, out_dir: Path, registry: Path, version: str, entries: dict[str, bytes],
                     root_files: dict[str, str], prev_version: str | None,
                     diff: PackageDiff | None) -> ReleaseReport:
    fname = release_name(version)
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{fname}.", dir=out_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        zip_bytes_to(entries, tmp)
        os.chmod(tmp, RELEASE_FILE_MODE)
        data = tmp.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        _refuse_changed_release(version, digest, out_dir, registry)
        os.replace(tmp, out_dir / fname)
    finally:
        tmp.unlink(missing_ok=True)
    updated = [write_sha256sums(out_dir)]
    for name, text in root_files.items():
        _atomic_write(root / name, text.encode("utf-8"))
        updated.append(root / name)
    update_registry(registry, fname, digest)
    updated.append(registry)
    return ReleaseReport(version, out_dir / fname, digest, len(data), prev_version, diff, updated)
