"""Development set helpers for `make devset`.

    devset.py check DEVSET_DIR GOLD_DIR          every gold article has its exact text and metadata
    devset.py summary SCORER PACKAGE GOLD_DIR    totals per category from the scorer's JSON report

The texts are not part of the repository; the README beside GOLD_DIR says how to obtain them.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

CATEGORIES = ("actors", "events", "amounts", "affiliations")


def _gold_files(gold_dir: Path) -> list[Path]:
    files = sorted(gold_dir.glob("*.json"))
    if not files:
        sys.exit(f"{gold_dir}: no gold files (*.json); set DEVSET_GOLD=<dir> to where they are")
    return files


def check(devset: Path, gold_dir: Path) -> int:
    howto = gold_dir.parent / "README.md"
    golds = _gold_files(gold_dir)
    if not list(devset.glob("*.txt")):
        print(
            f"{devset}/: none of the {len(golds)} texts; obtain them as {howto} says",
            file=sys.stderr,
        )
        return 1
    errors = []
    for gold in golds:
        article = json.loads(gold.read_text(encoding="utf-8"))["article"]
        txt = devset / f"{article['key']}.txt"
        if not txt.exists():
            errors.append(f"{txt}: missing; obtain it as {howto} says")
            continue
        data = txt.read_bytes()
        text = data.decode("utf-8", errors="replace")
        digest = hashlib.sha256(data).hexdigest()
        if digest != article["text_sha256"] or len(text) != article["chars"]:
            errors.append(
                f"{txt}: differs from the annotated text (sha256 {digest[:12]}…, {len(text)} chars;"
                f" expected {article['text_sha256'][:12]}…, {article['chars']}); obtain it again"
                f" as {howto} says"
            )
        if not txt.with_suffix(".yaml").exists():
            errors.append(
                f"{txt.with_suffix('.yaml')}: missing seed metadata (title, publisher, url,"
                f" published, language); see {howto}"
            )
    for line in errors:
        print(line, file=sys.stderr)
    return 1 if errors else 0


def summary(scorer: Path, package: Path, gold_dir: Path) -> int:
    golds = [str(p) for p in _gold_files(gold_dir)]
    run = subprocess.run(
        [sys.executable, str(scorer), str(package), *golds, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(run.stdout)
    articles = [r for r in report["articles"].values() if "error" not in r]
    print(f"\nDev set: {len(articles)} of {len(golds)} articles scored")
    print("| category | precision | recall | F1 |")
    print("|---|---|---|---|")
    for cat in CATEGORIES:
        t = report["total"][cat]
        print(f"| {cat} | {t['precision']:.2f} | {t['recall']:.2f} | {t['f1']:.2f} |")
    within = matched = 0
    for r in articles:
        ev = r["events"]
        if ev.get("date_within_gold") is not None:
            within += round(ev["date_within_gold"] * ev["tp"])
            matched += ev["tp"]
    share = f"{within / matched:.2f}" if matched else "n/a"
    print(
        f"date_within_gold: {share} ({within} of {matched} matched events dated inside the gold"
        " interval)"
    )
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "check":
        return check(Path(argv[1]), Path(argv[2]))
    if len(argv) == 4 and argv[0] == "summary":
        return summary(Path(argv[1]), Path(argv[2]), Path(argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
