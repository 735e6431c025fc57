"""Extraction over a pool of processes, in input order.

Each worker builds its own pipeline once (in the pool initializer) and keeps it for the life of the process;
that per-process extractor is the only state here, and it never leaves its process.  Chunks of papers are the
unit of work, so start-up and pickling costs are paid per chunk rather than per paper.

`ExtractionPool` starts its workers as soon as it is created, so they build their pipelines while the caller is
still reading input; `run` can apply a `finish` function to each extraction inside the worker (the build maps
each paper to its triples there), so only what the caller needs is pickled back. At most `window` chunks per
worker are in flight: a consumer slower than the workers (a store loading triples) holds back the feed instead
of letting finished results pile up in memory.
"""

from __future__ import annotations

import functools
import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from itertools import islice
from typing import Any, TypeVar

from kg.extractor_settings import ExtractorSettings
from kg.records import Concept, Extraction, Mention, Paper, Result

T = TypeVar("T")

_worker: dict[str, object] = {}  # this process's Extractor, set by the pool initializer


def _start(settings: ExtractorSettings) -> None:
    from kg.nlp import Extractor

    _worker["extractor"] = Extractor.from_settings(settings)


Parts = tuple[tuple[Mention, ...], tuple[Result, ...], tuple[Concept, ...]]


def _extractions(papers: list[Paper]) -> Iterator[Extraction]:
    from kg.nlp import Extractor

    extractor = _worker["extractor"]
    assert isinstance(extractor, Extractor)
    return extractor.extract_many(papers, n_process=1, batch_size=len(papers))


def _finish_chunk(finish: Callable[[Extraction], Any], papers: list[Paper]) -> list[Any]:
    return [finish(extraction) for extraction in _extractions(papers)]


def chunks(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    """Consecutive lists of `size` papers (the last one shorter), read lazily."""
    iterator = iter(papers)
    while chunk := list(islice(iterator, max(size, 1))):
        yield chunk


def start_method() -> str:
    """'spawn': workers import a fresh interpreter rather than fork a parent that may hold threads or locks."""
    return "spawn" if "spawn" in multiprocessing.get_all_start_methods() else multiprocessing.get_start_method()


class ExtractionPool:
    """`n_process` worker processes, each with its own Extractor; `close` ends them (`contextlib.closing`)."""

    def __init__(self, n_process: int, settings: ExtractorSettings | None = None, window: int = 3) -> None:
        context = multiprocessing.get_context(start_method())
        self.n_process = n_process
        self._window = max(1, window) * n_process
        self._pool = context.Pool(n_process, initializer=_start, initargs=(settings or ExtractorSettings(),))

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def run(
        self, papers: Iterable[Paper], batch_size: int, finish: Callable[[Extraction], T]
    ) -> Iterator[tuple[Paper, T]]:
        """(paper, `finish` of its extraction) for each paper, in input order; `finish` runs in the workers and
        must be a module-level function (it is pickled)."""
        in_flight = threading.Semaphore(self._window)
        stopped = threading.Event()
        sent: deque[list[Paper]] = deque()  # chunks handed to the pool, in order: imap returns their results in order

        def feed() -> Iterator[list[Paper]]:  # runs in the pool's task thread
            for chunk in chunks(papers, batch_size):
                while not in_flight.acquire(timeout=0.1):
                    if stopped.is_set():
                        return
                sent.append(chunk)
                yield chunk

        try:
            for results in self._pool.imap(functools.partial(_finish_chunk, finish), feed()):
                chunk = sent.popleft()
                in_flight.release()
                yield from zip(chunk, results, strict=True)
        finally:
            stopped.set()

    def extract(self, papers: Iterable[Paper], batch_size: int) -> Iterator[Extraction]:
        """Extractions of `papers`, in input order (only what was found travels back; the papers stay here)."""
        for paper, (found, results, concepts) in self.run(papers, batch_size, _parts):
            yield Extraction(paper=paper, mentions=found, results=results, concepts=concepts)


def _parts(extraction: Extraction) -> Parts:
    """What extraction found in a paper, without the paper itself: the parent has it, and sending it back would
    pickle every abstract a second time."""
    return extraction.mentions, extraction.results, extraction.concepts


def extract(
    settings: ExtractorSettings, papers: Iterable[Paper], n_process: int, batch_size: int
) -> Iterator[Extraction]:
    """Extractions of `papers` computed by `n_process` workers, yielded in input order."""
    with closing(ExtractionPool(n_process, settings)) as pool:
        yield from pool.extract(papers, batch_size)
