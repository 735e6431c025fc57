"""The serve benchmark runs end to end for a moment: CI never times it, but it must not rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_serve.py"


@pytest.mark.slow
def test_serve_benchmark_reports_every_target_without_errors(seeds_dir: Path) -> None:
    args = ["--seeds", str(seeds_dir), "--seconds", "1", "--clients", "3"]
    done = subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = {line.split("  ")[0]: line.split() for line in done.stdout.splitlines() if "  " in line}
    assert {"kg serve (2 workers)", "oxigraph serve-read-only", "in-process pyoxigraph (1 thread)"} <= rows.keys()
    assert all(row[-1] == "0" for name, row in rows.items() if name.startswith(("kg serve", "oxigraph")))
    assert "ratio kg serve / oxigraph serve-read-only:" in done.stdout
