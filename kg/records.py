"""Immutable records passed between pipeline stages.

Every stage consumes and produces these frozen dataclasses, so no stage can mutate what an earlier one produced
and the data flow stays one-directional (ingest -> extract -> link -> store).
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONCEPT_TYPES: tuple[str, ...] = ("method", "dataset", "hardware", "metric", "task")


@dataclass(frozen=True, order=True)
class Provenance:
    """Where one listing of a paper was read: a paper listed twice has two provenances."""

    file: str
    line: int
    format: str


@dataclass(frozen=True)
class Paper:
    """One paper, possibly merged from several listings.

    `key` is the identity used for deduplication and IRIs: ``arxiv:<id>`` when the arXiv id is known, otherwise
    ``title:<normalised title>``.  `id` is the user-facing identifier (the input's own id where it has one).
    """

    key: str
    id: str
    title: str
    abstract: str
    arxiv_id: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD)
    authors: tuple[str, ...] = ()
    organization: str | None = None
    upvotes: int | None = None
    url: str | None = None
    project_page: str | None = None
    github_stars: int | None = None
    repositories: tuple[str, ...] = ()  # canonical https://github.com/owner/repo
    links: tuple[str, ...] = ()  # every cleaned code/project URL as written
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    provenance: tuple[Provenance, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """A record a reader could not use; `line` is None when the whole file is unusable."""

    file: str
    line: int | None
    reason: str

    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True, init=False)
class Mention:
    """One span of text that denotes a concept, with the evidence behind it.

    Extraction builds a couple of dozen per abstract, and the `__init__` a frozen dataclass generates calls
    `object.__setattr__` once per field (measured 1.4 us for these twelve); the hand-written one below fills the
    instance dict in one step (0.5 us).  Fields, defaults, equality, hashing and repr are the dataclass's own.
    """

    type: str  # one of CONCEPT_TYPES
    text: str
    field: str  # "title" or "abstract"
    start: int
    end: int
    concept: str  # canonical label of the concept it denotes
    sentence: str
    confidence: float
    source: str  # "component/rule" that produced it
    proposed: bool = False
    count: int | None = None  # hardware: "8 GPUs" -> 8
    vendor: str | None = None  # hardware: "NVIDIA"

    def __init__(
        self,
        type: str,
        text: str,
        field: str,
        start: int,
        end: int,
        concept: str,
        sentence: str,
        confidence: float,
        source: str,
        proposed: bool = False,
        count: int | None = None,
        vendor: str | None = None,
    ) -> None:
        self.__dict__.update(
            {
                "type": type,
                "text": text,
                "field": field,
                "start": start,
                "end": end,
                "concept": concept,
                "sentence": sentence,
                "confidence": confidence,
                "source": source,
                "proposed": proposed,
                "count": count,
                "vendor": vendor,
            }
        )


@dataclass(frozen=True, init=False)
class Result:
    """A stated number: metric, value and unit, with the dataset when the sentence names one.

    The hand-written `__init__` fills the instance dict in one step, as `Mention`'s.
    """

    metric: str
    value: str
    sentence: str
    unit: str | None = None
    dataset: str | None = None

    def __init__(
        self, metric: str, value: str, sentence: str, unit: str | None = None, dataset: str | None = None
    ) -> None:
        self.__dict__.update({"metric": metric, "value": value, "sentence": sentence, "unit": unit, "dataset": dataset})


@dataclass(frozen=True, init=False)
class Concept:
    """A canonical concept: one label per concept, every variant seen kept as an alias.

    Built by the dozen per abstract: the hand-written `__init__` fills the instance dict in one step, as `Mention`'s.
    """

    type: str
    label: str
    aliases: tuple[str, ...] = ()

    def __init__(self, type: str, label: str, aliases: tuple[str, ...] = ()) -> None:
        self.__dict__.update({"type": type, "label": label, "aliases": aliases})


@dataclass(frozen=True)
class Extraction:
    """Everything extraction found in one paper."""

    paper: Paper
    mentions: tuple[Mention, ...] = ()
    results: tuple[Result, ...] = ()
    concepts: tuple[Concept, ...] = field(default=())
