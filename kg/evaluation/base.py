"""What both kinds of evaluation share: the extractor they run, and the JSON-lines files they read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from kg.errors import KgError
from kg.records import Extraction, Paper


class SupportsExtract(Protocol):
    def extract(self, paper: Paper) -> Extraction: ...


def extractions(extractor: SupportsExtract, papers: Sequence[Paper]) -> Iterator[Extraction]:
    """Use the extractor's batch API when it has one (much faster for spaCy), else one paper at a time."""
    extract_many: Callable[..., Iterable[Extraction]] | None = getattr(extractor, "extract_many", None)
    if extract_many is not None:
        yield from extract_many(papers)
    else:
        for paper in papers:
            yield extractor.extract(paper)


def json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; anything else is a one-line `KgError` naming file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise KgError(f"{path}: cannot read ({error})") from error
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise KgError(f"{path}:{line_no}: not valid JSON ({error})") from error
        if not isinstance(record, dict):
            raise KgError(f"{path}:{line_no}: expected a JSON object")
        yield line_no, record
