"""Benchmark `kg serve` under concurrent clients, against Oxigraph's own server and in-process pyoxigraph.

    .venv/bin/python bench/bench_serve.py [--store DIR] [--clients 10] [--seconds 30] [--workers 2]

The store defaults to the seeds, built into a temporary folder (pass --store for another one, such as a corpus
store built with `kg build ../shared/corpus/hf-daily-api --store /tmp/serve-corpus`). The query mix is every
named query, with parameters taken from the graph as bench/bench_query.py takes them, and a few ad-hoc SELECTs.

Three runs, in the same process and on the same data:
* `kg serve` (the real command, a subprocess on a free loopback port) under `--clients` concurrent clients for
  `--seconds`: named queries by GET /queries/NAME, SELECTs by POST /sparql, SPARQL JSON back;
* the baseline: `oxigraph serve-read-only` on the same store version, the same clients and the same queries
  (named queries sent as the text kg renders for them, parameters written in as VALUES blocks);
* in-process pyoxigraph (`kg.query.run_named` / `run_query`, one thread): the engine with no HTTP at all.

Reported: requests, requests/s, p50 and p99 latency, and errors (which must be 0: exit status 1 otherwise).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from bench_query import parameters

from kg.query import PREFIXES, named_query, run_named, run_query
from kg.remote_store import request_text

ROOT = Path(__file__).resolve().parent.parent
# Ad-hoc lookups a client sends beside the named queries (the named queries carry the analytics).
SELECTS: dict[str, str] = {
    "titles": "SELECT ?p ?title WHERE { ?p a kg:Paper ; dcterms:title ?title } LIMIT 50",
    "uses-lora": (
        'SELECT ?title WHERE { ?c kg:labelKey "lora" . ?p kg:usesMethod ?c ; dcterms:title ?title } LIMIT 50'
    ),
    "proposals": (
        "SELECT ?title ?label WHERE { ?p kg:proposes ?c ; dcterms:title ?title . ?c skos:prefLabel ?label } LIMIT 100"
    ),
    "label-key": 'SELECT ?node ?label WHERE { ?node kg:labelKey "transformer" ; skos:prefLabel ?label }',
    "ask": "ASK { ?p kg:runsOn ?hardware }",
}
JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Job:
    """One query of the mix, as each target receives it."""

    label: str
    kg_path: str  # /queries/NAME (GET, params) or /sparql (POST, the query)
    kg_params: dict[str, str]
    sparql: str  # the full text for Oxigraph's server (prefixes declared, parameters written in)
    in_process: Callable[[], object]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    by_label: dict[str, list[float]] = field(default_factory=dict)

    def row(self, name: str) -> tuple[str, ...]:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000 if ordered else float("nan")
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000 if ordered else float("nan")
        rate = len(ordered) / self.seconds if self.seconds else 0.0
        return (name, f"{len(ordered):,}", f"{rate:,.1f}", f"{p50:.1f}", f"{p99:.1f}", str(len(self.errors)))


def jobs(store_path: Path) -> list[Job]:
    import pyoxigraph as ox

    from kg.store import current_data_dir

    store = ox.Store.read_only(str(current_data_dir(store_path)))
    mix: list[Job] = []
    for name, params in parameters(store, 10).items():
        query = named_query(name)
        binding = query.bind(store, params)
        text = request_text(query.render(binding), PREFIXES, binding.substitutions)
        values = {key: str(value) for key, value in params.items()}
        mix.append(Job(name, f"/queries/{name}", values, text, lambda n=name, p=params: run_named(store, n, p)))
    for label, sparql in SELECTS.items():
        text = request_text(sparql, PREFIXES, None)
        mix.append(Job(label, "/sparql", {"query": sparql}, text, lambda q=sparql: run_query(store, q)))
    return mix


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def process(command: list[str], ready: str) -> Iterator[None]:
    """Run `command` until the block ends; wait until GET `ready` answers."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(ready, timeout=2)
                break
            except httpx.TransportError:
                if child.poll() is not None or time.monotonic() > deadline:
                    error = child.stderr.read().decode() if child.stderr else ""
                    raise SystemExit(f"{command[0]} did not start: {error}") from None
                time.sleep(0.2)
        yield
    finally:
        child.terminate()
        child.wait(timeout=10)
        if child.stderr is not None:
            child.stderr.close()


