"""The ingest layer: source files in, deduplicated `Paper` records (and `Rejected` ones) out.

One reader per format (`hf_listing`, `hf_api`, `tabular` for JSON Lines and CSV, `arxiv`), format detection
(`detect`), link cleaning (`links`), deduplication (`merge`) and reject reports (`rejects`). Readers stream line
by line and never raise on bad data; see `pipeline` for the entry points re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kg.ingest.detect import FORMATS, detect_format
from kg.ingest.lines import DEFAULT_LIMITS, Limits
from kg.ingest.pipeline import IngestResult, expand_paths, ingest, read_file
from kg.ingest.rejects import summarize, write_report
from kg.records import Rejected

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "IngestResult",
    "Limits",
    "detect_format",
    "expand_paths",
    "ingest",
    "read_file",
    "summarize_rejects",
    "write_rejects_report",
]


def write_rejects_report(result: IngestResult, path: Path) -> None:
    """JSON ``{"count", "by_reason", "rejected": [{file, line, reason}]}`` at `path`, written atomically."""
    write_report(result.rejected, path)


def summarize_rejects(rejected: Sequence[Rejected], limit: int = 20) -> str:
    """Human text: the count, the reasons with their counts, and the first `limit` locations."""
    return summarize(rejected, limit)
