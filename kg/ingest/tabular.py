"""Readers for generic tables of papers: JSON Lines and CSV with at least ``title`` and ``abstract``.

Optional columns: ``id`` (kept as the paper's id), ``arxiv_id``, ``date``, ``url``, ``authors`` (a list, or one
string separated by "; " or ", "), ``repo`` (one or more URLs), ``organization``, ``upvotes``, ``keywords``.
The arXiv id is taken from ``arxiv_id``, else from an arxiv.org ``url``, else from an ``id`` that is itself an
arXiv id, so the same paper read from a table and from the API becomes one paper.

Both readers stream line by line through `kg.ingest.lines.iter_lines`: one bad line is one Rejected.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kg.ingest.lines import BadLine, ByteProgress, Limits, Line, iter_lines
from kg.ingest.normalize import arxiv_id, iso_date
from kg.ingest.paper import make_paper
from kg.records import Paper, Provenance, Rejected

JSONL = "jsonl"
CSV = "csv"
REQUIRED = ("title", "abstract")
_URL_SEPARATORS = re.compile(r"[\s;,]+")


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _names(value: object) -> list[str]:
    """A list of names from a list, or from a string separated by ";" (preferred) or ","."""
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    text = _text(value)
    if not text:
        return []
    separator = ";" if ";" in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]


def _urls(value: object) -> list[str]:
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return [u for u in _URL_SEPARATORS.split(_text(value)) if u]


def _int(value: object) -> int | None:
    text = _text(value)
    return int(text) if text.isdigit() else None


def record_to_paper(record: Mapping[str, Any], source: str, line: int, fmt: str) -> Paper | Rejected:
    """A Paper from one table row or JSON object; Rejected when the title or the abstract is empty."""
    title, abstract = _text(record.get("title")), _text(record.get("abstract"))
    if not title:
        return Rejected(source, line, "record with no title")
    if not abstract:
        return Rejected(source, line, "title with no abstract")
    own_id = _text(record.get("id")) or None
    url = _text(record.get("url")) or None
    arxiv = arxiv_id(_text(record.get("arxiv_id"))) or arxiv_id(url) or arxiv_id(own_id)
    return make_paper(
        title=title,
        abstract=abstract,
        provenance=Provenance(source, line, fmt),
        own_id=own_id,
        arxiv=arxiv,
        date=iso_date(_text(record.get("date"))),
        authors=_names(record.get("authors")),
        organization=_text(record.get("organization")) or None,
        upvotes=_int(record.get("upvotes")),
        url=url,
        code_urls=_urls(record.get("repo")),
        keywords=_names(record.get("keywords")),
    )


def iter_json_objects(
    path: Path, source: str, limits: Limits, progress: ByteProgress | None = None
) -> Iterator[tuple[int, dict[str, Any]] | Rejected]:
    """(line, object) for each non-blank line of a JSON Lines file; Rejected for each line that is not one."""
    for item in iter_lines(path, limits, progress):
        if isinstance(item, BadLine):
            yield Rejected(source, item.number, item.reason)
            continue
        if not item.text.strip():
            continue
        try:
            value = json.loads(item.text)
        except json.JSONDecodeError as error:
            yield Rejected(source, item.number, f"malformed JSON: {error.msg} (column {error.colno})")
            continue
        except RecursionError:
            yield Rejected(source, item.number, "malformed JSON: nested too deeply")
            continue
        if isinstance(value, dict):
            yield item.number, value
        else:
            yield Rejected(source, item.number, f"not a JSON object (a {type(value).__name__})")


def read_jsonl(
    path: Path, source: str, limits: Limits, progress: ByteProgress | None = None
) -> Iterator[Paper | Rejected]:
    for entry in iter_json_objects(path, source, limits, progress):
        yield entry if isinstance(entry, Rejected) else record_to_paper(entry[1], source, entry[0], JSONL)


class _CsvLines:
    """Feeds decoded lines to `csv.reader`, remembering where each row starts and which lines were unusable."""

    def __init__(self, lines: Iterable[Line | BadLine], source: str) -> None:
        self.lines = iter(lines)
        self.source = source
        self.row_start: int | None = None
        self.rejected: list[Rejected] = []

    def __iter__(self) -> Iterator[str]:
        for item in self.lines:
            if isinstance(item, BadLine):
                self.rejected.append(Rejected(self.source, item.number, item.reason))
                continue
            if self.row_start is None:
                self.row_start = item.number
            yield item.text + "\n"

    def take_rejected(self) -> list[Rejected]:
        taken, self.rejected = self.rejected, []
        return taken


def read_csv(
    path: Path, source: str, limits: Limits, progress: ByteProgress | None = None
) -> Iterator[Paper | Rejected]:
    """Stream the rows of a CSV file with a header row; one Rejected for the file if required columns lack."""
    feed = _CsvLines(iter_lines(path, limits, progress), source)
    reader = csv.reader(feed)
    header: list[str] | None = None
    while True:
        feed.row_start = None
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield from feed.take_rejected()
            yield Rejected(source, feed.row_start or reader.line_num, f"malformed CSV: {error}")
            continue
        yield from feed.take_rejected()
        line = feed.row_start or reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                yield Rejected(source, None, f"missing columns: {', '.join(missing)} (header line {line})")
                return
            continue
        yield record_to_paper(dict(zip(header, row, strict=False)), source, line, CSV)
    yield from feed.take_rejected()
