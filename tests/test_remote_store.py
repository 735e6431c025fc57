"""Remote stores: `kg build --store URL` into a real `oxigraph serve` on loopback, and `kg query --endpoint`."""

from __future__ import annotations

import contextlib
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fixtures.store.samples import many, mesa, without_mention
from test_api import extractions
from test_query_named import store as fixture_graph  # noqa: F401 - the named-query fixture graph
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import KgError
from kg.pipeline import build
from kg.query import QueryResult, Term, materialise, named_queries, run_named
from kg.records import Extraction
from kg.remote_store import RemoteStore, _Http, request_text, server_urls
from kg.store import GraphStore

OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph server (pip package oxigraph) is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    base: str

    @property
    def store_url(self) -> str:
        return self.base + "/store"

    def triples(self) -> list[str]:
        """Every triple in every graph of the server, as sorted N-Triples lines."""
        query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
        answer = httpx.post(
            self.base + "/query", data={"query": query}, headers={"Accept": "application/n-triples"}, timeout=120
        )
        answer.raise_for_status()
        return sorted({line for line in answer.text.splitlines() if line.strip()})

    def graphs(self) -> int:
        query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        answer = httpx.post(self.base + "/query", data={"query": query}, headers={"Accept": "text/csv"}, timeout=60)
        return int(answer.text.split()[1])


@contextlib.contextmanager
def oxigraph(location: Path, *, read_only: bool = False) -> Iterator[Server]:
    """`oxigraph serve` (or serve-read-only) on a free loopback port, its data in `location`."""
    assert OXIGRAPH is not None
    port = free_port()
    mode = "serve-read-only" if read_only else "serve"
    command = [OXIGRAPH, mode, "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"oxigraph did not start: {shlex.join(command)}") from None
                time.sleep(0.1)
        yield Server(base)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with oxigraph(tmp_path / "oxigraph") as running:
        yield running


def embedded(tmp_path: Path, *adds: Iterable[Extraction]) -> list[str]:
    """The embedded store after the same adds, as sorted N-Triples lines."""
    with GraphStore.open(tmp_path / "embedded", read_only=False) as store:
        for batch in adds:
            store.add(batch)
        return sorted({f"{q.subject} {q.predicate} {q.object} ." for q in store.oxigraph})


def remote_add(server: Server, working_copy: Path, batch: Iterable[Extraction]) -> int:
    """Add `batch` to the server; returns how many named graphs the add sent (0 when nothing changed)."""
    with RemoteStore.open(server.store_url, working_copy=working_copy) as store:
        store.add(batch)
        return store.sync()  # a second sync right after: what the add left unsent (must be nothing)


@pytest.mark.slow
def test_building_the_seeds_into_oxigraph_equals_the_embedded_build(
    server: Server, seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the working copy goes to ./.kg/remote/
    remote = build([seeds_dir], store_path=server.store_url, exports_dir=tmp_path / "remote", export_formats=())
    local = build([seeds_dir], store_path=tmp_path / "local", exports_dir=tmp_path / "local-exports", export_formats=())
    assert remote.stats == local.stats
    with GraphStore.open(tmp_path / "local") as store:
        expected = sorted({f"{q.subject} {q.predicate} {q.object} ." for q in store.oxigraph})
    on_server = server.triples()
    assert on_server == expected  # derived data (kg:paperCount, kg:labelKey) and label rules included
    assert any("ontology#paperCount>" in line for line in on_server)
    graphs = server.graphs()
    again = build([seeds_dir], store_path=server.store_url, exports_dir=tmp_path / "remote", export_formats=())
    assert again.triples_after == again.triples_before
    assert server.triples() == expected and server.graphs() == graphs


def test_incremental_adds_replacements_and_re_adds_match_the_embedded_store(server: Server, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    first, second = [mesa(), *many(6)], [without_mention(mesa(), "ImageNet"), *many(9, file="more.jsonl")]
    assert remote_add(server, copy, first) == 0
    assert remote_add(server, copy, second) == 0
    assert server.triples() == embedded(tmp_path, first, second)
    graphs = server.graphs()
    with RemoteStore.open(server.store_url, working_copy=copy) as store:
        report = store.add(second)  # re-adding: idempotent, nothing sent
        assert not report.changed
        assert store.sync() == 0
    assert server.graphs() == graphs
    assert server.triples() == embedded(tmp_path / "again", first, second)


def test_a_machine_without_a_working_copy_pulls_it_from_the_server(server: Server, tmp_path: Path) -> None:
    remote_add(server, tmp_path / "machine-a", extractions())
    remote_add(server, tmp_path / "machine-b", many(4))  # B has no copy: pulls A's graph first
    assert server.triples() == embedded(tmp_path, extractions(), many(4))
    remote_add(server, tmp_path / "machine-a", many(2, file="late.jsonl"))  # A's copy is stale: pulled again
    assert server.triples() == embedded(tmp_path / "late", extractions(), many(4), many(2, file="late.jsonl"))


def test_a_read_only_server_refuses_the_write_with_one_line(tmp_path: Path) -> None:
    location = tmp_path / "ro"
    ox.Store(str(location)).flush()
    with oxigraph(location, read_only=True) as server:
        with pytest.raises(
            KgError, match=r"/store: the server refused the write \(POST, HTTP 403 Forbidden: .*not read-only"
        ) as error:
            remote_add(server, tmp_path / "copy", extractions())
        assert "\n" not in str(error.value)


def test_transient_failures_are_retried_with_backoff_and_then_give_up() -> None:
    answers = iter([503, 502, 204])
    waits: list[float] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers))

    http = _Http("http://example.invalid/store", sleep=waits.append)
    http._client = httpx.Client(transport=httpx.MockTransport(flaky))
    assert http.request("PUT", "http://example.invalid/store", content=b"").status_code == 204
    assert waits == [0.5, 1.0]

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    http._client = httpx.Client(transport=httpx.MockTransport(down))
    waits.clear()
    with pytest.raises(KgError, match=r"^http://example.invalid/store: PUT failed 6 times, last: ConnectError"):
        http.request("PUT", "http://example.invalid/store", content=b"")
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0]  # bounded: 15.5 s in all


