"""Readers stream: memory stays bounded by the records in flight, not by the size of the file."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.ingest import DEFAULT_LIMITS, read_file
from kg.records import Paper

RECORDS = 200_000


def _peak_while(records: Iterator[object]) -> tuple[int, int]:
    """(records consumed, peak traced bytes) while draining `records` without keeping them."""
    tracemalloc.start()
    try:
        count = sum(1 for record in records if isinstance(record, Paper))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


@pytest.mark.slow
def test_reading_200k_jsonl_records_keeps_memory_far_below_file_size(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(RECORDS):
            record = {"id": f"r{i}", "title": f"Paper number {i}", "abstract": f"Abstract {i} " + "word " * 20}
            handle.write(json.dumps(record) + "\n")
    size = path.stat().st_size
    count, peak = _peak_while(read_file(path))
    assert count == RECORDS
    assert size > 25_000_000
    assert peak < size / 20


def test_skipping_a_fifty_megabyte_line_keeps_memory_small(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"title": "A", "abstract": "B."}\n')
        for _ in range(50):
            handle.write(b"z" * (1 << 20))
        handle.write(b'\n{"title": "C", "abstract": "D."}\n')
    count, peak = _peak_while(read_file(path))
    assert count == 2
    assert peak < DEFAULT_LIMITS.max_line_bytes + (2 << 20)  # the allowed prefix, then chunks only
