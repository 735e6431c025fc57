"""What both kinds of evaluation share: the extractor they run, the JSON-lines files they read, and counts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kg.errors import KgError
from kg.records import Extraction, Paper


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives, summed over documents (micro-averaging)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @classmethod
    def of(cls, tp: int, predicted: int, gold: int) -> Counts:
        return cls(tp, predicted - tp, gold - tp)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


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
