"""How to build an Extractor, as one picklable value: worker processes and Dask workers build theirs from it.

Kept out of `kg.nlp` so that the build and the CLI can name an extractor without importing spaCy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_EXTRACTOR = "learned"
EXTRACTOR_CHOICES: tuple[str, ...] = ("learned", "rules")  # what users choose between (see kg.nlp.pipeline)


@dataclass(frozen=True)
class ExtractorSettings:
    """`extractor`: "learned" or "rules" (`kg.nlp.pipeline.EXTRACTORS`); `overrides`: per-component config."""

    vocabulary: Path | None = None
    lexicon: Path | None = None
    extractor: str = DEFAULT_EXTRACTOR
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)
