"""The Python API on a real store built from records: open read-only, query, named queries, views, stats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

import kg.api
from kg.errors import KgError, UsageError
from kg.records import Concept, Extraction, Mention, Paper, Result
from kg.store import GraphStore

ID = "https://w3id.org/kg-ml/id/"


def mention(kind: str, concept: str, sentence: str, *, proposed: bool = False) -> Mention:
    start = sentence.find(concept)
    return Mention(kind, concept, "abstract", start, start + len(concept), concept, sentence, 0.9, "test", proposed)


def extractions() -> list[Extraction]:
    """Three papers: LoRA proposed and evaluated on GLUE, QLoRA built on LoRA, a benchmark paper named "Service"."""
    lora = Paper(
        key="arxiv:2401.00001",
        id="2401.00001",
        title="LoRA: Low-Rank Adaptation of Large Language Models",
        abstract="We propose LoRA. LoRA matches fine-tuning on GLUE.",
        arxiv_id="2401.00001",
        date="2024-01-15",
        authors=("Edward Hu",),
        organization="Microsoft",
        github_stars=120,
        repositories=("https://github.com/example/lora",),
        links=("https://github.com/example/lora/tree/main", "lora.github.io"),
    )
    qlora = Paper(
        key="arxiv:2401.00002",
        id="2401.00002",
        title="QLoRA: Efficient Finetuning of Quantized LLMs",
        abstract="QLoRA trains LoRA adapters. We evaluate on MMLU.",
        arxiv_id="2401.00002",
        date="2024-02-20",
    )
    service = Paper(
        key="arxiv:2402.00003",
        id="2402.00003",
        title="A Service benchmark",
        abstract="We release Service. LoRA is strong on Service.",
        arxiv_id="2402.00003",
        date="2024-02-01",
    )
    return [
        Extraction(
            lora,
            (
                mention("method", "LoRA", "We propose LoRA.", proposed=True),
                mention("dataset", "GLUE", "LoRA matches fine-tuning on GLUE."),
            ),
            (Result("Accuracy", "89.5", "LoRA reaches 89.5% on GLUE.", "%", "GLUE"),),
            (Concept("method", "LoRA", ("Low-Rank Adaptation",)),),
        ),
        Extraction(
            qlora,
            (
                mention("method", "QLoRA", "QLoRA trains LoRA adapters.", proposed=True),
                mention("method", "LoRA", "QLoRA trains LoRA adapters."),
                mention("dataset", "MMLU", "We evaluate on MMLU."),
            ),
        ),
        Extraction(
            service,
            (
                mention("dataset", "Service", "We release Service.", proposed=True),
                mention("method", "LoRA", "LoRA is strong on Service."),
            ),
        ),
    ]


def build_store(path: Path) -> Path:
    """A store at `path` holding the three papers of `extractions` (shared with the `kg query` CLI tests)."""
    with GraphStore.open(path, read_only=False) as store:
        store.add(extractions())
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("api") / "store")


@pytest.fixture
def graph(store_path: Path) -> kg.api.KnowledgeGraph:
    with kg.api.open(store_path) as handle:
        yield handle


def test_open_missing_store_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(KgError, match="no store at"):
        kg.api.open(tmp_path / "nothing")


def test_query_rows_are_python_values(graph: kg.api.KnowledgeGraph) -> None:
    result = graph.query(
        "SELECT ?id ?issued ?stars WHERE { ?p kg:arxivId ?id ; dcterms:issued ?issued "
        "OPTIONAL { ?p kg:githubStars ?stars } } ORDER BY ?id"
    )
    assert [tuple(row.values()) for row in result.rows] == [
        ("2401.00001", dt.date(2024, 1, 15), 120),
        ("2401.00002", dt.date(2024, 2, 20), None),
        ("2402.00003", dt.date(2024, 2, 1), None),
    ]
    assert result.bindings[1] == {"id": ox.Literal("2401.00002"), "issued": result.solutions[1][1]}
    assert result.to_csv().splitlines()[0] == "id,issued,stars"


def test_query_binds_keyword_parameters_as_terms(graph: kg.api.KnowledgeGraph) -> None:
    query = "SELECT ?label ?c WHERE { ?c skos:prefLabel ?label }"
    assert graph.query(query, label="Service").rows == [{"label": "Service", "c": ID + "dataset/service"}]
    assert graph.query(query, label='Service"} ; DROP ALL #').rows == []
    assert graph.query("ASK { ?c a kg:Method }").boolean is True


def test_named_query_with_parameters(graph: kg.api.KnowledgeGraph) -> None:
    rows = graph.named("top-concepts", type="method").rows
    assert [(row["label"], row["papers"]) for row in rows] == [("LoRA", 3), ("QLoRA", 1)]
    datasets = graph.named("method-datasets-metrics", method="low-rank adaptation").rows
    assert [(row["kind"], row["label"], row["papers"]) for row in datasets] == [
        ("dataset", "GLUE", 1),
        ("dataset", "MMLU", 1),
        ("dataset", "Service", 1),
    ]
    card = graph.named("paper-card", paper="2401.00001").rows
    assert {"field": "result", "value": "Accuracy = 89.5% on GLUE", "detail": "LoRA reaches 89.5% on GLUE."} in card
    assert {"field": "repository", "value": "https://github.com/example/lora", "detail": "example/lora"} in card
    links = [(row["value"], row["detail"]) for row in card if row["field"] == "link"]
    assert links == [("https://github.com/example/lora/tree/main", "code"), ("https://lora.github.io", "project-page")]


def test_named_queries_are_listed_with_their_parameters(graph: kg.api.KnowledgeGraph) -> None:
    names = {query.name: [param.name for param in query.params] for query in graph.named_queries()}
    assert names["cooccurring"] == ["concept", "limit"]


def test_query_time_limit_stops_a_long_query(graph: kg.api.KnowledgeGraph) -> None:
    with pytest.raises(KgError, match="time limit"):
        graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", timeout=0.3)


def test_to_networkx_projects_the_typed_and_cooccurrence_views(graph: kg.api.KnowledgeGraph) -> None:
    typed = graph.to_networkx()
    assert isinstance(typed, nx.MultiDiGraph)
    assert typed.has_edge(ID + "paper/arxiv-2401.00002", ID + "method/lora")
    cooccurrence = graph.to_networkx("cooccurrence", min_weight=2)
    assert isinstance(cooccurrence, nx.Graph)
    assert set(cooccurrence.edges) == set()  # no two concepts share two papers
    assert graph.to_networkx("cooccurrence").has_edge(ID + "method/lora", ID + "dataset/glue")
    with pytest.raises(UsageError, match="unknown view 'pie'"):
        graph.to_networkx("pie")


def test_stats_come_from_the_store(graph: kg.api.KnowledgeGraph) -> None:
    stats = graph.stats()
    assert stats["papers"] == 3
    assert stats["concepts"]["method"] == 2
    assert stats["repositories"] == 1


def test_closed_graph_refuses_queries(store_path: Path) -> None:
    handle = kg.api.open(str(store_path))
    handle.close()
    with pytest.raises(KgError, match="closed"):
        handle.query("ASK {}")
    with pytest.raises(KgError, match="closed"):
        handle.stats()
