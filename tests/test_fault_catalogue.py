"""A catalogue of hostile and broken inputs, each run through the command line in a process of its own.

Hostile YAML, other encodings, wrong shapes, seeds that are not regular files, empty articles,
future dates, rules that are unsafe to run, broken schemas and descriptors, and damaged or
crafted release zips. Every case must:

- exit with a non-zero status;
- print one line on stderr (rules: one line per problem), ``error: ...``, naming the file at
  fault, with no traceback and no temporary path;
- leave its folder (the output package, the inputs, the temporary space) byte for byte as it was.

The cases run in one subprocess (``catalogue_runner.py``) that imports the command once and forks a
child per case; a few also run as plain ``python -m bigtech_events`` to check the runner against
the real command.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, RULES_DIR, SEEDS_DIR, edit_once

SEED_TXT = min(SEEDS_DIR.glob("*.txt"))
TEXT = SEED_TXT.read_bytes()
META = SEED_TXT.with_suffix(".yaml").read_text(encoding="utf-8")
BAD = "bad-seed"
RUNNER = Path(__file__).with_name("catalogue_runner.py")
BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9))


@dataclass
class Ctx:
    """What a case builds on: its own folder and the package built once for the session."""

    dir: Path
    pkg: Path

    def out(self) -> Path:
        """A copy of the built package to build over (it must stay as it is)."""
        dest = self.dir / "out"
        if not dest.exists():
            shutil.copytree(self.pkg, dest)
        return dest

    def build(self, seeds: Path = SEEDS_DIR, rules: Path = RULES_DIR) -> list[str]:
        return ["build", "--seeds", str(seeds), "--rules", str(rules), "--out", str(self.out()), "--jobs", "1"]

    def seeds(self, text: bytes = TEXT, meta: str | bytes = META) -> Path:
        seeds = self.dir / "seeds"
        seeds.mkdir(exist_ok=True)
        (seeds / f"{BAD}.txt").write_bytes(text)
        (seeds / f"{BAD}.yaml").write_bytes(meta.encode("utf-8") if isinstance(meta, str) else meta)
        return seeds

    def rules(self, file: str, old: str, new: str) -> Path:
        rules = self.dir / "rules"
        if not rules.exists():
            shutil.copytree(RULES_DIR, rules)
        edit_once(rules / file, old, new)
        return rules

    def project(self, schema: str, change: Callable[[Any], Any]) -> Path:
        """A project copy (dataset.yaml, schemas/, rules/) with one table schema changed."""
        root = self.dir / "project"
        shutil.copytree(REPO / "schemas", root / "schemas")
        shutil.copy(REPO / "dataset.yaml", root / "dataset.yaml")
        (root / "rules").mkdir()
        path = root / "schemas" / f"{schema}.schema.json"
        path.write_text(json.dumps(change(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
        return root

    def package(self, change: Callable[[dict[str, Any]], Any]) -> Path:
        """A copy of the package with its descriptor changed."""
        dest = self.out()
        path = dest / "datapackage.json"
        path.write_text(json.dumps(change(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")
        return dest

    def zip(self, name: str = "release.zip", extra: dict[str, bytes] | None = None,
            skip: tuple[str, ...] = ()) -> Path:
        """A release-like zip of the package (tables stored, the rest deflated), plus ``extra`` members."""
        path = self.dir / "zips" / name
        path.parent.mkdir(exist_ok=True)
        with zipfile.ZipFile(path, "w") as zf:
            for f in sorted(p for p in self.pkg.rglob("*") if p.is_file()):
                rel = f.relative_to(self.pkg).as_posix()
                if rel not in skip:
                    stored = f.suffix == ".parquet"
                    zf.write(f, rel, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
            for member, data in (extra or {}).items():
                zf.writestr(member, data, zipfile.ZIP_DEFLATED)
        return path

    def damaged(self, member: str) -> Path:
        """The zip with 40 bytes in the middle of ``member``'s data inverted."""
        path = self.zip()
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo(member)
        data = bytearray(path.read_bytes())
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
        data[start:start + 40] = bytes(b ^ 0xFF for b in data[start:start + 40])
        path.write_bytes(bytes(data))
        return path

    def summed(self, digest: str) -> Path:
        path = self.zip()
        (path.parent / "SHA256SUMS").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
        return path