def load(send: Callable[[httpx.Client, Job], httpx.Response], mix: list[Job], clients: int, seconds: float) -> Tally:
    """`clients` threads, each with its own keep-alive connection, sending the mix round-robin for `seconds`."""
    tally = Tally()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        with httpx.Client(timeout=120) as connection:
            index = offset
            while time.perf_counter() < deadline:
                job = mix[index % len(mix)]
                index += 1
                started = time.perf_counter()
                try:
                    response = send(connection, job)
                    failure = "" if response.status_code == 200 else f"{job.label}: HTTP {response.status_code}"
                except httpx.HTTPError as error:
                    failure = f"{job.label}: {type(error).__name__}: {error}"
                elapsed = time.perf_counter() - started
                with lock:
                    if failure:
                        tally.errors.append(failure)
                    else:
                        tally.latencies.append(elapsed)
                        tally.by_label.setdefault(job.label, []).append(elapsed)

    threads = [threading.Thread(target=client, args=(offset,)) for offset in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.perf_counter() - started
    return tally


def in_process(mix: list[Job], seconds: float) -> Tally:
    tally = Tally()
    started = time.perf_counter()
    index = 0
    while time.perf_counter() - started < seconds:
        job = mix[index % len(mix)]
        index += 1
        begun = time.perf_counter()
        job.in_process()
        elapsed = time.perf_counter() - begun
        tally.latencies.append(elapsed)
        tally.by_label.setdefault(job.label, []).append(elapsed)
    tally.seconds = time.perf_counter() - started
    return tally


def kg_send(base: str) -> Callable[[httpx.Client, Job], httpx.Response]:
    def send(connection: httpx.Client, job: Job) -> httpx.Response:
        if job.kg_path == "/sparql":
            return connection.post(base + job.kg_path, data=job.kg_params, headers={"Accept": JSON})
        return connection.get(base + job.kg_path, params=job.kg_params, headers={"Accept": JSON})

    return send


def oxigraph_send(base: str) -> Callable[[httpx.Client, Job], httpx.Response]:
    def send(connection: httpx.Client, job: Job) -> httpx.Response:
        return connection.post(base + "/query", data={"query": job.sparql}, headers={"Accept": JSON})

    return send


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def _median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f}" if values else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="store to serve (default: the seeds, built into a temp dir)")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="what to build when --store is not given")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds of load per server")
    parser.add_argument("--workers", type=int, default=2, help="kg serve's query workers")
    parser.add_argument("--skip-oxigraph", action="store_true", help="no oxigraph serve-read-only baseline")
    args = parser.parse_args(argv)
    from kg.pipeline import build
    from kg.store import current_data_dir

    with tempfile.TemporaryDirectory(prefix="kg-bench-serve-") as scratch:
        store = args.store or Path(scratch) / "store"
        if not (store / "CURRENT_VERSION").exists():
            print(f"building {args.seeds} into {store} ...", flush=True)
            build([args.seeds], store_path=store, exports_dir=Path(scratch) / "exports", export_formats=())
        mix = jobs(store)
        print(f"{len(mix)} queries in the mix; {args.clients} clients for {args.seconds:g} s per server")
        rows: list[tuple[str, ...]] = []
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        kg = [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port)]
        with process([*kg, "--workers", str(args.workers)], base + "/status"):
            load(kg_send(base), mix, 2, 2.0)  # warm-up: workers open the store, caches fill
            served = load(kg_send(base), mix, args.clients, args.seconds)
        rows.append(served.row(f"kg serve ({args.workers} workers)"))
        load_avg = os.getloadavg()[0]
        baseline: Tally | None = None
        oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
        if oxigraph and not args.skip_oxigraph:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            location = str(current_data_dir(store))
            command = [oxigraph, "serve-read-only", "--location", location, "--bind", f"127.0.0.1:{port}"]
            with process(command, base + "/query?query=ASK%7B%7D"):
                load(oxigraph_send(base), mix, 2, 2.0)
                baseline = load(oxigraph_send(base), mix, args.clients, args.seconds)
            rows.append(baseline.row("oxigraph serve-read-only"))
        local = in_process(mix, min(args.seconds, 10.0))
        rows.append(local.row("in-process pyoxigraph (1 thread)"))
        print()
        _print_table(("target", "requests", "req/s", "p50 ms", "p99 ms", "errors"), rows)
        print()
        per_query = [
            (job.label, _median_ms(served.by_label.get(job.label, [])), _median_ms(local.by_label.get(job.label, [])))
            for job in mix
        ]
        _print_table(("query", "kg serve p50 ms", "in-process p50 ms"), per_query)
        if baseline is not None and baseline.latencies and served.latencies:
            ratio = (len(served.latencies) / served.seconds) / (len(baseline.latencies) / baseline.seconds)
            print(f"\nratio kg serve / oxigraph serve-read-only: {ratio:.2f}x the requests/s")
        now = os.getloadavg()[0]
        print(f"load average during kg serve's run {load_avg:.1f}, now {now:.1f}, {os.cpu_count()} cores")
        for error in served.errors[:5]:
            print(f"error: {error}", file=sys.stderr)
    return 1 if served.errors else 0


if __name__ == "__main__":
    sys.exit(main())
