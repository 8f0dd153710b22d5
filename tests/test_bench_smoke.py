"""The benchmark suite stays runnable: its smoke mode runs every benchmark on tiny sizes (the
figures are not judged here; speed is measured by `make bench`, never asserted in tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIGURES = ("click ack p99, sequential", "click ack p99, 10 at once", "intake, HTTP batches",
           "`reviewdesk import`", "peak memory after", "peak memory, the same",
           "due-nudge scan", "review → card visible", "Home tab publish for a person",
           "`/reviewdesk open`", "`/reviewdesk due`", "`/reviewdesk find")


def test_the_benchmark_suite_runs_in_smoke_mode(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"],
                          cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    for figure in FIGURES:
        rows = [row for row in table if figure in row]
        assert rows, f"no {figure!r} row in:\n{done.stdout}"
        for row in rows:
            ratio = row.split(" | ")[3]
            assert ratio.endswith("×") and float(ratio.rstrip("×")) > 0, row
    assert "written to" not in done.stdout  # smoke figures are never recorded
