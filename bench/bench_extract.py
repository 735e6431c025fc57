"""Extraction throughput against the bare spaCy tokenizer, measured in the same run.

    .venv/bin/python bench/bench_extract.py [--seeds DIR] [--papers N] [--corpus DIR] [--skip-corpus]
                                            [--repeats R] [--skip-parallel] [--stages] [--extractor NAME]

Two sets of papers: the seed abstracts (read by `kg.ingest`) replicated to N papers (20,000 by default), which the
issue's target is stated on, and up to N distinct real papers of the corpus (../shared/corpus/hf-daily-api), where
no text repeats, so memoised per-string work and the tokenizer's chunk cache help no more than they would on new
input.  On each set, best of R runs each, all on the same texts (title and abstract joined, as the extractor reads
them):

- tokenizer: `spacy.blank("en").pipe(texts)`, the ceiling for any spaCy pipeline;
- extract: `Extractor(extractor=NAME).extract_many(papers)` (learned by default, or rules) in one process, every
  record built (mentions, results, concepts);
- extract, n_process=2 (replicated seeds only): the same through the process pool, start-up included.

With --stages (replicated seeds only), the pipeline is also timed with its components switched on one at a time,
then with the records built: each line gives the cost per abstract so far, what that component added, and the ratio
the extractor would have if it stopped there, which shows where the budget of the target goes.

The ratio extract/tokenizer is the figure to watch (target >= 0.4): absolute rates move with the machine's load,
which is printed before and after, while a ratio taken in one run cancels most of it out.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import spacy

from kg.extractor_settings import DEFAULT_EXTRACTOR, EXTRACTOR_CHOICES
from kg.ingest import ingest
from kg.nlp import FIELD_SEPARATOR, Extractor
from kg.records import Paper

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = ROOT / "seeds"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "hf-daily-api"


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


def measure(
    name: str,
    papers: Sequence[Paper],
    repeats: int,
    parallel: bool,
    stages: bool = False,
    extractor_name: str = "learned",
) -> None:
    """Print the tokenizer's and the extractor's rates on `papers`, and their ratio, all timed in this call.

    Each set gets a fresh pipeline warmed on its first 200 papers (lexemes and word classes are computed once per
    word type), and a fresh tokenizer warmed the same way, so neither side inherits the other set's caches.
    """
    texts = [FIELD_SEPARATOR.join(part for part in (p.title, p.abstract) if part) for p in papers]
    n = len(papers)
    print(f"-- {name}: {n} papers; load average {os.getloadavg()[0]:.2f}")
    tokenizer = spacy.blank("en")
    start = time.perf_counter()
    extractor = Extractor(extractor=extractor_name)
    print(
        f"{extractor_name} pipeline built in {time.perf_counter() - start:.2f} s: {', '.join(extractor.nlp.pipe_names)}"
    )
    list(extractor.extract_many(papers[:200]))
    list(tokenizer.pipe(texts[:200]))

    def tokenize() -> int:
        return sum(len(doc) for doc in tokenizer.pipe(texts, batch_size=256))

    def extract() -> int:
        return sum(len(e.mentions) for e in extractor.extract_many(papers))

    tokenizer_time = best_of(repeats, tokenize)
    extract_time = best_of(repeats, extract)
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
    if parallel:
        timing = best_of(1, lambda: sum(len(e.mentions) for e in extractor.extract_many(papers, n_process=2)))
        print(
            f"{'extract, n_process=2':22} {n / timing.wall:17.0f} {'':>16}"
            f"   (start-up included; same mentions: {timing.result == extract_time.result})"
        )
    if stages:
        print_stages(extractor, papers, repeats, tokenizer_time.wall, extract_time.wall)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def print_stages(
    extractor: Extractor, papers: Sequence[Paper], repeats: int, tokenizer_wall: float, extract_wall: float
) -> None:
    """Cumulative wall time per abstract with the first k components on, for every k, then with the records (the
    whole extraction, already timed as `extract_wall`).

    Stage 0 is the extractor's own tokenizing (the text joined, long chunks blanked, the Doc made), so the first line
    also shows what the extractor pays over the bare tokenizer before any component runs.
    """
    n = len(papers)
    names = extractor.nlp.pipe_names

    def up_to(k: int) -> Callable[[], int]:
        def run() -> int:
            with extractor.nlp.select_pipes(enable=names[:k]):
                return sum(1 for _ in extractor.docs(papers))

        return run

    stages = ["tokenizing", *(f"+ {name}" for name in names)]
    walls = [best_of(repeats, up_to(k)).wall for k in range(len(stages))]
    print(f"{'stage':22} {'us/abstract':>12} {'added':>8} {'ratio if it ended here':>23}")
    previous = 0.0
    for stage, wall in zip([*stages, "+ records"], [*walls, extract_wall], strict=True):
        cost = wall / n * 1e6
        print(f"{stage:22} {cost:12.1f} {cost - previous:8.1f} {tokenizer_wall / wall:23.2f}")
        previous = cost


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of seed listings")
    parser.add_argument("--papers", type=int, default=20_000, help="papers to extract (seeds replicated)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of distinct real papers")
    parser.add_argument("--skip-corpus", action="store_true", help="time the replicated seeds only")
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing; the best is kept")
    parser.add_argument("--skip-parallel", action="store_true", help="do not time n_process=2")
    parser.add_argument("--stages", action="store_true", help="also time the components one at a time (seeds)")
    parser.add_argument("--extractor", choices=EXTRACTOR_CHOICES, default=DEFAULT_EXTRACTOR, help="extractor to time")
    args = parser.parse_args(argv)

    seeds = ingest([args.seeds]).papers
    replicated = replicate(seeds, args.papers)
    measure(
        f"{len(seeds)} seed papers replicated",
        replicated,
        args.repeats,
        not args.skip_parallel,
        args.stages,
        args.extractor,
    )
    if args.skip_corpus:
        return
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: distinct papers not timed", file=sys.stderr)
        return
    corpus = ingest([args.corpus]).papers[: args.papers]
    measure("distinct corpus papers", corpus, args.repeats, parallel=False, extractor_name=args.extractor)


if __name__ == "__main__":
    main()
