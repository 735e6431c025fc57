"""The query layer: read-only guard, syntax errors, term binding, result formats and time limits."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.errors import KgError
from kg.query import QueryTimeoutError, check_read_only, run_query

FIXTURE = Path(__file__).parent / "fixtures" / "query" / "papers.ttl"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # 212^4 rows to count


@pytest.fixture(scope="module")
def store() -> ox.Store:
    graph = ox.Store()
    graph.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    return graph


@pytest.fixture
def listener() -> socket.socket:
    """A loopback TCP server that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.2)
    yield server
    server.close()


def test_service_query_is_refused_before_execution(store: ox.Store, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    query = f"SELECT * WHERE {{\n  SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }}\n}}"
    with pytest.raises(KgError, match=r"^<query>:2:3: SERVICE is not allowed: queries never reach the network$"):
        run_query(store, query)
    with pytest.raises(TimeoutError):
        listener.accept()  # nothing ever connected


def test_service_to_the_discard_port_is_refused_with_a_clear_error(store: ox.Store) -> None:
    with pytest.raises(KgError, match="SERVICE is not allowed"):
        run_query(store, "select * { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }", timeout=5)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "CLEAR DEFAULT",
        "DROP ALL",
        "CREATE GRAPH <urn:g>",
        "ADD DEFAULT TO <urn:g>",
        "MOVE DEFAULT TO <urn:g>",
        "COPY DEFAULT TO <urn:g>",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_and_load_are_refused_and_change_nothing(store: ox.Store, update: str) -> None:
    before = len(store)
    keyword = update.split()[0]
    with pytest.raises(KgError, match=rf"^<query>:1:1: {keyword} is not allowed"):
        run_query(store, update)
    assert len(store) == before


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?c WHERE { ?c skos:prefLabel "Service" }',
        "SELECT ?c WHERE { ?c skos:prefLabel 'Service' }",
        'SELECT ?c WHERE { ?c skos:prefLabel ?l FILTER(?l IN ("""a "quoted" SERVICE""", "Service")) }',
        "# SERVICE <http://127.0.0.1:9/> in a comment\nSELECT ?c WHERE { ?c skos:prefLabel 'Service' }",
        "SELECT ?c WHERE { ?c skos:prefLabel ?service FILTER(?service = 'Service') OPTIONAL { ?c <urn:SERVICE> ?x } }",
        "PREFIX service: <urn:drop:>\nSELECT ?c WHERE { ?c skos:prefLabel 'Service' OPTIONAL { ?c service:load ?x } }",
    ],
)
def test_keywords_inside_strings_iris_comments_and_names_are_not_refused(store: ox.Store, query: str) -> None:
    check_read_only(query)
    assert run_query(store, query).rows == [{"c": "https://w3id.org/kg-ml/id/dataset/service"}]


def test_escaped_quote_does_not_hide_a_keyword_from_the_guard() -> None:
    with pytest.raises(KgError, match=r"<query>:1:27: SERVICE is not allowed"):
        check_read_only(r'SELECT * { ?s ?p "a\"b" . SERVICE <http://127.0.0.1:9/> { } }')


def test_syntax_error_names_the_users_line_and_column(store: ox.Store) -> None:
    query = "SELECT ?title\nWHERE {\n  ?p dcterms:title ?title\n  FILTER(\n}"
    with pytest.raises(KgError, match=r"^my\.rq:5:\d+: SPARQL syntax error: expected ") as error:
        run_query(store, query, source="my.rq")
    assert "\n" not in str(error.value)


def test_unknown_prefix_is_reported_where_it_is_used(store: ox.Store) -> None:
    with pytest.raises(KgError, match=r"^<query>:2:6: SPARQL syntax error: unknown prefix 'foo:'"):
        run_query(store, "SELECT * WHERE {\n  ?s foo:bar ?o }")


def test_common_prefixes_are_predeclared_and_a_query_prefix_wins(store: ox.Store) -> None:
    papers = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"
    assert run_query(store, papers).rows == [{"n": 6}]
    assert run_query(store, "PREFIX kg: <urn:other#>\n" + papers).rows == [{"n": 0}]


def test_substitution_binds_a_value_with_quotes_and_braces_as_one_literal(store: ox.Store) -> None:
    query = "SELECT ?label ?c WHERE { ?c skos:prefLabel ?label }"
    result = run_query(store, query, substitutions={"label": 'Meth"od {X}'})
    assert result.rows == [{"label": 'Meth"od {X}', "c": "https://w3id.org/kg-ml/id/method/meth-od-x"}]
    assert run_query(store, query, substitutions={"label": '"} ; DROP ALL #'}).rows == []


def test_substitution_of_a_variable_missing_from_select_is_a_clear_error(store: ox.Store) -> None:
    with pytest.raises(KgError, match=r"^<query>: query failed: .*\?label"):
        run_query(store, "SELECT ?c WHERE { ?c skos:prefLabel ?label }", substitutions={"label": "GLUE"})