@dataclass
class Case:
    id: str
    make: Callable[[Ctx], list[str]]
    names: str  # the message names this file
    lines: int | None = 1  # lines on stderr (None: one or more, each naming the file)
    direct: bool = False  # also run as `python -m bigtech_events`


def _meta(old: str, new: str) -> Callable[[Ctx], list[str]]:
    def make(c: Ctx) -> list[str]:
        assert old in META, old
        return c.build(seeds=c.seeds(meta=META.replace(old, new, 1)))
    return make


def _line(key: str, new: str) -> Callable[[Ctx], list[str]]:
    """The metadata with the line of top-level ``key`` replaced by ``new``."""
    lines = [new if line.startswith(f"{key}:") else line for line in META.splitlines()]
    return lambda c: c.build(seeds=c.seeds(meta="\n".join(lines) + "\n"))


def _text(text: bytes) -> Callable[[Ctx], list[str]]:
    return lambda c: c.build(seeds=c.seeds(text=text))


def _seed_file(kind: str) -> Callable[[Ctx], list[str]]:
    def make(c: Ctx) -> list[str]:
        seeds = c.seeds()
        txt = seeds / f"{BAD}.txt"
        txt.unlink()
        if kind == "symlink-out":
            txt.symlink_to("/etc/passwd")
        elif kind == "symlink-in":
            (seeds / "elsewhere.bin").write_bytes(TEXT)
            txt.symlink_to(seeds / "elsewhere.bin")
        elif kind == "dangling":
            txt.symlink_to(seeds / "no-such-file")
        elif kind == "directory":
            txt.mkdir()
        elif kind == "fifo":
            os.mkfifo(txt)
        elif kind == "meta-symlink":
            txt.write_bytes(TEXT)
            meta = seeds / f"{BAD}.yaml"
            shutil.move(meta, c.dir / "meta.yaml")
            meta.symlink_to(c.dir / "meta.yaml")
        return c.build(seeds=seeds)
    return make


def _rules(file: str, old: str, new: str) -> Callable[[Ctx], list[str]]:
    return lambda c: c.build(rules=c.rules(file, old, new))


def _rules_file(file: str, data: bytes) -> Callable[[Ctx], list[str]]:
    """The rules with ``file`` replaced by ``data``."""
    def make(c: Ctx) -> list[str]:
        rules = c.rules(file, "", "")
        (rules / file).write_bytes(data)
        return c.build(rules=rules)
    return make


def _first_pk(schema: dict[str, Any], key: str) -> dict[str, Any]:
    schema["primaryKey"] = [key]
    return schema


def _fk_to(schema: dict[str, Any], table: str) -> dict[str, Any]:
    schema["foreignKeys"][0]["reference"]["resource"] = table
    return schema


def _resource(descriptor: dict[str, Any], table: str, change: Callable[[dict[str, Any]], None]) -> Any:
    change(next(r for r in descriptor["resources"] if r["name"] == table))
    return descriptor


