"""Reporting rejected records: a JSON report for machines and a short text summary for people.

Reasons read "<kind>" or "<kind>: <detail>" or "<kind> (<detail>)"; grouping by kind keeps
"line too long (52428800 bytes)" and "line too long (11000000 bytes)" under one heading.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
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
