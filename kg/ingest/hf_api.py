"""Reader for Hugging Face Daily Papers API dumps (one JSON file per day).

Each item is ``{"paper": {...}, "title", "summary", ...}`` where ``paper.id`` is the arXiv id. Real dumps mix in
items stored as Python-repr strings (parsed with `ast.literal_eval`, never `eval`) and one wraps its list as
``{"data": [...]}``. Older dumps lack ``githubRepo`` and ``ai_keywords``. Hard line breaks in titles and abstracts
are joined (see `kg.ingest.normalize.join_wrapped`).

A day's dump is small, so the file is read whole, up to `Limits.max_json_bytes`; a malformed file is rejected as
a whole, with the line and column of the error, rather than half-read.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kg.ingest import jsonwalk
from kg.ingest.lines import ByteProgress, Limits, read_utf8
from kg.ingest.normalize import arxiv_id, count, iso_date
from kg.ingest.paper import make_paper
from kg.records import Paper, Provenance, Rejected

FORMAT = "hf-api"


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _as_item(raw: object) -> Mapping[str, Any] | str:
    """The item as a mapping, or a reason why it is not one."""
    if isinstance(raw, str):
        try:
            raw = ast.literal_eval(raw)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return "unreadable item: a string that is neither JSON nor a Python literal"
    if not isinstance(raw, Mapping):
        return f"unreadable item: a {type(raw).__name__}, not an object"
    return raw


def _authors(paper: Mapping[str, Any]) -> list[str]:
    authors = paper.get("authors")
    if not isinstance(authors, list):
        return []
    names = (a.get("name") if isinstance(a, Mapping) else a for a in authors)
    return [n for n in names if isinstance(n, str) and n.strip()]


def _organization(*candidates: object) -> str | None:
    """The organisation's display name (``fullname``), else its handle (``name``)."""
    for org in candidates:
        if isinstance(org, Mapping):
            name = _text(org.get("fullname")) or _text(org.get("name"))
            if name:
                return name
        elif isinstance(org, str) and org.strip():
            return org.strip()
    return None


def paper_from_item(item: Mapping[str, Any], source: str, line: int) -> Paper | Rejected:
    """One API item as a Paper; Rejected when it has no title or no abstract."""
    paper = item.get("paper")
    if not isinstance(paper, Mapping):
        paper = {}
    title = _text(paper.get("title")) or _text(item.get("title"))
    abstract = _text(paper.get("summary")) or _text(item.get("summary"))
    if not title:
        return Rejected(source, line, "item with no title")
    if not abstract:
        return Rejected(source, line, "title with no abstract")
    arxiv = arxiv_id(_text(paper.get("id")))
    keywords = paper.get("ai_keywords")
    repo = _text(paper.get("githubRepo"))
    return make_paper(
        title=title,
        abstract=abstract,
        provenance=Provenance(source, line, FORMAT),
        arxiv=arxiv,
        date=iso_date(paper.get("publishedAt")) or iso_date(item.get("publishedAt")),
        authors=_authors(paper),
        organization=_organization(paper.get("organization"), item.get("organization")),
        upvotes=count(paper.get("upvotes")),
        url=f"https://arxiv.org/abs/{arxiv}" if arxiv else None,
        project_page=_text(paper.get("projectPage")) or None,
        github_stars=count(paper.get("githubStars")),
        code_urls=[repo] if repo else [],
        keywords=[k for k in keywords if isinstance(k, str)] if isinstance(keywords, list) else [],
    )


def read(path: Path, source: str, limits: Limits, progress: ByteProgress | None = None) -> Iterator[Paper | Rejected]:
    """Stream the papers of one API dump; the whole file is rejected if it is not valid JSON."""
    size = path.stat().st_size
    if size > limits.max_json_bytes:
        yield Rejected(source, None, f"JSON file too large ({size} bytes; limit {limits.max_json_bytes})")
        return
    raw = read_utf8(path)
    if progress is not None:
        progress(size)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        yield Rejected(source, raw.count(b"\n", 0, error.start) + 1, f"invalid UTF-8 (at byte {error.start})")
        return
    try:
        items = list(jsonwalk.iter_items(text))
    except json.JSONDecodeError as error:
        yield Rejected(source, error.lineno, f"malformed JSON: {error.msg} (line {error.lineno}, column {error.colno})")
        return
    except (ValueError, RecursionError) as error:
        yield Rejected(source, None, f"not an API dump: {error}")
        return
    for line, raw_item in items:
        item = _as_item(raw_item)
        yield Rejected(source, line, item) if isinstance(item, str) else paper_from_item(item, source, line)