@pytest.fixture(scope="module")
def mixed() -> ox.Store:
    """Every kind of term the result formats must encode."""
    graph = ox.Store()
    graph.load(
        b"""
        @prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:a ex:p "plain", "comma, \\"quote\\"\\nnewline", "hi"@en, 5, 1.5, 1.0e3, true, "2024-01-02"^^xsd:date,
                  ex:b, _:blank, "x"^^ex:custom .
        ex:b ex:p "other" .
        """,
        format=ox.RdfFormat.TURTLE,
    )
    return graph


MIXED = "SELECT ?s ?o ?none WHERE { ?s <http://example.org/p> ?o OPTIONAL { ?o <urn:none> ?none } } ORDER BY ?s ?o"


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv"])
def test_result_formats_match_the_sparql_serialisations_of_oxigraph(mixed: ox.Store, fmt: str) -> None:
    ours = getattr(run_query(mixed, MIXED), f"to_{fmt}")()
    native = mixed.query(MIXED).serialize(format=getattr(ox.QueryResultsFormat, fmt.upper()))
    assert ours.encode("utf-8") == native


def test_ask_results_in_every_format(store: ox.Store) -> None:
    result = run_query(store, "ASK { ?p a kg:Paper }")
    assert result.boolean is True
    assert json.loads(result.to_json()) == {"head": {}, "boolean": True}
    assert result.to_csv() == result.to_tsv() == "true"
    assert run_query(store, "ASK { ?p a kg:Nothing }").boolean is False


def test_rows_convert_typed_literals_to_python_values(mixed: ox.Store) -> None:
    rows = run_query(mixed, MIXED).rows
    values = [row["o"] for row in rows if row["s"] == "http://example.org/a"]
    blank = [value for value in values if isinstance(value, str) and value.startswith("_:")]
    expected = [
        "plain",
        'comma, "quote"\nnewline',
        "hi",
        5,
        Decimal("1.5"),
        1000.0,
        True,
        dt.date(2024, 1, 2),
        "http://example.org/b",
        "x",
    ]
    assert len(blank) == 1
    assert sorted(map(repr, set(values) - set(blank))) == sorted(map(repr, expected))
    assert all(row["none"] is None for row in rows)


def test_construct_and_describe_come_out_as_turtle_with_prefixes(store: ox.Store) -> None:
    result = run_query(store, "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a kg:Dataset ; skos:prefLabel ?l }")
    assert result.kind == "graph" and len(result) == 4
    turtle = result.graph
    assert turtle is not None and "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ." in turtle
    assert 'kgid:dataset\\/glue skos:prefLabel "GLUE"' in turtle
    reparsed = ox.Store()
    reparsed.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    assert len(reparsed) == 4
    described = run_query(store, "DESCRIBE kgid:method\\/lora")
    assert {str(t.object) for t in described.triples} >= {'"LoRA"', '"lora"', '"Low-Rank Adaptation"'}


def test_time_limit_stops_a_long_query_and_leaves_no_process(store: ox.Store) -> None:
    with pytest.raises(QueryTimeoutError, match=r"^<query>: stopped after the 0\.5 s time limit$") as error:
        run_query(store, SLOW, timeout=0.5)
    assert error.value.exit_code == 124
    assert multiprocessing.active_children() == []


def test_time_limited_query_returns_the_same_result_and_errors(store: ox.Store) -> None:
    query = "SELECT ?label WHERE { ?c a kg:Metric ; skos:prefLabel ?label } ORDER BY ?label"
    assert run_query(store, query, timeout=30) == run_query(store, query)
    with pytest.raises(KgError, match=r"^<query>:1:\d+: SPARQL syntax error"):
        run_query(store, "SELECT ?x WHERE { ?x", timeout=30)


def test_time_limit_must_be_positive(store: ox.Store) -> None:
    with pytest.raises(KgError, match="positive number of seconds"):
        run_query(store, "ASK {}", timeout=0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux only")
def test_killing_the_caller_also_kills_the_query_worker(tmp_path: Path) -> None:
    script = (
        "import pyoxigraph as ox, sys\n"
        "from kg.query import run_query\n"
        f"store = ox.Store(); store.load(path={str(FIXTURE)!r}, format=ox.RdfFormat.TURTLE)\n"
        f"run_query(store, {SLOW!r}, timeout=120)\n"
    )
    caller = subprocess.Popen([sys.executable, "-c", script])
    try:
        workers = _wait_for(lambda: _children(caller.pid))
        assert workers, "the query worker never started"
    finally:
        caller.kill()
        caller.wait()
    assert _wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers))


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            if fields.get("PPid", "").strip() == str(pid):
                found.append(int(status.parent.name))
    return found


def _wait_for(condition: Callable[[], Any], attempts: int = 100) -> Any:
    """Poll `condition` every 0.1 s until it is truthy; its last value otherwise."""
    for _ in range(attempts):
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()
