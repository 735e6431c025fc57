"""Extraction over a pool of processes, in input order.

Each worker builds its own pipeline once (in the pool initializer) and keeps it for the life of the process;
that per-process extractor is the only state here, and it never leaves its process.  Chunks of papers are the
unit of work, so start-up and pickling costs are paid per chunk rather than per paper.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from kg.records import Concept, Extraction, Mention, Paper, Result

_worker: dict[str, object] = {}  # this process's Extractor, set by the pool initializer


def _start(vocabulary: Path | None, lexicon: Path | None) -> None:
    from kg.nlp import Extractor

    _worker["extractor"] = Extractor(vocabulary, lexicon)


Parts = tuple[tuple[Mention, ...], tuple[Result, ...], tuple[Concept, ...]]


def _extract_chunk(papers: list[Paper]) -> list[Parts]:
    """What extraction found in each paper, without the paper itself: the parent has it, and sending it back
    would pickle every abstract a second time."""
    from kg.nlp import Extractor

    extractor = _worker["extractor"]
    assert isinstance(extractor, Extractor)
    found = extractor.extract_many(papers, n_process=1, batch_size=len(papers))
    return [(e.mentions, e.results, e.concepts) for e in found]


def chunks(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    """Consecutive lists of `size` papers (the last one shorter), read lazily."""
    iterator = iter(papers)
    while chunk := list(islice(iterator, max(size, 1))):
        yield chunk


def start_method() -> str:
    """'spawn': workers import a fresh interpreter rather than fork a parent that may hold threads or locks."""
    return "spawn" if "spawn" in multiprocessing.get_all_start_methods() else multiprocessing.get_start_method()


def extract(
    vocabulary: Path | None, lexicon: Path | None, papers: Iterable[Paper], n_process: int, batch_size: int
) -> Iterator[Extraction]:
    """Extractions of `papers` computed by `n_process` workers, yielded in input order."""
    context = multiprocessing.get_context(start_method())
    sent: deque[list[Paper]] = deque()  # chunks handed to the pool, in order: imap returns their parts in order

    def feed() -> Iterator[list[Paper]]:
        for chunk in chunks(papers, batch_size):
            sent.append(chunk)
            yield chunk

    with context.Pool(n_process, initializer=_start, initargs=(vocabulary, lexicon)) as pool:
        for parts in pool.imap(_extract_chunk, feed()):
            chunk = sent.popleft()
            for paper, (found, results, concepts) in zip(chunk, parts, strict=True):
                yield Extraction(paper=paper, mentions=found, results=results, concepts=concepts)
