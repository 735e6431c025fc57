"""The extraction benchmark runs end to end on a few papers: CI never times it, but it must not rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_extract.py"


@pytest.mark.slow
def test_stage_breakdown_lists_every_component_then_the_records(seeds_dir: Path) -> None:
    from kg.extractor_settings import DEFAULT_EXTRACTOR
    from kg.nlp.pipeline import EXTRACTORS

    args = ["--seeds", str(seeds_dir), "--papers", "30", "--repeats", "1", "--skip-parallel", "--skip-corpus"]
    done = subprocess.run([sys.executable, str(BENCH), *args, "--stages"], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert any(line.startswith("ratio extract/tokenizer:") for line in lines)
    stages = [line.split()[1] for line in lines if line.startswith("+ ")]
    assert stages == [*EXTRACTORS[DEFAULT_EXTRACTOR], "records"]
