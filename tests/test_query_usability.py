"""`kg query` as a new user meets it (issue 13): misspelt keywords are named, printed IRIs paste back, empty
results say why with "did you mean", names match ignoring case, --list says what each query answers, time limits
of any size work, and the Python API's safe path is the obvious one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import CliRun

import kg.api
from kg.derived import derive_all
from kg.errors import KgError, UsageError
from kg.query import named_queries, named_query, run_named, run_query, sparql_term, unmatched_parameters
from kg.store import GraphStore

FIXTURE = Path(__file__).parent / "fixtures" / "query" / "papers.ttl"
ID = "https://w3id.org/kg-ml/id/"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    graph = ox.Store()
    graph.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    derive_all(graph)
    return graph


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, store: ox.Store) -> Path:
    """The fixture graph as a committed `GraphStore`, for the command line."""
    from fixtures.store.samples import many, mesa

    path = tmp_path_factory.mktemp("usability") / "store"
    with GraphStore.open(path, read_only=False) as writer:
        writer.add([mesa(), *many(3)])
    return path


def kg_query(kg_cli: Callable[..., CliRun], *args: str) -> tuple[int, str, str]:
    run = kg_cli("query", *args)
    return run.status, run.stdout, run.stderr


# ------------------------------------------------------------------------------------------ syntax errors


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELEC ?x WHERE { ?x ?y ?z }", "1:1: SPARQL syntax error: unknown word 'SELEC'; did you mean SELECT?"),
        ("SELECT ?x WHER { ?x ?y ?z }", "1:11: SPARQL syntax error: unknown word 'WHER'; did you mean WHERE?"),
        ("SELECT ?x WHERE { ?x ?y ?z }\nLIMT 3", "2:1: SPARQL syntax error: unknown word 'LIMT'; did you mean LIMIT?"),
        ("SELECT ?x WHERE { ?x ?y ?z } ORDR BY ?x", "unknown word 'ORDR'; did you mean ORDER?"),
        ("PREFX a: <http://x/> SELECT * {}", "unknown word 'PREFX'; did you mean PREFIX?"),
        ("SELECT ?x WHERE { ?x ?y ?z FILTR(?z) }", "unknown word 'FILTR'; did you mean FILTER?"),
        ("SELECT (cont(?x) AS ?n) WHERE { ?x ?y ?z }", "unknown word 'cont'; did you mean COUNT?"),
        ("?x WHERE { ?x ?y ?z }", "expected a query form: SELECT, CONSTRUCT, DESCRIBE or ASK"),
    ],
)
def test_a_syntax_error_names_the_keyword_that_was_meant(store: ox.Store, query: str, message: str) -> None:
    with pytest.raises(KgError) as error:
        run_query(store, query)
    assert message in str(error.value)
    assert "expected CONSTRUCT" not in str(error.value)


def test_language_tags_functions_and_keywords_in_any_case_are_not_misspellings(store: ox.Store) -> None:
    query = 'select (count(?x) as ?n) where { ?x ?p ?o filter(lang(?o) = "en" || ?o = "chat"@en-GB) } limit 1'
    assert run_query(store, query).rows == [{"n": 0}]


# ----------------------------------------------------------------------------------------- printed IRIs


def test_every_printed_iri_pastes_back_into_a_query(store: ox.Store) -> None:
    nodes = {term for quad in store for term in (quad.subject, quad.object) if isinstance(term, ox.NamedNode)}
    assert len(nodes) > 30
    for node in nodes:
        printed = sparql_term(node)
        assert (
            run_query(store, f"ASK {{ {printed} ?p ?o }} ").boolean
            or run_query(store, f"ASK {{ ?s ?p {printed} }}").boolean
        ), printed


def test_printed_iris_are_short_where_they_can_be() -> None:
    assert sparql_term(ox.NamedNode(ID + "dataset/k-training-4a5e41")) == "kgid:dataset\\/k-training-4a5e41"
    assert sparql_term(ox.NamedNode("https://w3id.org/kg-ml/ontology#Paper")) == "kg:Paper"
    assert sparql_term(ox.NamedNode("https://github.com/a/b")) == "<https://github.com/a/b>"
    assert sparql_term(ox.NamedNode(ID + "author/jos%C3%A9")) == "kgid:author\\/jos\\%C3\\%A9"


def test_a_printed_iri_works_as_a_parameter(store: ox.Store) -> None:
    printed = sparql_term(ox.NamedNode(ID + "paper/arxiv-2401.00001"))
    by_iri = run_named(store, "paper-card", {"paper": printed}).rows
    assert by_iri and by_iri == run_named(store, "paper-card", {"paper": "2401.00001"}).rows


def test_the_table_prints_iris_that_paste_back(store_path: Path, kg_cli: Callable[..., CliRun]) -> None:
    status, out, _ = kg_query(kg_cli, "--store", str(store_path), "SELECT ?d WHERE { ?d a kg:Dataset }")
    assert status == 0
    printed = re.findall(r"kgid:\S+", out)
    assert printed
    for iri in printed:
        assert run_query(GraphStore.open(store_path).oxigraph, f"ASK {{ {iri} a kg:Dataset }}").boolean


# ----------------------------------------------------------------------------- names, empty results, --list


def test_a_title_matches_in_any_case(store: ox.Store) -> None:
    exact = run_named(store, "paper-card", {"paper": "QLoRA: Efficient Finetuning of Quantized LLMs"}).rows
    assert exact
    assert run_named(store, "paper-card", {"paper": "qlora: efficient finetuning of quantized llms"}).rows == exact
    assert run_named(store, "paper-card", {"paper": "QLORA: EFFICIENT FINETUNING OF QUANTIZED LLMS"}).rows == exact


def test_names_that_match_nothing_are_explained_with_the_nearest_names(store: ox.Store) -> None:
    (concept,) = unmatched_parameters(store, "method-datasets-metrics", {"method": "QLoRa adapters"})
    assert (concept.param, concept.kind) == ("method", "label")
    assert "QLoRA" in concept.suggestions
    (paper,) = unmatched_parameters(store, "paper-card", {"paper": "Qlora efficient finetuning"})
    assert paper.suggestions == ("QLoRA: Efficient Finetuning of Quantized LLMs",)
    assert unmatched_parameters(store, "method-datasets-metrics", {"method": "lora"}) == []
    assert unmatched_parameters(store, "paper-card", {"paper": "2401.00001"}) == []


def test_an_empty_named_query_says_nothing_matched_and_suggests(
    store_path: Path, kg_cli: Callable[..., CliRun]
) -> None:
    args = ("--store", str(store_path), "--name", "method-datasets-metrics", "--param", "method=Mesa framework")
    status, out, err = kg_query(kg_cli, *args)
    assert status == 1 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith("error: nothing matched: no concept labelled 'Mesa framework' (method) (did you mean: ")
    assert "Mesa" in line
    card = ("--store", str(store_path), "--name", "paper-card", "--param", "paper=mesa: a memory-saving framework")
    status, _, err = kg_query(kg_cli, *card)
    assert status == 1 and "did you mean: Mesa: A Memory-saving Training Framework" in err


def test_an_empty_ad_hoc_query_says_so(store_path: Path, kg_cli: Callable[..., CliRun]) -> None:
    query = "SELECT ?x WHERE { ?x a kg:Nothing }"
    status, out, _ = kg_query(kg_cli, "--store", str(store_path), query)
    assert status == 0 and "0 rows: nothing matched" in out
    status, out, err = kg_query(kg_cli, "--store", str(store_path), query, "--format", "csv")
    assert status == 0 and out == "x\r\n" and "no rows: nothing matched" in err


def test_named_query_names_match_ignoring_case_and_suggest(store: ox.Store) -> None:
    assert named_query("Top-Concepts").name == "top-concepts"
    with pytest.raises(UsageError, match="no named query 'top-concept' \\(did you mean top-concepts\\?"):
        named_query("top-concept")


def test_list_describes_what_each_query_answers_not_its_plan() -> None:
    for query in named_queries():
        assert "Plan" not in query.description and "LATERAL" not in query.description, query.name
        assert len(query.description) < 260, query.name
    text = (Path(__file__).parent.parent / "kg" / "queries" / "top-concepts.rq").read_text()
    assert "# Plan:" in text  # the plan stays in the file, for maintainers


def test_papers_that_propose_a_method_and_have_code(store: ox.Store) -> None:
    rows = run_named(store, "proposed-methods-with-code").rows
    assert [(r["title"], r["method"], r["repository"], r["stars"], r["id"]) for r in rows] == [
        (
            "QLoRA: Efficient Finetuning of Quantized LLMs",
            "QLoRA",
            "https://github.com/example/qlora",
            300,
            "2401.00002",
        ),
        (
            "LoRA: Low-Rank Adaptation of Large Language Models",
            "LoRA",
            "https://github.com/example/lora",
            120,
            "2401.00001",
        ),
    ]
    assert len(run_named(store, "proposed-methods-with-code", {"limit": 1}).rows) == 1


FULL_SORT = """SELECT ?title ?method ?repository ?stars ?id ?paper WHERE {
  ?paper kg:proposes ?m . ?m a kg:Method ; skos:prefLabel ?method . ?paper kg:hasRepository ?repo .
  ?repo schema:url ?repository . ?paper dcterms:title ?title .
  OPTIONAL { ?paper dcterms:identifier ?id } OPTIONAL { ?paper kg:githubStars ?stars } }
