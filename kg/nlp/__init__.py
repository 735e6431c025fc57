"""Extraction: papers in, typed mentions, canonical concepts and result values out.

`Extractor` runs the spaCy pipeline of `kg.nlp.pipeline` on each paper's title and abstract (one Doc, so an
abbreviation defined in the title holds in the abstract) and turns the resolved candidates into `Mention`,
`Result` and `Concept` records, with offsets into the title or the abstract exactly as read.

Parallelism is coarse-grained: chunks of papers go to a pool of processes that each build the pipeline once, and
come back in input order, because `nlp.pipe(n_process=...)` was measured slower than one process for this work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from kg.extractor_settings import DEFAULT_EXTRACTOR, ExtractorSettings
from kg.nlp.candidates import PAIRS, RESULTS, TEXT, TITLE_END, Candidate, ResultSpan, mentions, sentences, text_of
from kg.nlp.canon import canonicalise
from kg.nlp.pipeline import build_nlp
from kg.nlp.serialize import extraction_to_dict
from kg.records import Extraction, Mention, Paper, Result

__all__ = ["Extractor", "ExtractorSettings", "extraction_to_dict"]

FIELD_SEPARATOR = "\n\n"
MAX_CHUNK = 200
_LONG_CHUNK = re.compile(rf"[^ ]{{{MAX_CHUNK + 1},}}")


@dataclass(frozen=True)
class Layout:
    """Where the title and the abstract sit in the text the pipeline reads."""

    title_end: int
    abstract_start: int

    @classmethod
    def of(cls, paper: Paper) -> tuple[str, Layout]:
        if not paper.title or not paper.abstract:
            text = paper.title or paper.abstract
            return text, cls(len(paper.title), 0 if not paper.title else len(text))
        text = paper.title + FIELD_SEPARATOR + paper.abstract
        return text, cls(len(paper.title), len(paper.title) + len(FIELD_SEPARATOR))

    def place(self, text: str, found: Iterable[Candidate]) -> list[tuple[Candidate, str]]:
        """(candidate, its text) for each candidate within one field; a span that crosses the two fields is
        dropped.  One call places every mention of a paper."""
        title_end, abstract_start = self.title_end, self.abstract_start
        return [
            (candidate, text[candidate.start : candidate.end])
            for candidate in found
            if candidate.end <= title_end or candidate.start >= abstract_start
        ]


class Extractor:
    """Builds the pipeline once; `extract` and `extract_many` are deterministic functions of the paper text."""

    def __init__(
        self,
        vocabulary: Path | None = None,
        lexicon: Path | None = None,
        extractor: str = DEFAULT_EXTRACTOR,
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.settings = ExtractorSettings(vocabulary, lexicon, extractor, dict(overrides or {}))
        self.nlp = build_nlp(vocabulary, lexicon, overrides, extractor)

    @classmethod
    def from_settings(cls, settings: ExtractorSettings) -> Extractor:
        return cls(settings.vocabulary, settings.lexicon, settings.extractor, settings.overrides)

    def extract(self, paper: Paper) -> Extraction:
        return next(self.extract_many([paper]))

    def extract_many(self, papers: Iterable[Paper], n_process: int = 1, batch_size: int = 256) -> Iterator[Extraction]:
        """Extractions in input order, identical whatever `n_process` is."""
        if n_process <= 1:
            yield from self._extract_serial(papers, batch_size)
            return
        from kg.nlp import parallel

        yield from parallel.extract(self.settings, papers, n_process, batch_size)

    def docs(self, papers: Iterable[Paper], batch_size: int = 256) -> Iterator[tuple[Doc, Paper, Layout]]:
        """Each paper's processed Doc, with the paper and the layout `to_extraction` needs, in input order.

        The pipeline without the records: what `bench/bench_extract.py --stages` times component by component.
        """
        prepared = (self._prepare(paper) for paper in papers)
        for doc, (paper, layout) in self.nlp.pipe(prepared, as_tuples=True, batch_size=batch_size):
            yield doc, paper, layout

    def _extract_serial(self, papers: Iterable[Paper], batch_size: int) -> Iterator[Extraction]:
        for doc, paper, layout in self.docs(papers, batch_size):
            yield to_extraction(paper, layout, doc)

    def _prepare(self, paper: Paper) -> tuple[Doc, tuple[Paper, Layout]]:
        text, layout = Layout.of(paper)
        doc = self.nlp.make_doc(tokenizable(text))
        doc.user_data[TEXT] = text
        if paper.title:
            doc.user_data[TITLE_END] = layout.title_end
        return doc, (paper, layout)


def tokenizable(text: str) -> str:
    """`text` with every run of more than MAX_CHUNK non-space characters blanked out, offsets unchanged.

    spaCy's tokenizer splits affixes off a chunk one at a time, quadratic in the chunk's length (measured: 13 s for
    10,000 brackets); no concept name is that long, and the components still read the original text.
    """
    if not has_long_chunk(text):
        return text
    return _LONG_CHUNK.sub(lambda match: " " * len(match.group()), text)


def has_long_chunk(text: str) -> bool:
    """Whether `text` has a run of more than MAX_CHUNK characters without a space (spaCy's tokenizer splits on
    spaces only).

    Such a run covers one of every MAX_CHUNK + 1 offsets, so only the runs at those offsets are measured, with
    `str.find` (linear in the text: a regex for long runs would try every position of every word, and reading
    every character into numpy cost five times as much).
    """
    step = MAX_CHUNK + 1
    for at in range(MAX_CHUNK, len(text), step):
        if text[at] == " ":
            continue
        end = text.find(" ", at)
        if (len(text) if end < 0 else end) - text.rfind(" ", 0, at) - 1 > MAX_CHUNK:
            return True
    return False


def to_extraction(paper: Paper, layout: Layout, doc: Doc) -> Extraction:
    """The records of one processed Doc: mentions in text order, results, and the paper's concepts.

    Runs once per paper over every mention, so candidates are unpacked once rather than read field by field.
    """
    text = text_of(doc)
    placed = layout.place(text, mentions(doc))
    pairs = [
        (pair.type, pair.label, (text[pair.long_start : pair.long_end], pair.short))
        for pair in doc.user_data.get(PAIRS, ())
        if pair.type and pair.label
    ]
    canonical = canonicalise(placed, pairs)
    candidates = [candidate for candidate, _ in placed]
    evidence = sentences(doc).evidence_texts(candidates)
    title_end = layout.title_end
    in_title, in_abstract = ("title", 0), ("abstract", layout.abstract_start)  # field and its offset in `text`
    records = []
    for (candidate, surface), label, proposed, sentence in zip(
        placed, canonical.labels, canonical.proposed, evidence, strict=True
    ):
        start, end, kind, source, confidence, _, _, units, vendor = candidate
        field, offset = in_title if end <= title_end else in_abstract
        records.append(
            Mention(
                kind,
                surface,
                field,
                start - offset,
                end - offset,
                label,
                sentence,
                confidence,
                source,
                proposed,
                units,
                vendor,
            )
        )
    spans: tuple[ResultSpan, ...] = doc.user_data.get(RESULTS, ())
    if not spans:
        return Extraction(paper, tuple(records), (), canonical.concepts)
    found = (_result(text, span, candidates, canonical.labels) for span in spans)
    results = tuple(result for result in found if result is not None)
    return Extraction(paper, tuple(records), results, canonical.concepts)


def _result(text: str, span: ResultSpan, candidates: list[Candidate], labels: tuple[str, ...]) -> Result | None:
    """The result of `span`, or None when its metric is not one of `candidates` (the paper's placed mentions,
    whose concepts' labels are `labels`), as when it crosses the title and the abstract."""
    metric = _label_of(span.metric, candidates, labels)
    if metric is None:
        return None
    dataset = _label_of(span.dataset, candidates, labels) if span.dataset is not None else None
    return Result(metric, span.value, text[span.sentence_start : span.sentence_end], span.unit, dataset)


def _label_of(candidate: Candidate, candidates: list[Candidate], labels: tuple[str, ...]) -> str | None:
    """The label of `candidate`'s concept, or None when it is not among `candidates`.

    Found by a scan of the paper's few mentions rather than through a dict, which would hash every mention (nine
    fields each) for the one or two that results name."""
    try:
        return labels[candidates.index(candidate)]
    except ValueError:
        return None
