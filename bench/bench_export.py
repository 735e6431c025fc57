"""Export timings on a graph of the real corpus: every `kg export` format, against rdflib's and networkx's writers.

    .venv/bin/python bench/bench_export.py [--corpus DIR] [--store DIR] [--extractor kg|ai-keywords]
                                           [--output DIR] [--skip-baselines]

The graph is built from ../shared/corpus/hf-daily-api (about 9,750 papers) by bench_query.py's builder:
`kg.ingest`, then `kg.nlp.Extractor` (or, with --extractor ai-keywords, the papers' ai_keywords as concept
mentions), then `GraphStore`.  With --store, an existing store is used (and built there if missing).

For each format the table gives:
- kg: `kg.export.export` from the on-disk store to a file: time, peak extra memory, file size;
- floor: Oxigraph's own unsorted `Store.dump` in that format, the cost of reading and writing with no sorting,
  prefix handling or JSON-LD compaction (what determinism and compaction add is kg minus floor);
- baseline: rdflib's serializer (turtle, nt, nquads, json-ld with the same prefixes as context, xml) writing
  the same triples from rdflib's in-memory Graph, and for GraphML networkx's `write_graphml` on the same view.
  rdflib's time does not include reading the store (its graph is already in memory), which favours rdflib;
- speed-up: baseline time / kg time.

Times are wall / CPU seconds: the machine is shared, and CPU time is what a busy machine does not inflate (the
load average is printed before and after).  Peak memory is the growth of the process's resident set while one
export runs, each in a fresh process whose high-water mark is reset through /proc/self/clear_refs (Linux).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import networkx as nx
import pyoxigraph as ox
import rdflib
from rich.console import Console
from rich.table import Table

from kg.export import EXTENSIONS, export, write_graphml
from kg.export.rdf import RDF_FORMATS
from kg.store import GraphStore
from kg.terms import PREFIXES
from kg.views import cooccurrence_graph, typed_graph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_query import DEFAULT_CORPUS, EXTRACTORS, build_store, rdflib_copy  # the graph builder shared by the benches

T = TypeVar("T")
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "jsonld": "json-ld", "xml": "xml"}
GRAPHML_VIEWS: dict[str, Callable[[ox.Store], nx.Graph]] = {
    "typed": typed_graph,
    "typed+evidence": lambda store: typed_graph(store, include_evidence=True),
    "cooccurrence": cooccurrence_graph,
}


@dataclass(frozen=True)
class Run:
    """One measured run: wall and CPU seconds, peak resident-set growth in MiB, and the size of what it wrote."""

    seconds: float
    cpu: float
    peak_mib: float | None
    size_mib: float | None


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next((line for line in status if line.startswith(field + ":")), None)
    except OSError:
        return None
    return int(line.split()[1]) if line else None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def measure(action: Callable[[], object], output: Path | None = None) -> Run:
    """Run `action` once; its time, its own peak memory (None where Linux's counters are not available), size."""
    gc.collect()
    tracked = _reset_peak()
    before = _status_kib("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    action()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = _status_kib("VmHWM")
    peak_mib = (peak - before) / 1024 if tracked and peak is not None and before is not None else None
    size = output.stat().st_size / 2**20 if output is not None and output.exists() else None
    return Run(seconds, cpu, peak_mib, size)


def _dump(store: ox.Store, fmt: str, path: Path) -> None:
    """Oxigraph's unsorted dump in `fmt`: the floor under any exporter that reads this store."""
    graph = None if RDF_FORMATS[fmt].supports_datasets else ox.DefaultGraph()
    store.dump(str(path), RDF_FORMATS[fmt], from_graph=graph, prefixes=PREFIXES)


def _rdflib_serialize(graph: rdflib.Graph, fmt: str, path: Path) -> None:
    if fmt == "nq":
        rdflib.Dataset(store=graph.store).serialize(path, format="nquads")
    elif fmt == "jsonld":
        graph.serialize(path, format="json-ld", context=PREFIXES, auto_compact=True)
    else:
        graph.serialize(path, format=RDFLIB_FORMATS[fmt])


def _fmt_run(run: Run | None) -> tuple[str, str, str]:
    if run is None:
        return ("-", "-", "-")
    peak = f"{max(run.peak_mib, 0):,.0f}" if run.peak_mib is not None else "n/a"
    size = f"{run.size_mib:,.1f}" if run.size_mib is not None else "-"
    return (f"{run.seconds:.1f} / {run.cpu:.1f}", peak, size)


def _ratio(baseline: Run | None, ours: Run) -> str:
    """Speed-up in wall time / in CPU time (CPU time is what a busy machine does not inflate)."""
    if baseline is None:
        return "-"
    return f"{baseline.seconds / ours.seconds:.1f}x / {baseline.cpu / ours.cpu:.1f}x"


# ------------------------------------------------------------------------ measurements, each in its own process
# A fresh process per measurement keeps one run's freed memory from hiding the next run's peak.  The parent
# never opens the store, so forking never copies RocksDB's threads or locks.


def in_child(function: Callable[..., T], *args: object) -> T:
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def _kg_export(store_path: Path, fmt: str, target: Path) -> Run:
    with GraphStore.open(store_path, read_only=True) as graph_store:
        return measure(lambda: export(graph_store.oxigraph, fmt, target), target)


def _floor(store_path: Path, fmt: str, target: Path) -> Run:
    with GraphStore.open(store_path, read_only=True) as graph_store:
        return measure(lambda: _dump(graph_store.oxigraph, fmt, target), target)


def _rdflib(store_path: Path, fmt: str, target: Path) -> Run:
    with GraphStore.open(store_path, read_only=True) as graph_store:
        graph = rdflib_copy(graph_store.oxigraph)
    return measure(lambda: _rdflib_serialize(graph, fmt, target), target)


def _graphml(store_path: Path, name: str, target: Path) -> tuple[Run, Run, str]:
    """The view's build and its GraphML write, measured apart; and the view's size."""
    holder: list[nx.Graph] = []
    with GraphStore.open(store_path, read_only=True) as graph_store:
        view = measure(lambda: holder.append(GRAPHML_VIEWS[name](graph_store.oxigraph)))
    graph = holder[0]
    write = measure(lambda: write_graphml(graph, target), target)
    return view, write, f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges"


def _networkx(store_path: Path, name: str, target: Path) -> Run:
    with GraphStore.open(store_path, read_only=True) as graph_store:
        graph = GRAPHML_VIEWS[name](graph_store.oxigraph)
    return measure(lambda: nx.write_graphml(graph, target), target)


def bench_rdf(store: Path, out: Path, baselines: bool) -> list[tuple[str, Run, Run, Run | None]]:
    """(format, kg run, floor run, rdflib run) for each RDF format."""
    rows = []
    for fmt in RDF_FORMATS:
        ext = EXTENSIONS[fmt]
        ours = in_child(_kg_export, store, fmt, out / f"kg.{ext}")
        floor = in_child(_floor, store, fmt, out / f"floor.{ext}")
        baseline = in_child(_rdflib, store, fmt, out / f"rdflib.{ext}") if baselines else None
        for name in ("floor", "rdflib"):
            (out / f"{name}.{ext}").unlink(missing_ok=True)
        rows.append((fmt, ours, floor, baseline))
        print(f"  {fmt}: kg {ours.seconds:.2f} s, floor {floor.seconds:.2f} s", flush=True)
    return rows


def bench_graphml(store: Path, out: Path, baselines: bool) -> list[tuple[str, str, Run, Run, Run | None]]:
    """(view, size, view-building run, GraphML-writing run, networkx-writer run) for each projection."""
    rows = []
    for name in GRAPHML_VIEWS:
        view, write, size = in_child(_graphml, store, name, out / f"{name}.graphml")
        baseline = None
        if baselines:
            baseline = in_child(_networkx, store, name, out / f"networkx-{name}.graphml")
            (out / f"networkx-{name}.graphml").unlink(missing_ok=True)
        rows.append((name, size, view, write, baseline))
        print(f"  graphml {name}: view {view.seconds:.2f} s, write {write.seconds:.2f} s", flush=True)
    return rows


def report(console: Console, triples: int, rdf_rows: list, graphml_rows: list) -> None:
    table = Table(title=f"RDF exports of {triples:,} triples (times: wall s / CPU s; memory: peak MiB; file MiB)")
    for column in ("format", "kg s", "kg peak", "MiB", "floor s", "rdflib s", "rdflib peak", "speed-up"):
        table.add_column(column, justify="left" if column == "format" else "right")
    for fmt, ours, floor, baseline in rdf_rows:
        kg_s, kg_peak, size = _fmt_run(ours)
        rdflib_s, rdflib_peak, _ = _fmt_run(baseline)
        table.add_row(fmt, kg_s, kg_peak, size, _fmt_run(floor)[0], rdflib_s, rdflib_peak, _ratio(baseline, ours))
    console.print(table)

    table = Table(title="GraphML exports: the view built from the store, then written (wall s / CPU s, MiB)")
    for column in (
        "projection",
        "size",
        "view s",
        "view peak",
        "write s",
        "write peak",
        "MiB",
        "networkx s",
        "speed-up",
    ):
        table.add_column(column, justify="left" if column in ("projection", "size") else "right")
    for name, size, view, write, baseline in graphml_rows:
        view_s, view_peak, _ = _fmt_run(view)
        write_s, write_peak, mib = _fmt_run(write)
        nx_s = _fmt_run(baseline)[0]
        table.add_row(name, size, view_s, view_peak, write_s, write_peak, mib, nx_s, _ratio(baseline, write))
    console.print(table)


def _describe(store_path: Path) -> tuple[int, dict]:
    with GraphStore.open(store_path, read_only=True) as graph_store:
        return len(graph_store), graph_store.stats()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="hf-daily-api folder")
    parser.add_argument("--store", type=Path, help="store to use, built there first if missing (default: a temp dir)")
    parser.add_argument("--extractor", choices=EXTRACTORS, default="kg", help="concepts from kg.nlp or ai_keywords")
    parser.add_argument("--output", type=Path, help="folder for the exported files (default: a temp dir)")
    parser.add_argument("--skip-baselines", action="store_true", help="time kg only, not rdflib or networkx")
    args = parser.parse_args(argv)
    console = Console(width=150)

    with tempfile.TemporaryDirectory(prefix="kg-bench-export-") as scratch:
        store = args.store or Path(scratch) / "store"
        if not (store / "CURRENT_VERSION").exists():
            in_child(build_store, args.corpus, store, args.extractor)
        out = args.output or Path(scratch) / "exports"
        out.mkdir(parents=True, exist_ok=True)
        triples, stats = in_child(_describe, store)
        print(f"store {store}: {triples:,} triples; {stats}")
        load_before = os.getloadavg()
        rdf_rows = bench_rdf(store, out, not args.skip_baselines)
        graphml_rows = bench_graphml(store, out, not args.skip_baselines)
        load_after = os.getloadavg()
        report(console, triples, rdf_rows, graphml_rows)
        console.print(
            f"load average (1, 5, 15 min) before {tuple(round(x, 1) for x in load_before)}, "
            f"after {tuple(round(x, 1) for x in load_after)} on {os.cpu_count()} cores"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
