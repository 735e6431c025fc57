"""Which reader a file needs, from its content first and its extension second.

Content decides where it is unambiguous: a JSON array, or an object with a "data" list, is an API dump; one JSON
object per line is JSON Lines, and an arXiv snapshot when its records carry ``categories`` and
``versions``/``update_date``. The extension decides the rest: ``.txt`` is a listing, ``.csv`` a table. A file
with another extension is still recognised by a CSV header naming title and abstract, or by listing
boilerplate; anything else is unknown, which is a `KgError` naming the file.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import KgError
from kg.ingest import arxiv
from kg.ingest.hf_listing import BOILERPLATE
from kg.ingest.jsonwalk import loads
from kg.ingest.lines import SNIFF_BYTES, head_text, read_head, text_encoding
from kg.ingest.tabular import REQUIRED

HF_LISTING = "hf-listing"
HF_API = "hf-api"
JSONL = "jsonl"
CSV = "csv"
ARXIV = "arxiv"
FORMATS = (HF_LISTING, HF_API, JSONL, CSV, ARXIV)
BINARY = "binary file (not a paper listing)"

_JSONL_EXTENSIONS = (".jsonl", ".ndjson", ".jsonlines")


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise KgError(f"unknown input format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    return fmt


def detect_format(path: Path) -> str:
    """The format of `path` (one of FORMATS); raises KgError if it is binary or unrecognisable."""
    detected, reason = sniff(path)
    if detected is None:
        raise KgError(f"{path}: {reason}")
    return detected


def sniff(path: Path) -> tuple[str | None, str]:
    """(format, "") or (None, why not): the reason is a reject reason, without the file name."""
    try:
        head = read_head(path, SNIFF_BYTES)
    except OSError as error:
        return None, f"unreadable file ({error.strerror or error})"
    encoding = text_encoding(head)
    if encoding is None:
        return None, BINARY
    text = head_text(head, encoding)
    suffix = path.suffix.lower()
    detected = _from_json(text, suffix) or _from_extension(suffix) or _from_text(text)
    if detected is None:
        return None, f"unknown format (not one of: {', '.join(FORMATS)})"
    return detected, ""


def _first_line_object(text: str) -> dict | None:
    """The first line parsed as a JSON object, if it is one complete object."""
    first = text.lstrip().split("\n", 1)[0]
    try:
        value = loads(first)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _from_json(text: str, suffix: str) -> str | None:
    start = text.lstrip()[:1]
    if start == "[":
        return HF_API
    if start != "{":
        return None
    record = _first_line_object(text)
    if record is None:
        # A multi-line object (pretty-printed): a JSON document unless named as JSON Lines.
        return JSONL if suffix in _JSONL_EXTENSIONS else HF_API
    if isinstance(record.get("data"), list):
        return HF_API
    return ARXIV if arxiv.is_snapshot_record(record) else JSONL


def _from_extension(suffix: str) -> str | None:
    return {".txt": HF_LISTING, ".csv": CSV, ".json": HF_API}.get(suffix) or (
        JSONL if suffix in _JSONL_EXTENSIONS else None
    )


def _from_text(text: str) -> str | None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    header = {cell.strip().strip('"').lower() for cell in lines[0].split(",")}
    if all(name in header for name in REQUIRED):
        return CSV
    if any(line.casefold() in BOILERPLATE - {"new", "subscribe"} for line in lines[:20]):
        return HF_LISTING
    return None
