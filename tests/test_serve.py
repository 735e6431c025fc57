"""`kg serve` as clients meet it: the real server on a free loopback port, queried by SPARQLWrapper and raw HTTP."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from fixtures.store.samples import many
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException
from test_api import build_store

from kg.store import GraphStore

TITLES = "SELECT ?title WHERE { ?p a kg:Paper ; dcterms:title ?title } ORDER BY ?title"
EXPECTED_TITLES = [
    "A Service benchmark",
    "LoRA: Low-Rank Adaptation of Large Language Models",
    "QLoRA: Efficient Finetuning of Quantized LLMs",
]
PAPERS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(store: Path, *extra: str) -> Iterator[str]:
    """`kg serve --port 0` in a subprocess; yields the base URL it prints once /status answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", "0", "--workers", "2", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("SPARQL endpoint: http://127.0.0.1:"), first + process.stdout.read()
        base = first.split(": ", 1)[1].strip().removesuffix("/sparql")
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/status", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"kg serve did not answer: {process.stdout.read()}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[str]:
    with running_server(store) as base:
        yield base


def http(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, str, str]:
    """Status, Content-Type and body of one raw HTTP request (errors included)."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("content-type", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read().decode("utf-8")


def form(query: str) -> bytes:
    return urllib.parse.urlencode({"query": query}).encode()


def wrapper(base: str, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


def test_start_up_prints_where_to_point_a_client_and_a_busy_port_is_one_line(store: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        command = [sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port), "--workers", "1"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert result.stderr.count("\n") == 1
    port = free_port()
    with running_server(store, "--port", str(port)) as base:
        assert base == f"http://127.0.0.1:{port}"


def test_select_as_json_through_sparqlwrapper(server: str) -> None:
    results = wrapper(server, TITLES, JSON).queryAndConvert()
    assert isinstance(results, dict)
    assert results["head"]["vars"] == ["title"]
    assert [row["title"]["value"] for row in results["results"]["bindings"]] == EXPECTED_TITLES


def test_select_as_csv_through_sparqlwrapper_and_raw_http(server: str) -> None:
    text = wrapper(server, TITLES, CSV).queryAndConvert()
    assert isinstance(text, bytes)
    assert [row["title"] for row in csv.DictReader(io.StringIO(text.decode()))] == EXPECTED_TITLES
    status, content_type, body = http(server + "/sparql", data=form(TITLES), headers={"Accept": "text/csv"})
    assert (status, content_type) == (200, "text/csv; charset=utf-8")
    assert body.splitlines() == ["title", *EXPECTED_TITLES]


def test_construct_as_turtle_through_sparqlwrapper(server: str) -> None:
    query = "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a kg:Paper ; dcterms:title ?t }"
    graph = wrapper(server, query, TURTLE).queryAndConvert()
    assert isinstance(graph, bytes)
    parsed = rdflib.Graph().parse(data=graph.decode(), format="turtle")
    assert sorted(str(title) for title in parsed.objects()) == EXPECTED_TITLES


@pytest.mark.parametrize(
    ("accept", "media_type", "check"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", "<literal>A Service benchmark</literal>"),
        ("text/tab-separated-values", "text/tab-separated-values", '?title\n"A Service benchmark"'),
        ("application/sparql-results+json;q=0.5, text/csv", "text/csv", "title\r\nA Service benchmark"),
        ("*/*", "application/sparql-results+json", '"vars":["title"]'),
    ],
)
def test_select_formats_follow_the_accept_header(server: str, accept: str, media_type: str, check: str) -> None:
    status, content_type, body = http(
        server + "/sparql?" + urllib.parse.urlencode({"query": TITLES}), headers={"Accept": accept}
    )
    assert status == 200
    assert content_type.split(";")[0] == media_type
    assert check in body


def test_ask_and_n_triples_and_a_format_nobody_has(server: str) -> None:
    ask = "ASK { ?p dcterms:title 'A Service benchmark' }"
    status, _, body = http(server + "/sparql", data=form(ask), headers={"Accept": "application/sparql-results+json"})
    assert (status, json.loads(body)["boolean"]) == (200, True)
    construct = "CONSTRUCT WHERE { ?p dcterms:title 'A Service benchmark' }"
    status, content_type, body = http(
        server + "/sparql",
        data=construct.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert (status, content_type.split(";")[0]) == (200, "application/n-triples")
    assert body.strip().endswith('<http://purl.org/dc/terms/title> "A Service benchmark" .')
    status, _, body = http(server + "/sparql", data=form(TITLES), headers={"Accept": "image/png"})
    assert status == 406
    assert "text/csv" in body


def test_update_attempts_are_refused_and_change_nothing(server: str) -> None:
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    client = SPARQLWrapper(server + "/sparql")
    client.setMethod(POST)
    client.setQuery(update)
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)) as refused:
        client.query()
    assert "403" in str(refused.value) or getattr(refused.value, "code", None) == 403
    status, _, body = http(
        server + "/sparql", data=update.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    assert (status, body.strip()) == (403, "this endpoint is read-only: SPARQL updates are refused")
    status, _, _ = http(server + "/sparql", data=urllib.parse.urlencode({"update": update}).encode())
    assert status == 403
    status, _, body = http(server + "/sparql", data=form(update))  # an update sent as a query
    assert status == 400
    assert "INSERT is not allowed" in body
    status, _, body = http(
        server + "/sparql", data=form("ASK { <urn:a> <urn:b> <urn:c> }"), headers={"Accept": "text/csv"}
    )
    assert (status, body) == (200, "false")


def test_a_malformed_query_gets_400_with_a_one_line_message(server: str) -> None:
    status, content_type, body = http(server + "/sparql", data=form("SELECT ?x WHERE { ?x ?y }"))
    assert status == 400
    assert content_type.startswith("text/plain")
    assert body.startswith("<query>:1:") and "SPARQL syntax error" in body
    assert body.count("\n") == 1
    with pytest.raises(QueryBadFormed):
        wrapper(server, "SELECT ?x WHERE { ?x ?y }", JSON).query()
    assert http(server + "/sparql")[0] == 400  # no query at all
    assert http(server + "/sparql", data=b"query=x", headers={"Content-Type": "text/plain"})[0] == 415


@contextlib.contextmanager
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A loopback socket a query might try to reach; tests assert nothing connected."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", sock
    finally:
        sock.close()


def assert_nothing_connected(sock: socket.socket) -> None:
    time.sleep(0.5)  # time for a stray outbound request to arrive
    with pytest.raises(BlockingIOError):
        sock.accept()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
        "SELECT * WHERE { ?x ?y ?z OPTIONAL { SERVICE SILENT <{url}> { ?x ?p ?o } } }",
        "SELECT * FROM <{url}> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "LOAD <{url}>",
    ],
)
def test_queries_that_would_reach_the_network_get_400_and_the_listener_gets_nothing(server: str, template: str) -> None:
    with listener() as (url, sock):
        query = template.replace("{url}", url)
        status, _, body = http(server + "/sparql", data=form(query))
        assert status == 400, body
        assert "is not allowed" in body and ("network" in body)
        if not query.startswith("LOAD"):  # SPARQLWrapper sends LOAD as an update: refused with 403 above
            with pytest.raises(QueryBadFormed):
                wrapper(server, query, JSON).query()
        assert_nothing_connected(sock)


def test_dataset_parameters_naming_another_server_are_refused(server: str) -> None:
    with listener() as (url, sock):
        params = urllib.parse.urlencode({"query": TITLES, "default-graph-uri": url})
        status, _, body = http(server + "/sparql?" + params)
        assert status == 400
        assert "network" in body
        assert_nothing_connected(sock)


def test_a_loopback_server_answers_only_to_loopback_host_names(server: str) -> None:
    assert http(server + "/status", headers={"Host": "attacker.example"})[0] == 400  # DNS rebinding
    port = server.rsplit(":", 1)[1]
    assert http(server + "/status", headers={"Host": f"localhost:{port}"})[0] == 200


def test_named_queries_are_listed_and_run_with_parameters_bound_as_terms(server: str) -> None:
    status, _, body = http(server + "/queries", headers={"Accept": "application/json"})
    listed = {query["name"]: query for query in json.loads(body)}
    assert status == 200
    assert {"top-concepts", "paper-card", "cooccurring"} <= listed.keys()
    assert [p["name"] for p in listed["top-concepts"]["params"]] == ["type", "limit"]
    status, _, body = http(server + "/queries/top-concepts?type=dataset&limit=2", headers={"Accept": "text/csv"})
    assert status == 200
    assert body.splitlines()[0] == "label,papers,concept"
    assert len(body.splitlines()) == 3
    quoted = urllib.parse.quote('"} ; DROP ALL #')
    status, _, body = http(server + f"/queries/paper-card?paper={quoted}", headers={"Accept": "text/csv"})
    assert status == 200 and len(body.splitlines()) == 1  # the header only: a value is a term, never query text
    assert http(server + "/queries/top-concepts?type=nonsense")[0] == 400
    assert http(server + "/queries/no-such-query")[0] == 404


def test_query_page_shows_a_table_and_escapes_values(server: str) -> None:
    status, content_type, page = http(server + "/", headers={"Accept": "text/html"})
    assert status == 200 and content_type.startswith("text/html")
    assert "<textarea" in page and "http" not in page.split("<body>", 1)[1].replace("http-equiv", "")
    query = "SELECT ?x WHERE { BIND('<script>alert(1)</script>' AS ?x) }"
    status, _, page = http(server + "/?" + urllib.parse.urlencode({"query": query}), headers={"Accept": "text/html"})
    assert status == 200
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page
    assert "<script>" not in page
    status, _, page = http(server + "/?" + urllib.parse.urlencode({"query": "SELECT * { SERVICE <http://x/> {} }"}))
    assert status == 400 and "SERVICE is not allowed" in page


def test_a_query_past_the_time_limit_gets_503_and_the_server_keeps_answering(store: Path) -> None:
    with running_server(store, "--timeout", "1") as base:
        started = time.monotonic()
        status, _, body = http(base + "/sparql", data=form(SLOW))
        assert status == 503
        assert "time limit" in body
        assert time.monotonic() - started < 30
        status, _, body = http(base + "/sparql", data=form(TITLES), headers={"Accept": "text/csv"})
        assert (status, body.splitlines()[1:]) == (200, EXPECTED_TITLES)


def paper_count(base: str) -> int:
    status, _, body = http(base + "/sparql", data=form(PAPERS), headers={"Accept": "text/csv"})
    assert status == 200, body
    return int(body.splitlines()[1])


def test_a_build_publishing_a_new_version_is_served_without_restart_and_never_half_written(
    store: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    with running_server(copy) as base:
        assert paper_count(base) == 3
        before = json.loads(http(base + "/status")[2])["version"]
        seen: list[int] = []
        errors: list[str] = []
        stop = threading.Event()

        def hammer() -> None:
            while not stop.is_set():
                status, _, body = http(base + "/sparql", data=form(PAPERS), headers={"Accept": "text/csv"})
                if status == 200:
                    seen.append(int(body.splitlines()[1]))
                else:
                    errors.append(f"{status} {body}")

        clients = [threading.Thread(target=hammer) for _ in range(3)]
        for client in clients:
            client.start()
        try:
            for round_ in range(3):  # three commits: the served version is deleted under the server twice
                with GraphStore.open(copy, read_only=False) as writer:
                    writer.add(many(5 * (round_ + 1), file=f"round{round_}.jsonl"))
                time.sleep(0.3)
        finally:
            stop.set()
            for client in clients:
                client.join()
        assert errors == []
        counts = set(seen)
        assert counts <= {3, 8, 13, 18}  # every answer is one committed version, never a graph half-written
        assert paper_count(base) == 18  # the last build is served without a restart
        after = json.loads(http(base + "/status")[2])["version"]
        assert after != before


def test_serving_a_missing_store_is_a_one_line_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--store", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: no store at {tmp_path / 'none'}; run `kg build` first"
