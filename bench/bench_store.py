"""Benchmark the graph store on the real corpus: Oxigraph bulk load against rdflib's default in-memory store.

    .venv/bin/python bench/bench_store.py [--corpus DIR] [--limit N] [--validate]

The corpus (../shared/corpus/hf-daily-api, about 9,750 papers) is read with `kg.ingest` and extracted with
`kg.nlp.Extractor`. The extractions are pickled once; each measurement then runs in its own child process, with
the peak-memory mark reset, so each peak is that measurement's own and not the high-water mark of another.

Measured:
  * store add    - `GraphStore.add` into a new store: mapping, per-paper diff, bulk load, compaction, commit
  * store re-add - adding the same extractions again (the idempotent path: nothing is written or committed)
  * ox load      - pre-mapped N-Triples into a fresh on-disk pyoxigraph Store with `bulk_load` (the load alone)
  * rdflib add   - the same extractions mapped to rdflib terms and added to `rdflib.Graph()` (the baseline)
  * rdflib load  - pre-mapped triples into `rdflib.Graph()` with `addN` (the load alone)
  * validate     - `kg validate` on the built store (with --validate; pySHACL is slow on large graphs)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "hf-daily-api"
Measurement = dict[str, float | int | str | bool]


def _status_mib(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS: now, VmHWM: peak), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so the peak is the measurement's own. ru_maxrss cannot be
    used: Linux carries it across exec, so a child would report its parent's peak."""
    with contextlib.suppress(OSError):  # then the peak includes loading the input, which "+MiB" still separates
        Path("/proc/self/clear_refs").write_text("5")


def _timed(function: Callable[[], Measurement]) -> Measurement:
    _reset_peak()
    before = _status_mib("VmRSS")
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    return {**result, "seconds": seconds, "rss_before_mib": before, "peak_mib": _status_mib("VmHWM")}


# ------------------------------------------------------------------------------------ measurements (children)


def _store_add(extractions: list, work: Path) -> Measurement:
    from kg.store import GraphStore

    with GraphStore.open(work / "store", read_only=False) as store:
        report = store.add(extractions)
    return {"triples": report.triples_after, "papers": report.papers}


def _store_readd(extractions: list, work: Path) -> Measurement:
    from kg.store import GraphStore

    with GraphStore.open(work / "store", read_only=False) as store:
        report = store.add(extractions)
    return {"triples": report.triples_after, "unchanged": report.papers_unchanged, "changed": report.changed}


def _ox_load(extractions: list, work: Path) -> Measurement:
    import pyoxigraph as ox

    from kg.rdf import ntriples_bytes, paper_ntriples

    data = ntriples_bytes(line for extraction in extractions for line in paper_ntriples(extraction))
    started = time.perf_counter()
    db = ox.Store(str(work / "raw"))
    db.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    db.flush()
    return {"triples": len(db), "load_seconds": time.perf_counter() - started}


def _rdflib_add(extractions: list, work: Path) -> Measurement:
    import rdflib

    from kg.rdf import extraction_triples

    graph = rdflib.Graph()
    for extraction in extractions:
        for triple in extraction_triples(extraction):
            graph.add(triple)
    return {"triples": len(graph)}


def _rdflib_load(extractions: list, work: Path) -> Measurement:
    import rdflib

    from kg.rdf import extraction_triples

    triples = [t for extraction in extractions for t in extraction_triples(extraction)]
    started = time.perf_counter()
    graph = rdflib.Graph()
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return {"triples": len(graph), "load_seconds": time.perf_counter() - started}


def _validate(extractions: list, work: Path) -> Measurement:
    from kg.store import GraphStore
    from kg.validate import validate_store

    with GraphStore.open(work / "store") as store:
        report = validate_store(store)
    return {"triples": report.triples, "conforms": report.conforms, "violations": len(report.violations)}


PHASES: dict[str, Callable[[list, Path], Measurement]] = {
    "store add": _store_add,
    "store re-add": _store_readd,
    "ox load": _ox_load,
    "rdflib add": _rdflib_add,
    "rdflib load": _rdflib_load,
    "validate": _validate,
}