BOILER = "lines:\n"
TRIG = "triggers:\n"
ALIAS = 'aliases: ["Big Tech companies",'
YAML_CASES = [
    Case("meta-alias-bomb", _meta("language: en\n", "language: en\n" + BOMB), f"{BAD}.yaml", direct=True),
    Case("meta-anchor-alias", _meta("publisher: Communications Today",
                                    "publisher: &p Communications Today\noriginal: *p"), f"{BAD}.yaml"),
    Case("meta-duplicate-key", _meta("language: en\n", "language: en\nlanguage: zh\n"), f"{BAD}.yaml"),
    Case("meta-merge-key", _meta("language: en\n", "language: en\n<<: {retrieved: 2024-01-01}\n"), f"{BAD}.yaml"),
    Case("meta-python-tag", _meta("language: en", "language: !!python/object/apply:os.system [ls]"),
         f"{BAD}.yaml"),
    Case("meta-custom-tag", _meta("language: en", "language: !lang en"), f"{BAD}.yaml"),
    Case("meta-latin-1", lambda c: c.build(seeds=c.seeds(meta=META.replace("China’s", "Chin\xe4's")
                                                          .encode("latin-1", "replace"))), f"{BAD}.yaml"),
    Case("meta-utf-16", lambda c: c.build(seeds=c.seeds(meta=META.encode("utf-16"))), f"{BAD}.yaml"),
    Case("meta-is-a-list", lambda c: c.build(seeds=c.seeds(meta="- title: x\n- publisher: y\n")), f"{BAD}.yaml"),
    Case("meta-is-a-scalar", lambda c: c.build(seeds=c.seeds(meta="just a sentence\n")), f"{BAD}.yaml"),
    Case("meta-is-empty", lambda c: c.build(seeds=c.seeds(meta="")), f"{BAD}.yaml"),
    Case("meta-bad-syntax", _meta("language: en", "language: [en"), f"{BAD}.yaml"),
    Case("meta-title-is-a-list", _line("title", "title: [a, b]"), f"{BAD}.yaml"),
    Case("meta-published-is-a-mapping", _meta("published: 2023-07-16", "published: {year: 2023}"),
         f"{BAD}.yaml"),
    Case("meta-notes-is-a-mapping", lambda c: c.build(seeds=c.seeds(
        meta=META[:META.index("notes:")] + "notes: {fact: x, source: y}\n")), f"{BAD}.yaml"),
    Case("meta-unknown-key", _meta("language: en\n", "language: en\nlangauge: en\n"), f"{BAD}.yaml"),
]
SEED_CASES = [
    Case("text-latin-1", _text("Caf\xe9 owners met regulators.".encode("latin-1")), f"{BAD}.txt"),
    Case("text-empty", _text(b""), f"{BAD}.txt"),
    Case("text-blank", _text(b" \n\t\r\n  \n"), f"{BAD}.txt"),
    Case("seed-symlink-to-etc-passwd", _seed_file("symlink-out"), f"{BAD}.txt", direct=True),
    Case("seed-symlink-inside", _seed_file("symlink-in"), f"{BAD}.txt"),
    Case("seed-dangling-symlink", _seed_file("dangling"), f"{BAD}.txt"),
    Case("seed-directory-named-txt", _seed_file("directory"), f"{BAD}.txt"),
    Case("seed-fifo", _seed_file("fifo"), f"{BAD}.txt"),
    Case("seed-metadata-symlink", _seed_file("meta-symlink"), f"{BAD}.yaml"),
    Case("published-2099", _meta("published: 2023-07-16", "published: 2099-07-16"), f"{BAD}.yaml"),
    Case("published-edtf-future", _meta("published: 2023-07-16", "published: 2098-07~"), f"{BAD}.yaml"),
    Case("published-future-interval", _meta("published: 2023-07-16", "published: 2097/2099"), f"{BAD}.yaml"),
    Case("future-override-not-boolean", _meta("language: en\n", "language: en\nallow_future_published: yes\n"),
         f"{BAD}.yaml"),
]
RULES_CASES = [
    Case("rules-catastrophic-boilerplate", _rules("boilerplate.yaml", BOILER,
                                                  BOILER + '  - {id: bomb, regex: "(a+)+$"}\n'),
         "boilerplate.yaml"),
    Case("rules-catastrophic-trigger", _rules("triggers.yaml", TRIG,
                                              TRIG + '  - {id: meeting.bomb, type: meeting, pattern: '
                                              '"(\\\\w+\\\\s?)*met"}\n'), "triggers.yaml"),
    Case("rules-empty-matching-trigger", _rules("triggers.yaml", TRIG,
                                                TRIG + '  - {id: meeting.x, type: meeting, pattern: "x?"}\n'),
         "triggers.yaml"),
    Case("rules-duplicate-trigger-id", _rules("triggers.yaml", "  - id: agreement.signed-by\n",
                                              "  - id: agreement.sign-deal\n"), "triggers.yaml"),
    Case("rules-blank-alias", _rules("gazetteer/groups.yaml", ALIAS, 'aliases: ["  ", "Big Tech companies",'),
         "groups.yaml"),
    Case("rules-regex-not-compiling", _rules("boilerplate.yaml", BOILER, BOILER + '  - {id: x, regex: "(a"}\n'),
         "boilerplate.yaml"),
    Case("rules-regex-is-a-list", _rules("boilerplate.yaml", BOILER, BOILER + "  - {id: x, regex: [a, b]}\n"),
         "boilerplate.yaml"),
    Case("rules-list-for-mapping", _rules("boilerplate.yaml", BOILER, "lines:\n  - [connect, x]\n"),
         "boilerplate.yaml", lines=None),
    Case("rules-file-is-a-list", _rules_file("money.yaml", b"- a\n- b\n"), "money.yaml"),
    Case("rules-alias-bomb", _rules("boilerplate.yaml", BOILER, BOMB + BOILER), "boilerplate.yaml", lines=None),
    Case("rules-duplicate-key", _rules("boilerplate.yaml", BOILER, "credits: [X]\n" + BOILER),
         "boilerplate.yaml"),
    Case("rules-latin-1", _rules_file("boilerplate.yaml", (RULES_DIR / "boilerplate.yaml").read_bytes()
                                      + b"# caf\xe9\n"), "boilerplate.yaml"),
]
SCHEMA_CASES = [
    Case("schema-key-names-missing-column",
         lambda c: ["--root", str(c.project("events", lambda s: _first_pk(s, "no_such_column"))), *c.build()],
         "events.schema.json"),
    Case("schema-foreign-key-to-missing-table",
         lambda c: ["--root", str(c.project("events", lambda s: _fk_to(s, "no_such_table"))), *c.build()],
         "events.schema.json"),
    Case("schema-is-an-array", lambda c: ["--root", str(c.project("amounts", lambda s: [s])), *c.build()],
         "amounts.schema.json"),
    Case("descriptor-is-an-array", lambda c: ["validate", "--no-frictionless", str(c.package(lambda d: [d]))],
         "datapackage.json"),
    Case("descriptor-schema-names-missing-column",
         lambda c: ["validate", "--no-frictionless", str(c.package(lambda d: _resource(
             d, "events", lambda r: r["schema"].update(primaryKey=["no_such_column"]))))],
         "datapackage.json"),
    Case("descriptor-schema-names-missing-column-diff",
         lambda c: ["diff", str(c.pkg), str(c.package(lambda d: _resource(
             d, "amounts", lambda r: r["schema"]["foreignKeys"][0].update(fields=["no_such_column"]))))],
         "datapackage.json"),
    Case("descriptor-array-for-diff", lambda c: ["diff", str(c.pkg), str(c.package(lambda d: [d]))],
         "out"),
]
ZIP_BOMB = {"dataset/padding.bin": b"\0" * (8 << 20)}
ZIP_CASES = [
    Case("zip-bomb-validate", lambda c: ["validate", "--no-frictionless", str(c.zip(extra=ZIP_BOMB))],
         "release.zip"),
    Case("zip-bomb-diff", lambda c: ["diff", str(c.pkg), str(c.zip(extra=ZIP_BOMB))], "release.zip"),
    Case("zip-bomb-cite", lambda c: ["cite", "--package", str(c.zip(extra=ZIP_BOMB))], "release.zip"),
    Case("zip-corrupt-deflate-validate", lambda c: ["validate", str(c.damaged("datapackage.json"))],
         "release.zip"),
    Case("zip-corrupt-deflate-diff", lambda c: ["diff", str(c.damaged("datapackage.json")), str(c.pkg)],
         "release.zip"),
    Case("zip-crc-mismatch-validate", lambda c: ["validate", str(c.damaged("dataset/events.parquet"))],
         "release.zip"),
    Case("zip-crc-mismatch-diff", lambda c: ["diff", str(c.pkg), str(c.damaged("dataset/events.parquet"))],
         "release.zip"),
    Case("zip-sha256sums-mismatch-validate", lambda c: ["validate", str(c.summed("0" * 64))], "SHA256SUMS"),
    Case("zip-sha256sums-mismatch-diff", lambda c: ["diff", str(c.pkg), str(c.summed("f" * 64))], "SHA256SUMS"),
    Case("zip-unsafe-member-name", lambda c: ["validate", str(c.zip(extra={"../escape.txt": b"x"}))],
         "release.zip"),
    Case("zip-truncated", lambda c: ["validate", str(_truncate(c.zip()))], "release.zip"),
    Case("zip-without-descriptor-validate",
         lambda c: ["validate", "--no-frictionless", str(c.zip(skip=("datapackage.json",)))], "release.zip"),
    Case("zip-without-descriptor-cite", lambda c: ["cite", "--package", str(c.zip(skip=("datapackage.json",)))],
         "release.zip"),
]
CASES = YAML_CASES + SEED_CASES + RULES_CASES + SCHEMA_CASES + ZIP_CASES