ORDER BY DESC(COALESCE(?stars, -1)) ?title ?method ?repository"""


@pytest.mark.parametrize("limit", [1, 2, 3, 10, 50])
def test_proposed_methods_with_code_keeps_the_rows_of_a_full_sort(store: ox.Store, limit: int) -> None:
    """The query reads star counts lazily in decreasing order (see its plan); the rows are a full sort's, with
    stars and unstarred papers mixed in, up to ties at the cut."""
    mixed = ox.Store()
    mixed.extend(store)
    unstarred = ox.NamedNode(ID + "paper/arxiv-2402.00003")  # proposes ViT-22B: give it a repository, no stars
    repo = ox.NamedNode(ID + "repo/example/vit")
    kg_ns = "https://w3id.org/kg-ml/ontology#"
    mixed.add(ox.Quad(unstarred, ox.NamedNode(kg_ns + "hasRepository"), repo))
    mixed.add(ox.Quad(repo, ox.NamedNode("https://schema.org/url"), ox.NamedNode("https://github.com/example/vit")))
    fast = run_named(mixed, "proposed-methods-with-code", {"limit": limit}).rows
    assert fast == run_query(mixed, f"{FULL_SORT} LIMIT {limit}").rows
    assert [row["stars"] for row in run_named(mixed, "proposed-methods-with-code").rows] == [300, 120, None]


# ------------------------------------------------------------------------------------------- time limits


@pytest.mark.parametrize("limit", ["inf", "1e300", "1000001"])
def test_any_large_time_limit_means_no_limit(store_path: Path, kg_cli: Callable[..., CliRun], limit: str) -> None:
    status, out, err = kg_query(kg_cli, "--store", str(store_path), "--timeout", limit, "ASK {}")
    assert (status, out, err) == (0, "true\n", "")


def test_a_time_limit_that_is_not_a_number_of_seconds_is_a_usage_error(store: ox.Store) -> None:
    for limit in (float("nan"), 0.0, -1.0):
        with pytest.raises(UsageError, match="positive number of seconds"):
            run_query(store, "ASK {}", timeout=limit)


# --------------------------------------------------------------------------------------------- the API


def test_the_api_offers_the_safe_path_and_names_the_raw_store_unsafe(store_path: Path) -> None:
    with kg.api.open(store_path) as graph:
        assert not hasattr(graph, "store")
        with pytest.raises(KgError, match="SERVICE is not allowed"):
            graph.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        assert "UNSAFE" in (type(graph).unsafe_store.__doc__ or "")
        assert isinstance(graph.unsafe_store, ox.Store)