def _child(phase: str, pickled: Path, work: Path) -> None:
    import pyoxigraph  # noqa: F401 - imported before measuring, so the libraries' own memory is not counted
    import rdflib  # noqa: F401

    import kg.store
    import kg.validate  # noqa: F401

    with pickled.open("rb") as handle:
        extractions = pickle.load(handle)
    print(json.dumps(_timed(lambda: PHASES[phase](extractions, work))))


# ------------------------------------------------------------------------------------------- orchestration


def _extract(corpus: Path, limit: int | None) -> tuple[list, Measurement]:
    """The corpus through the project's own pipeline: `kg.ingest` then `kg.nlp.Extractor`."""
    from kg.ingest import ingest
    from kg.nlp import Extractor

    started = time.perf_counter()
    papers = list(ingest([corpus]).papers)[:limit]
    read = time.perf_counter() - started
    extractions = list(Extractor().extract_many(papers))
    extracted = time.perf_counter() - started - read
    mentions = sum(len(e.mentions) for e in extractions)
    return extractions, {"papers": len(papers), "mentions": mentions, "read_s": read, "extract_s": extracted}


def _run_child(phase: str, pickled: Path, work: Path) -> Measurement:
    command = [sys.executable, __file__, "--child", phase, "--pickled", str(pickled), "--work", str(work)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(results: dict[str, Measurement]) -> str:
    add, base = results["store add"], results["rdflib add"]
    rows = [f"{'measurement':<14} {'triples':>10} {'seconds':>9} {'triples/s':>11} {'peak MiB':>9} {'+MiB':>7}"]
    for phase, r in results.items():
        seconds = float(r.get("load_seconds", r["seconds"]))
        rate = int(r["triples"]) / seconds if seconds else 0.0
        grown = float(r["peak_mib"]) - float(r["rss_before_mib"])
        rows.append(
            f"{phase:<14} {int(r['triples']):>10,} {seconds:>9.2f} {rate:>11,.0f} {float(r['peak_mib']):>9.0f}"
            f" {grown:>7.0f}"
        )
    ratio_add = float(base["seconds"]) / float(add["seconds"])
    rows.append(f"rdflib add / store add time: {ratio_add:.2f}x (both map records to terms, then load)")
    if "ox load" in results and "rdflib load" in results:
        ox_s, rdf_s = float(results["ox load"]["load_seconds"]), float(results["rdflib load"]["load_seconds"])
        rows.append(f"rdflib load / ox bulk load time: {rdf_s / ox_s:.2f}x (pre-mapped terms, load only)")
    rows.append("peak MiB: the child process's VmHWM during the measurement; +MiB: peak minus RSS before it")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N papers (by key)")
    parser.add_argument("--validate", action="store_true", help="also time kg validate on the built store")
    parser.add_argument("--child", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--pickled", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.pickled, args.work)
        return
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    extractions, source = _extract(args.corpus, args.limit)
    print(
        f"corpus: {source['papers']:,} papers, {source['mentions']:,} mentions "
        f"(read {source['read_s']:.1f} s, extracted by kg.nlp in {source['extract_s']:.1f} s)"
    )
    phases = [p for p in PHASES if p != "validate" or args.validate]
    with tempfile.TemporaryDirectory(prefix="kg-bench-store-") as tmp:
        work = Path(tmp)
        pickled = work / "extractions.pickle"
        with pickled.open("wb") as handle:
            pickle.dump(extractions, handle, protocol=pickle.HIGHEST_PROTOCOL)
        del extractions
        results = {phase: _run_child(phase, pickled, work) for phase in phases}
    print(_table(results))
    readd = results["store re-add"]
    print(f"re-add: {readd['unchanged']:,} papers unchanged, store changed: {readd['changed']}")
    if "validate" in results:
        v = results["validate"]
        print(f"validate: conforms={v['conforms']}, {v['violations']:,} violation(s), {float(v['seconds']):.1f} s")


if __name__ == "__main__":
    main()