def _truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


def tree(root: Path) -> dict[str, str]:
    """Every entry under ``root``: a file's sha256, a link's target, or its kind."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[rel] = "dir" if path.is_dir() else "other"
    return out


@dataclass
class Outcome:
    status: int | str  # "timeout": killed after catalogue_runner.CASE_TIMEOUT_S
    stderr: str
    before: dict[str, str]
    after: dict[str, str]
    tmp: Path


def _prepare(case: Case, base: Path, pkg: Path) -> dict[str, Any]:
    work = base / case.id / "case"
    work.mkdir(parents=True)
    (work / "tmp").mkdir()
    argv = case.make(Ctx(work, pkg))
    env = {"TMPDIR": str(work / "tmp"), "BIGTECH_EVENTS_ROOT": str(REPO), "PYTHONHASHSEED": "0"}
    return {"id": case.id, "argv": argv, "cwd": str(work), "env": env, "log": str(base / case.id / "log")}


@pytest.fixture(scope="module")
def outcomes(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    base = tmp_path_factory.mktemp("catalogue")
    specs = [_prepare(case, base, built_package) for case in CASES]
    before = {s["id"]: tree(Path(s["cwd"])) for s in specs}
    (base / "cases.json").write_text(json.dumps(specs), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, str(RUNNER), str(base / "cases.json"), str(base / "results.json")],
                   env=env, check=True, timeout=1800)
    status = json.loads((base / "results.json").read_text(encoding="utf-8"))
    return {s["id"]: Outcome(status[s["id"]], Path(s["log"] + ".err").read_text(encoding="utf-8"),
                             before[s["id"]], tree(Path(s["cwd"])), Path(s["cwd"]) / "tmp") for s in specs}


def test_the_catalogue_has_at_least_forty_cases():
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_refused_in_one_line_naming_the_file_and_nothing_changes(case: Case, outcomes: dict[str, Outcome]):
    got = outcomes[case.id]
    lines = got.stderr.splitlines()
    assert isinstance(got.status, int) and got.status != 0, (got.status, got.stderr)
    assert "Traceback" not in got.stderr and lines, got.stderr
    assert len(lines) == case.lines if case.lines else lines, got.stderr
    for line in lines:
        assert line.startswith("error: ") and case.names in line, line
        assert str(got.tmp) not in line and "bigtech-validate-" not in line and ".build-" not in line, line
    assert got.after == got.before


@pytest.mark.parametrize("case", [c for c in CASES if c.direct], ids=lambda c: c.id)
def test_the_real_command_agrees_with_the_runner(case: Case, outcomes: dict[str, Outcome],
                                                 built_package: Path, tmp_path: Path):
    spec = _prepare(case, tmp_path, built_package)
    env = {**os.environ, **spec["env"], "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-m", "bigtech_events", *spec["argv"]], cwd=spec["cwd"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == outcomes[case.id].status
    assert done.stderr.replace(str(tmp_path), "") == outcomes[case.id].stderr.replace(
        str(Path(outcomes[case.id].tmp).parents[2]), "")