def test_server_layouts_give_the_graph_store_and_query_urls() -> None:
    oxi = server_urls("http://127.0.0.1:7878/store")
    assert (oxi.graph_store, oxi.query) == (
        "http://127.0.0.1:7878/store",
        "http://127.0.0.1:7878/query?union-default-graph",
    )
    assert server_urls("http://h:3030/ds/data").query == "http://h:3030/ds/query"
    assert server_urls("http://h:7200/repositories/kg/rdf-graphs/service").query == "http://h:7200/repositories/kg"
    assert server_urls("http://h:7001/?access-token=t").query == "http://h:7001/?access-token=t"
    with pytest.raises(KgError, match="http:// or https:// URL"):
        server_urls("ftp://h/store")


def test_kg_query_endpoint_runs_sparql_and_named_queries_on_the_server(server: Server, tmp_path: Path) -> None:
    remote_add(server, tmp_path / "copy", extractions())
    endpoint = server.base + "/query?union-default-graph"
    runner = CliRunner()
    local = tmp_path / "local"
    with GraphStore.open(local, read_only=False) as store:
        store.add(extractions())
    for args in (
        ["--name", "top-concepts", "--param", "type=dataset", "--format", "csv"],
        ["--name", "paper-card", "--param", "paper=LoRA: Low-Rank Adaptation of Large Language Models"],
        ["SELECT ?t WHERE { ?p dcterms:title ?t } ORDER BY ?t", "--format", "json"],
        ["CONSTRUCT WHERE { ?p kg:evaluatesOn ?d }"],
    ):
        remote = runner.invoke(app, ["query", "--endpoint", endpoint, *args], catch_exceptions=False)
        here = runner.invoke(app, ["query", "--store", str(local), *args], catch_exceptions=False)
        assert (remote.exit_code, remote.stdout) == (0, here.stdout)


def test_kg_query_endpoint_refuses_service_before_sending_anything(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/query"
        result = CliRunner().invoke(app, ["query", "--endpoint", url, f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"])
        assert result.exit_code == 1
        assert "SERVICE is not allowed" in str(result.exception)
        with pytest.raises(BlockingIOError):
            listener.accept()


class _Inlining:
    """A local engine sent what a remote server is sent: prefixes declared in the text, VALUES blocks inlined."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def query(
        self,
        query: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: dict[ox.Variable, Term] | None = None,
    ) -> QueryResult:
        named = {variable.value: term for variable, term in (substitutions or {}).items()}
        return materialise(self.store.query(request_text(query, prefixes, named)))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("top-concepts", {"type": "method"}),
        ("top-concepts", {"type": "hardware", "limit": 1}),
        ("cooccurring", {"concept": "Transformer", "limit": 5}),
        ("method-datasets-metrics", {"method": "LoRA"}),
        ("paper-card", {"paper": "2401.00001"}),
        ("papers-on-hardware", {"hardware": "A100"}),
        ("papers-with-code", {"concept": "GLUE"}),
        ("timeline", {"concept": "Transformer"}),
    ],
)
def test_inlined_values_give_the_rows_of_substitution(fixture_graph: ox.Store, name: str, params: dict) -> None:  # noqa: F811
    assert name in {query.name for query in named_queries()}
    expected = run_named(fixture_graph, name, params)
    assert len(expected) > 0
    assert run_named(_Inlining(fixture_graph), name, params) == expected  # type: ignore[arg-type]


def test_a_server_without_dataset_post_gets_one_put_per_graph(tmp_path: Path) -> None:
    requests: list[tuple[str, str | None]] = []

    def no_quads(request: httpx.Request) -> httpx.Response:
        graph = request.url.params.get("graph")
        requests.append((request.method, graph))
        if request.method == "POST" and graph is None:
            return httpx.Response(415, text="Unsupported Media Type: application/n-quads")
        return httpx.Response(201)

    with GraphStore.open(tmp_path / "copy" / "store", read_only=False) as local:
        store = RemoteStore(server_urls("http://example.invalid/store"), tmp_path / "copy", local, None)
        store._http._client = httpx.Client(transport=httpx.MockTransport(no_quads))
        store.add(extractions())
        graphs = {graph for method, graph in requests if method == "PUT"}
        assert requests[0] == ("POST", None)
        assert len(graphs) == len(requests) - 1  # each graph once
        assert sum("/graph/paper/" in graph for graph in graphs) == 3  # one per paper, the rest node buckets
        assert all(graph.startswith("https://w3id.org/kg-ml/id/graph/") for graph in graphs)
        requests.clear()
        store.add([without_mention(next(iter(extractions())), "GLUE")])
        assert requests and all(method in ("PUT", "DELETE") for method, _ in requests)
