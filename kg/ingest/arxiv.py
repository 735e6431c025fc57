"""Reader for the arXiv metadata snapshot (the Kaggle bulk JSON Lines format).

One object per line: ``id``, ``title``, ``abstract``, ``authors`` (one string), ``categories`` (space-separated),
``update_date``, ``versions`` (``[{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}, ...]``) and
optionally ``authors_parsed`` (``[[last, first, suffix], ...]``). The date is the first version's creation date,
else ``update_date``. The snapshot is several GB, so it is streamed like any JSON Lines file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kg.ingest.lines import ByteProgress, Limits
from kg.ingest.normalize import arxiv_id, collapse, iso_date
from kg.ingest.paper import make_paper
from kg.ingest.tabular import iter_json_objects
from kg.records import Paper, Provenance, Rejected

FORMAT = "arxiv"
# Keys that tell a snapshot record from a generic JSON Lines record.
SIGNATURE = frozenset({"categories"})
SIGNATURE_ANY = frozenset({"versions", "update_date"})

_AUTHOR_SEPARATORS = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


def is_snapshot_record(record: Mapping[str, Any]) -> bool:
    return record.keys() >= SIGNATURE and bool(SIGNATURE_ANY & record.keys())


def _authors(record: Mapping[str, Any]) -> list[str]:
    """Names from ``authors_parsed`` ("First Last Suffix") when present, else split from ``authors``."""
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if isinstance(parts, list) and parts and all(isinstance(p, str) for p in parts):
                last, rest = parts[0], parts[1:]
                names.append(collapse(" ".join([*rest[:1], last, *rest[1:]])))
        if names:
            return names
    text = record.get("authors")
    if not isinstance(text, str):
        return []
    return [collapse(n) for n in _AUTHOR_SEPARATORS.split(collapse(text)) if n.strip()]


def _first_version_date(record: Mapping[str, Any]) -> str | None:
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], Mapping):
        return iso_date(versions[0].get("created"))
    return None


def record_to_paper(record: Mapping[str, Any], source: str, line: int) -> Paper | Rejected:
    title = record.get("title")
    abstract = record.get("abstract")
    if not isinstance(title, str) or not title.strip():
        return Rejected(source, line, "record with no title")
    if not isinstance(abstract, str) or not abstract.strip():
        return Rejected(source, line, "title with no abstract")
    raw_id = record.get("id")
    arxiv = arxiv_id(raw_id if isinstance(raw_id, str) else None)
    categories = record.get("categories")
    return make_paper(
        title=title,
        abstract=abstract,
        provenance=Provenance(source, line, FORMAT),
        arxiv=arxiv,
        date=_first_version_date(record) or iso_date(record.get("update_date")),
        authors=_authors(record),
        url=f"https://arxiv.org/abs/{arxiv}" if arxiv else None,
        categories=categories.split() if isinstance(categories, str) else [],
    )


def read(path: Path, source: str, limits: Limits, progress: ByteProgress | None = None) -> Iterator[Paper | Rejected]:
    for entry in iter_json_objects(path, source, limits, progress):
        yield entry if isinstance(entry, Rejected) else record_to_paper(entry[1], source, entry[0])
