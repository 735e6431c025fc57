"""Reporting rejected records: a JSON report for machines and a short text summary for people.

Reasons read "<kind>" or "<kind>: <detail>" or "<kind> (<detail>)"; grouping by kind keeps
"line too long (52428800 bytes)" and "line too long (11000000 bytes)" under one heading.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from kg.atomic import atomic_write_text
from kg.records import Rejected

_DETAIL = re.compile(r"\s*(?::|\().*$", re.DOTALL)


def reason_kind(reason: str) -> str:
    """The reason without its specifics: "malformed JSON: Expecting value (column 3)" -> "malformed JSON"."""
    return _DETAIL.sub("", reason) or reason


def count_by_reason(rejected: Sequence[Rejected]) -> dict[str, int]:
    """Counts per reason kind, most frequent first (ties alphabetical, so reports are reproducible)."""
    counts = Counter(reason_kind(r.reason) for r in rejected)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def rejects_report(rejected: Sequence[Rejected]) -> dict[str, object]:
    return {
        "count": len(rejected),
        "by_reason": count_by_reason(rejected),
        "rejected": [{"file": r.file, "line": r.line, "reason": r.reason} for r in rejected],
    }


def write_report(rejected: Sequence[Rejected], path: Path) -> None:
    """Write the JSON report atomically: readers never see a half-written file."""
    atomic_write_text(path, json.dumps(rejects_report(rejected), indent=2, ensure_ascii=False) + "\n")


LATEST_REPORT = "rejects.json"
HISTORY_FOLDER = "rejects-history"
HISTORY_KEEP = 20


def write_build_report(
    rejected: Sequence[Rejected], folder: Path, build: Mapping[str, object], *, latest: bool
) -> Path:
    """Keep one build's report under its own name and return the path that holds it.

    Every build's report goes to ``folder/rejects-history/<UTC time>-<pid>.json`` (the newest HISTORY_KEEP are
    kept), with `build` (inputs, store) beside the counts. With `latest` (the caller holds the store's writer
    lock), it also replaces ``folder/rejects.json``: so that file is always the report of the build that last held
    the store, and a build refused by the lock, or one that read nothing, cannot overwrite it.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    document = {"build": dict(build), **rejects_report(rejected)}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    history = folder / HISTORY_FOLDER
    kept = history / f"{stamp}-{os.getpid()}.json"
    atomic_write_text(kept, text)
    for old in sorted(history.glob("*.json"))[:-HISTORY_KEEP]:
        with contextlib.suppress(OSError):
            old.unlink()
    if not latest:
        return kept
    atomic_write_text(folder / LATEST_REPORT, text)
    return folder / LATEST_REPORT


def summarize(rejected: Sequence[Rejected], limit: int = 20) -> str:
    """Human text: how many, why, and where (the first `limit` locations)."""
    if not rejected:
        return "no records rejected"
    reasons = ", ".join(f"{n} {kind}" for kind, n in count_by_reason(rejected).items())
    noun = "record" if len(rejected) == 1 else "records"
    lines = [f"{len(rejected)} {noun} rejected: {reasons}"]
    lines.extend(f"  {r.location()}: {r.reason}" for r in rejected[:limit])
    if len(rejected) > limit:
        lines.append(f"  ... and {len(rejected) - limit} more")
    return "\n".join(lines)
