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
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kg.ingest.jsonwalk import loads
from kg.ingest.lines import BadLine, ByteProgress, Limits, Line, iter_lines
from kg.ingest.normalize import arxiv_id, count, iso_date
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
        upvotes=count(record.get("upvotes")),
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
            value = loads(item.text)
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


_QUOTED_REST = re.compile(r'(?:[^"]|"")*+"(?!")')  # the rest of a quoted field, through its closing quote


def ends_in_quotes(line: str, in_quotes: bool) -> bool:
    """Whether a CSV record is still inside a quoted field after `line` (`in_quotes`: whether it was before).

    The rules are those of Python's csv module with the default dialect: a quote opens a field only as its first
    character, `""` inside a quoted field is a literal quote, and after the closing quote the field runs on to the
    next comma. Knowing where each record ends before parsing it keeps the reader in step with the file: a record
    that cannot be used is rejected whole, and the next one starts where it really starts.
    """
    pos, at_field_start = 0, not in_quotes
    while True:
        if at_field_start and line.startswith('"', pos):
            pos, in_quotes = pos + 1, True
        if in_quotes:
            closing = _QUOTED_REST.match(line, pos)
            if closing is None:
                return True
            pos, in_quotes = closing.end(), False
        comma = line.find(",", pos)
        if comma < 0:
            return False
        pos, at_field_start = comma + 1, True


def _csv_records(path: Path, source: str, limits: Limits, progress: ByteProgress | None) -> Iterator[Line | Rejected]:
    """Each CSV record (one line, or several joined by the quoted fields that span them) with its first line number.

    A record longer than `Limits.max_line_bytes`, one holding a line that is not usable text, and one whose quoted
    field never closes are each rejected whole, with the line the record starts on.
    """
    start = 0
    parts: list[str] = []
    size = 0
    problem = ""  # why the record being read will be rejected, once it ends
    in_quotes = False
    for item in iter_lines(path, limits, progress):
        if not in_quotes:
            start, parts, size, problem = item.number, [], 0, ""
        if isinstance(item, BadLine):
            problem = problem or (item.reason if item.number == start else f"{item.reason} at line {item.number}")
            in_quotes ^= item.quotes % 2 == 1  # the line is not text, but its quotes still open or close a field
        else:
            in_quotes = ends_in_quotes(item.text, in_quotes)
            size += len(item.text) + 1
            if size > limits.max_line_bytes:
                problem = problem or f"record too long (over {limits.max_line_bytes} bytes)"
            if not problem:
                parts.append(item.text)
        if in_quotes:
            continue
        yield Rejected(source, start, problem) if problem else Line(start, "\n".join(parts))
    if in_quotes:
        yield Rejected(source, start, problem or "malformed CSV: a quoted field is never closed")


def _csv_row(record: Line, source: str) -> list[str] | Rejected:
    try:
        rows = list(csv.reader([record.text]))
    except csv.Error as error:
        return Rejected(source, record.number, f"malformed CSV: {error}")
    if len(rows) != 1:
        return Rejected(source, record.number, "malformed CSV: a line break outside quotes")
    return rows[0]


def read_csv(
    path: Path, source: str, limits: Limits, progress: ByteProgress | None = None
) -> Iterator[Paper | Rejected]:
    """Stream the rows of a CSV file with a header row; one Rejected for the file if required columns lack.

    A row with more fields than the header is rejected: its text was not split where its writer meant.
    """
    # The csv module's field limit (131,072 characters) is process-wide; raising it to the record limit, never
    # lowering it, keeps a long abstract one field instead of an error that would throw the parse out of step.
    csv.field_size_limit(max(csv.field_size_limit(), limits.max_line_bytes))
    header: list[str] | None = None
    for record in _csv_records(path, source, limits, progress):
        if isinstance(record, Rejected):
            yield record
            continue
        row = _csv_row(record, source)
        if isinstance(row, Rejected):
            yield row
            continue
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                yield Rejected(source, None, f"missing columns: {', '.join(missing)} (header line {record.number})")
                return
            continue
        if len(row) > len(header):
            yield Rejected(source, record.number, f"malformed CSV: {len(row)} fields, the header has {len(header)}")
            continue
        yield record_to_paper(dict(zip(header, row, strict=False)), source, record.number, CSV)
