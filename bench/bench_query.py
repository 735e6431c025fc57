"""Benchmark every named query on a graph of the real corpus, Oxigraph against rdflib's default in-memory store.

    .venv/bin/python bench/bench_query.py [--store DIR] [--extractor kg|ai-keywords] [--repeats N]

The graph is built from ../shared/corpus/hf-daily-api (about 9,750 papers) with the project's own pipeline:
`kg.ingest` reads the API dumps, `kg.nlp.Extractor` extracts concepts (or, with --extractor ai-keywords, the
papers' own `ai_keywords` become concept mentions typed by a few word rules: a heavier graph of the same shape,
with about 40k concepts), and `GraphStore` stores it. rdflib's `Graph()` then holds the very same triples, and
both run each named query with the same bound parameters; Oxigraph through `kg.query.run_named`, the code path
of `kg query --name`.

Reported per query: the median wall time on each engine, Oxigraph's median CPU time (on a busy machine wall time
overstates the cost), their ratio and the row counts (which must agree). Also reported: the overhead of
`--timeout`, which runs a query in a forked child.
Targets: Oxigraph at least 20x faster than rdflib at the median, and under 50 ms per named query.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sized
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.errors import KgError
from kg.query import (
    QueryTimeoutError,
    Term,
    call_with_deadline,
    named_queries,
    run_named,
    run_query,
    without_lateral,
)
from kg.rdf import to_rdflib
from kg.records import Concept, Extraction, Mention, Paper
from kg.terms import PREFIXES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "hf-daily-api"

# ------------------------------------------------------------------------------------------- building the graph

# Word rules typing an ai_keyword when the real extractor is not available; anything else is a method.
_KEYWORD_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hardware", re.compile(r"\b(?:[AHVBT]100|H200|A6000|RTX ?\d{4}|TPU(?: ?v\d)?|GPUs?|NPU|FPGA)\b", re.I)),
    ("dataset", re.compile(r"\b(?:datasets?|benchmarks?|corpus|corpora|ImageNet|COCO|GLUE|MMLU|GSM8K)\b", re.I)),
    ("metric", re.compile(r"\b(?:accuracy|score|BLEU|ROUGE|FID|perplexity|F1|mAP|precision|recall|rate)\b", re.I)),
    (
        "task",
        re.compile(
            r"(?:generation|classification|detection|segmentation|recognition|translation|question answering|"
            r"retrieval|summarization|reasoning|captioning|editing|understanding)$",
            re.I,
        ),
    ),
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_HARDWARE_COUNT = re.compile(r"\b(\d{1,4})\s*(?:x\s*)?(?:NVIDIA\s+)?([AHV]100|H200)\b")


def _keyword_type(keyword: str) -> str:
    return next((kind for kind, rule in _KEYWORD_TYPES if rule.search(keyword)), "method")


def _sentence_at(text: str, offset: int) -> str:
    """The sentence of `text` containing `offset` (sentences end at ., ! or ? followed by white space)."""
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        if boundary.start() >= offset:
            return text[start : boundary.start()]
        start = boundary.end()
    return text[start:]


def keyword_extraction(paper: Paper) -> Extraction:
    """Mentions of the paper's ai_keywords where they occur in its title or abstract (the whole abstract's first
    sentence otherwise), plus hardware counts such as "8 A100"; the title's "Name:" is the paper's proposal."""
    mentions: list[Mention] = []
    proposal = paper.title.split(":", 1)[0].strip().lower() if ":" in paper.title else None
    for keyword in dict.fromkeys(k.strip() for k in paper.keywords if k.strip()):
        kind = _keyword_type(keyword)
        field, text = "abstract", paper.abstract
        start = text.lower().find(keyword.lower())
        if start < 0:
            field, text = "title", paper.title
            start = max(text.lower().find(keyword.lower()), 0)
        proposed = proposal is not None and proposal in keyword.lower()
        mentions.append(
            Mention(
                kind,
                keyword,
                field,
                start,
                start + len(keyword),
                keyword,
                _sentence_at(text, start),
                0.5,
                "bench/ai-keywords",
                proposed=proposed,
            )
        )
    for match in _HARDWARE_COUNT.finditer(paper.abstract):
        mentions.append(
            Mention(
                "hardware",
                match[0],
                "abstract",
                match.start(),
                match.end(),
                match[2].upper(),
                _sentence_at(paper.abstract, match.start()),
                0.8,
                "bench/hardware-count",
                count=int(match[1]),
                vendor="NVIDIA",
            )
        )
    concepts = tuple(dict.fromkeys(Concept(m.type, m.concept) for m in mentions))
    return Extraction(paper=paper, mentions=tuple(mentions), concepts=concepts)


EXTRACTORS = ("kg", "ai-keywords")


def _extractions(papers: list[Paper], extractor: str) -> Iterable[Extraction]:
    if extractor == "ai-keywords":
        return map(keyword_extraction, papers)
    from kg.nlp import Extractor

    return Extractor().extract_many(papers)


def build_store(corpus: Path, store: Path, extractor: str) -> None:
    from kg.ingest import ingest
    from kg.store import GraphStore

    started = time.perf_counter()
    result = ingest([corpus])
    print(f"read {len(result.papers)} papers ({len(result.rejected)} rejected); extracting with {extractor}")
    with GraphStore.open(store, read_only=False) as graph:
        report = graph.add(_extractions(list(result.papers), extractor))
    print(f"built {store}: {report.triples_after:,} triples in {time.perf_counter() - started:.1f} s")


def rdflib_copy(store: ox.Store) -> rdflib.Graph:
    """rdflib's default in-memory store holding the same triples, as rdflib's own parsers would give them.

    Terms go through `kg.rdf.to_rdflib`, which makes xsd:string literals plain: oxrdflib's "ox-nt" parser keeps
    the datatype explicit, and rdflib then never matches them against the plain literals of a query.
    """
    graph = rdflib.Graph()
    graph.addN(
        (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object), graph)
        for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    return graph


# ---------------------------------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    """Wall and CPU times (ms) of repeated runs; CPU time shows what a busy machine hides in wall time."""

    wall: list[float]
    cpu: list[float]
    rows: int
    timed_out: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def _timed(function: Callable[[], int]) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    rows = function()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, rows


def repeat(function: Callable[[], int], repeats: int, budget_s: float) -> Timing:
    """Run `function` up to `repeats` times (at least once) while the time spent stays within `budget_s`."""
    walls: list[float] = []
    cpus: list[float] = []
    rows = 0
    for _ in range(repeats):
        wall, cpu, rows = _timed(function)
        walls.append(wall)
        cpus.append(cpu)
        if sum(walls) / 1000 > budget_s:
            break
    return Timing(walls, cpus, rows)


def _count(function: Callable[..., Sized], *args: object, **kwargs: object) -> int:
    return len(function(*args, **kwargs))


def rdflib_named(graph: rdflib.Graph, text: str, substitutions: Mapping[str, Term]) -> int:
    """Run a rendered named query on rdflib with the same bound terms; returns the row count.

    rdflib has no LATERAL (SPARQL 1.2), which the queries use as a join-order hint only: `without_lateral`
    turns those blocks into plain groups with the same rows.
    """
    bindings = {name: to_rdflib(term) for name, term in substitutions.items()}
    return len(list(graph.query(without_lateral(text), initNs=PREFIXES, initBindings=bindings)))


def rdflib_timing(run: Callable[[], int], args: argparse.Namespace, what: str) -> Timing:
    """rdflib's timing. Its first run happens in a forked child killed after --rdflib-cap seconds, because a bad
    plan can take many minutes; the other runs happen in process (so copy-on-write faults do not count)."""
    try:
        wall, cpu, rows = call_with_deadline(functools.partial(_timed, run), args.rdflib_cap, what)
    except QueryTimeoutError:
        return Timing([args.rdflib_cap * 1000], [args.rdflib_cap * 1000], -1, timed_out=True)
    if args.rdflib_repeats <= 1 or wall / 1000 > args.rdflib_budget:
        return Timing([wall], [cpu], rows)
    return repeat(run, args.rdflib_repeats - 1, args.rdflib_budget)


def parameters(store: ox.Store, rank: int) -> dict[str, dict[str, object]]:
    """Parameters for each named query taken from the graph: the `rank`-th most used concept of each type (1 is
    the worst case: "Large Language Model" is in a third of the papers), and a paper with mentions and code."""

    def top(kind: str) -> str:
        rows = run_named(store, "top-concepts", {"type": kind, "limit": rank}).rows
        if not rows:
            raise KgError(f"the graph has no {kind} concept to benchmark with")
        return str(rows[-1]["label"])

    method, dataset, hardware = top("method"), top("dataset"), top("hardware")
    card = "SELECT ?id WHERE { ?p kg:arxivId ?id ; kg:hasMention ?m ; kg:hasRepository ?r } ORDER BY ?id LIMIT 1"
    titled = "SELECT ?id WHERE { ?p dcterms:title ?id ; kg:hasMention ?m } ORDER BY ?id LIMIT 1"  # no arXiv ids
    return {
        "top-concepts": {"type": "method", "limit": 20},
        "method-datasets-metrics": {"method": method},
        "papers-on-hardware": {"hardware": hardware},
        "papers-with-code": {"concept": dataset},
        "cooccurring": {"concept": method, "limit": 20},
        "timeline": {"concept": method},
        "paper-card": {"paper": (run_query(store, card).rows or run_query(store, titled).rows)[0]["id"]},
        "proposed-methods-with-code": {"limit": 50},
    }


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        cells = (
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        print("  ".join(cells))


def timeout_overhead(store: ox.Store, repeats: int) -> tuple[float, float]:
    """Median wall ms of a small named query run in process and with a time limit (in a forked child)."""
    direct = repeat(functools.partial(_count, run_named, store, "timeline", {"concept": "x"}), repeats, 10)
    forked = repeat(functools.partial(_count, run_named, store, "timeline", {"concept": "x"}, timeout=60), repeats, 10)
    return direct.median, forked.median


def _verdict(ox_timing: Timing, rdf_timing: Timing, ratio: float) -> str:
    if not rdf_timing.timed_out and rdf_timing.rows != ox_timing.rows:
        return "ROWS DIFFER"
    return "ok" if ox_timing.median < 50 and ratio >= 20 else "MISS"


def bench(store: ox.Store, copy: rdflib.Graph, args: argparse.Namespace) -> list[tuple[str, ...]]:
    params = parameters(store, args.rank)
    rows: list[tuple[str, ...]] = []
    for query in named_queries():
        chosen = params.get(query.name, {})
        ox_timing = repeat(functools.partial(_count, run_named, store, query.name, chosen), args.repeats, 30)
        binding = query.bind(store, chosen)
        rdf_run = functools.partial(rdflib_named, copy, query.render(binding), binding.substitutions)
        rdf_timing = rdflib_timing(rdf_run, args, f"rdflib {query.name}")
        over = ">" if rdf_timing.timed_out else ""
        ratio = rdf_timing.median / ox_timing.median
        rows.append(
            (
                query.name,
                f"{ox_timing.median:.1f}",
                f"{ox_timing.cpu_median:.1f}",
                f"{over}{rdf_timing.median:.0f}",
                f"{over}{ratio:.0f}x",
                str(ox_timing.rows),
                "?" if rdf_timing.timed_out else str(rdf_timing.rows),
                _verdict(ox_timing, rdf_timing, ratio),
                " ".join(f"{k}={v}" for k, v in chosen.items()),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="hf-daily-api folder")
    parser.add_argument("--store", type=Path, help="store to use, built there first if missing (default: a temp dir)")
    parser.add_argument("--extractor", choices=EXTRACTORS, default="kg", help="concepts from kg.nlp or ai_keywords")
    parser.add_argument("--rank", type=int, default=10, help="use the rank-th most used concepts as parameters")
    parser.add_argument("--repeats", type=int, default=21, help="Oxigraph runs per query")
    parser.add_argument("--rdflib-repeats", type=int, default=5, help="rdflib runs per query (at most)")
    parser.add_argument("--rdflib-budget", type=float, default=60, help="seconds of rdflib runs per query, roughly")
    parser.add_argument("--rdflib-cap", type=float, default=300, help="seconds after which one rdflib run is stopped")
    args = parser.parse_args(argv)
    from kg.store import GraphStore

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as scratch:
        store_path = args.store or Path(scratch) / "store"
        if not (store_path / "CURRENT_VERSION").exists():
            if not args.corpus.is_dir():
                print(f"no corpus at {args.corpus}", file=sys.stderr)
                return 1
            build_store(args.corpus, store_path, args.extractor)
        with GraphStore.open(store_path) as graph:
            store = graph.oxigraph
            direct, forked = timeout_overhead(store, args.repeats)  # before the rdflib copy makes forking dearer
            started = time.perf_counter()
            copy = rdflib_copy(store)
            loaded = time.perf_counter() - started
            print(f"graph: {len(store):,} triples, concepts {graph.stats()['concepts']}; rdflib copy in {loaded:.1f} s")
            print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            rows = bench(store, copy, args)
            print()
            header = (
                "query",
                "oxigraph ms",
                "(cpu ms)",
                "rdflib ms",
                "ratio",
                "rows",
                "rdflib rows",
                "target",
                "params",
            )
            _print_table(header, rows)
            print(
                f"\n--timeout overhead (forked child): {forked - direct:.1f} ms "
                f"({direct:.2f} ms in process, {forked:.2f} ms with a time limit); "
                f"load average {os.getloadavg()[0]:.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
