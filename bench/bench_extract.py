"""Extraction throughput against the bare spaCy tokenizer, measured in the same run.

    .venv/bin/python bench/bench_extract.py [--seeds DIR] [--papers N] [--repeats R] [--skip-parallel]

The seed abstracts (read by `kg.ingest`) are replicated to N papers (20,000 by default).  Three timings, best of
R runs each, all on the same texts (title and abstract joined, as the extractor reads them):

- tokenizer: `spacy.blank("en").pipe(texts)`, the ceiling for any spaCy pipeline;
- extract: `Extractor.extract_many(papers)` in one process, every record built (mentions, results, concepts);
- extract, n_process=2: the same through the process pool, start-up included.

The ratio extract/tokenizer is the figure to watch (target >= 0.4): absolute rates move with the machine's load,
which is printed before and after, while a ratio taken in one run cancels most of it out.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import spacy

from kg.ingest import ingest
from kg.nlp import FIELD_SEPARATOR, Extractor
from kg.records import Paper

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def replicate(papers: Sequence[Paper], count: int) -> list[Paper]:
    """`count` papers cycling through `papers`, each with its own key and id."""
    return [replace(papers[i % len(papers)], key=f"bench:{i}", id=f"bench-{i}") for i in range(count)]


@dataclass(frozen=True)
class Timing:
    """The best of several runs: wall-clock seconds, CPU seconds of this process, and what the run returned."""

    wall: float
    cpu: float
    result: int


def best_of(repeats: int, run: Callable[[], int]) -> Timing:
    """The shortest wall and CPU times of `repeats` runs of `run`.

    CPU time is this process's own: on a shared machine, other processes stretch wall time but not CPU time.
    """
    wall, cpu, result = float("inf"), float("inf"), 0
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return Timing(wall, cpu, result)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of seed listings")
    parser.add_argument("--papers", type=int, default=20_000, help="papers to extract (seeds replicated)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing; the best is kept")
    parser.add_argument("--skip-parallel", action="store_true", help="do not time n_process=2")
    args = parser.parse_args(argv)

    seeds = ingest([args.seeds]).papers
    papers = replicate(seeds, args.papers)
    texts = [FIELD_SEPARATOR.join(part for part in (p.title, p.abstract) if part) for p in papers]
    print(f"{len(seeds)} seed papers replicated to {len(papers)}; load average {os.getloadavg()[0]:.2f}")

    tokenizer = spacy.blank("en")
    start = time.perf_counter()
    extractor = Extractor()
    print(f"pipeline built in {time.perf_counter() - start:.2f} s: {', '.join(extractor.nlp.pipe_names)}")
    list(extractor.extract_many(papers[:200]))  # warm the vocabulary: lexemes and flags are computed once per word

    def tokenize() -> int:
        return sum(len(doc) for doc in tokenizer.pipe(texts, batch_size=256))

    def extract() -> int:
        return sum(len(e.mentions) for e in extractor.extract_many(papers))

    def extract_parallel() -> int:
        return sum(len(e.mentions) for e in extractor.extract_many(papers, n_process=2))

    list(tokenizer.pipe(texts[:200]))
    tokenizer_time = best_of(args.repeats, tokenize)
    extract_time = best_of(args.repeats, extract)
    n = len(papers)
    print(f"{'':22} {'wall abstracts/s':>17} {'CPU abstracts/s':>16}")
    print(
        f"{'tokenizer':22} {n / tokenizer_time.wall:17.0f} {n / tokenizer_time.cpu:16.0f}"
        f"   ({tokenizer_time.result / n:.0f} tokens each)"
    )
    print(
        f"{'extract, 1 process':22} {n / extract_time.wall:17.0f} {n / extract_time.cpu:16.0f}"
        f"   ({extract_time.result / n:.1f} mentions each)"
    )
    print(
        f"ratio extract/tokenizer: {tokenizer_time.wall / extract_time.wall:.2f} wall, "
        f"{tokenizer_time.cpu / extract_time.cpu:.2f} CPU (target >= 0.40)"
    )
    if not args.skip_parallel:
        parallel = best_of(1, extract_parallel)
        print(
            f"{'extract, n_process=2':22} {n / parallel.wall:17.0f} {'':>16}"
            f"   (start-up included; same mentions: {parallel.result == extract_time.result})"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
