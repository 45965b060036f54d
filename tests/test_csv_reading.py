"""Reading a CSV file with Arrow's streaming reader, which reads ahead on a thread of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import REPO

SCRIPT = """
import sys
from pathlib import Path
from bigtech_events.tableio import open_csv
schema = {"fields": [{"name": "id", "type": "string"}, {"name": "text", "type": "string"}]}
batches, problems = open_csv(Path(sys.argv[1]), schema, 1 << 22)
assert not problems, problems
next(batches); next(batches)
print("left early")
"""


def test_a_reader_left_before_the_end_does_not_abort_the_process_at_exit(tmp_path: Path):
    """validate stops reading a CSV file at a malformed row; the process must still exit as it
    means to (a Python file read on the reader's thread at exit aborted it, status 134)."""
    path = tmp_path / "t.csv"
    row = "x" * 1000
    with path.open("w", encoding="utf-8") as out:  # 100 MB: the reader is still reading at exit
        out.write("id,text\n")
        for block in range(100):
            out.write("".join(f"{block}-{i},{row}\n" for i in range(1000)))
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], capture_output=True, text=True,
                              env=env, timeout=120, check=False)
        assert (done.returncode, done.stdout.strip()) == (0, "left early"), done.stderr[-300:]
