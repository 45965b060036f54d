"""Benchmark: extraction time of one article as it grows (linear cost).

Repeats the body of the first seed article 1, 16 and 64 times, each copy's lines numbered (and,
with ``--mb``, until the text reaches that many megabytes) and prints, for each, the characters, the extraction time, the time
per 100,000 characters and the rows. Linear cost shows as a flat time per 100,000 characters.

    .venv/bin/python benchmarks/bench_long.py [--times 1,16,64] [--mb 5]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

from bigtech_events.extract.pipeline import Extractor
from bigtech_events.ruleset import load_rules
from bigtech_events.seeds import Article

ROOT = Path(__file__).resolve().parent.parent


def article(body: str, n: int) -> Article:
    # Each copy's lines are numbered: a line printed twice is page chrome and read once.
    copies = ["\n".join(f"({i}) {line}" if line.strip() else line for line in body.split("\n"))
              for i in range(1, n + 1)]
    text = "Headline\n\n" + "\n\n".join(copies)
    meta = {"title": "Headline", "publisher": "Benchmark", "published": "2023-07-20", "language": "en"}
    return Article(f"long-{n}", text, hashlib.sha256(text.encode()).hexdigest(), meta, Path(f"long-{n}.txt"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--times", default="1,16,64", help="repetitions of the seed's body, comma-separated")
    ap.add_argument("--mb", type=float, default=0.0, help="also one article of this many megabytes")
    args = ap.parse_args()
    seed = min((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    body = seed.split("\n", 1)[1].strip()
    counts = [int(x) for x in args.times.split(",") if x]
    if args.mb:
        counts.append(max(1, round(args.mb * 1_000_000 / len(body.encode("utf-8")))))
    ex = Extractor(load_rules(ROOT / "rules"))
    ex.extract(article(body, 1))  # warm the caches once
    print(f"{'copies':>7} {'chars':>10} {'seconds':>9} {'s/100k chars':>13} {'mentions':>9} {'events':>7}")
    for n in counts:
        art = article(body, n)
        t0 = time.perf_counter()
        rows = ex.extract(art).rows
        dt = time.perf_counter() - t0
        print(f"{n:>7} {len(art.text):>10} {dt:>9.2f} {dt / len(art.text) * 100_000:>13.2f} "
              f"{len(rows['mentions']):>9} {len(rows['events']):>7}")


if __name__ == "__main__":
    main()
