"""The networkx views are faithful, deterministic projections of the store (fixture: small.ttl)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.errors import UsageError
from kg.terms import ID
from kg.views import cooccurrence_graph, typed_graph

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "small.ttl"
P1, P2, P3 = str(ID["paper/arxiv-2401.00001"]), str(ID["paper/arxiv-2402.00002"]), str(ID["paper/t-0f1e2d3c4b5a6978"])
LORA, LORA_X = str(ID["method/lora-4c5d6e"]), str(ID["method/lora-x-9d8e7f"])
CIFAR, IMAGENET = str(ID["dataset/cifar-10-7a8b9c"]), str(ID["dataset/imagenet-2b3c4d"])
ACCURACY, TASK = str(ID["metric/accuracy"]), str(ID["task/image-classification"])
A100 = str(ID["hardware/a100-1f2e3d"])


def load(quads: list[ox.Quad] | None = None) -> ox.Store:
    store = ox.Store()
    if quads is None:
        store.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    else:
        store.extend(quads)
    return store


def fixture_quads() -> list[ox.Quad]:
    return list(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE))


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load()


def test_typed_graph_has_one_node_per_paper_concept_author_org_and_repository(store: ox.Store) -> None:
    graph = typed_graph(store)
    kinds = nx.get_node_attributes(graph, "kind")
    counts = {kind: list(kinds.values()).count(kind) for kind in set(kinds.values())}
    assert counts == {
        "paper": 3,
        "method": 2,
        "dataset": 2,
        "hardware": 1,
        "metric": 1,
        "task": 1,
        "author": 2,
        "organization": 1,
        "repository": 1,
    }
    assert all(graph.nodes[node]["iri"] == node for node in graph)


def test_typed_graph_leaves_out_listings_mentions_and_results_unless_evidence_is_asked_for(store: ox.Store) -> None:
    kinds = set(nx.get_node_attributes(typed_graph(store), "kind").values())
    assert not kinds & {"listing", "mention", "result"}
    with_evidence = typed_graph(store, include_evidence=True)
    evidence_kinds = nx.get_node_attributes(with_evidence, "kind")
    assert list(evidence_kinds.values()).count("mention") == 9
    assert list(evidence_kinds.values()).count("result") == 1


def test_paper_nodes_carry_title_date_url_and_counts_and_omit_what_the_store_lacks(store: ox.Store) -> None:
    graph = typed_graph(store)
    assert graph.nodes[P1] == {
        "kind": "paper",
        "iri": P1,
        "label": 'LoRA-X: Low-Rank Adaptation (LoRA) on "small" GPUs & <TPUs>',
        "date": "2024-01-02",
        "url": "https://arxiv.org/abs/2401.00001",
        "arxiv_id": "2401.00001",
        "upvotes": 12,
        "github_stars": 40,
    }
    assert set(graph.nodes[P3]) == {"kind", "iri", "label"}  # no date, url, counts: omitted, never None


def test_concept_paper_count_counts_distinct_papers_across_relations(store: ox.Store) -> None:
    graph = typed_graph(store)
    counts = nx.get_node_attributes(graph, "paper_count")
    assert counts[LORA] == 2
    assert counts[LORA_X] == 1  # proposed by one paper
    assert counts[CIFAR] == 2
    assert counts[TASK] == 2
    assert counts[IMAGENET] == 1


def test_paper_concept_edges_carry_first_sentence_and_highest_confidence(store: ox.Store) -> None:
    graph = typed_graph(store)
    edge = graph.edges[P1, LORA, "usesMethod"]
    # two mentions of LoRA in paper 1: in the title (0.8) and the abstract (0.9); the title comes first
    assert edge["evidence"] == 'LoRA-X: Low-Rank Adaptation (LoRA) on "small" GPUs & <TPUs>'
    assert edge["confidence"] == 0.9
    assert edge["relation"] == "usesMethod"
    assert graph.edges[P1, LORA_X, "proposes"]["confidence"] == 0.95
    # a link without any mention has no evidence attributes at all
    assert graph.edges[P2, IMAGENET, "evaluatesOn"] == {"relation": "evaluatesOn"}


def test_typed_graph_edges_are_keyed_by_relation(store: ox.Store) -> None:
    graph = typed_graph(store)
    relations = {key for _, _, key in graph.edges(keys=True)}
    assert relations == {
        "proposes",
        "usesMethod",
        "evaluatesOn",
        "reportsMetric",
        "runsOn",
        "addressesTask",
        "creator",
        "affiliatedWith",
        "hasRepository",
    }
    assert all(data["relation"] == key for _, _, key, data in graph.edges(keys=True, data=True))


def test_evidence_graph_links_papers_to_mentions_to_concepts(store: ox.Store) -> None:
    graph = typed_graph(store, include_evidence=True)
    mention = str(ID["mention/aaaaaaaaaaaaaaa5"])
    assert graph.has_edge(P1, mention, "hasMention")
    assert graph.has_edge(mention, A100, "denotes")
    attrs = graph.nodes[mention]
    assert attrs["label"] == "8 A100 GPUs"
    assert attrs["confidence"] == 0.85
    assert attrs["start"] == 48 and attrs["proposed"] is False
    result = str(ID["result/bbbbbbbbbbbbbbb1"])
    assert graph.nodes[result]["label"] == "93.5 %"
    assert graph.has_edge(result, ACCURACY, "resultMetric") and graph.has_edge(result, CIFAR, "resultDataset")


def test_views_are_identical_whatever_order_the_triples_were_loaded_in() -> None:
    quads = fixture_quads()
    forward, backward = load(quads), load(list(reversed(quads)))
    for view in (typed_graph, cooccurrence_graph):
        a, b = view(forward), view(backward)
        assert list(a.nodes(data=True)) == list(b.nodes(data=True))
        assert list(a.edges(data=True)) == list(b.edges(data=True))
    nodes = list(typed_graph(forward))
    assert nodes == sorted(nodes)


def test_views_read_data_held_in_named_graphs() -> None:
    graph_name = ox.NamedNode("https://example.org/graph")
    store = load([ox.Quad(q.subject, q.predicate, q.object, graph_name) for q in fixture_quads()])
    assert typed_graph(store).number_of_nodes() == typed_graph(load()).number_of_nodes()


def test_cooccurrence_weights_count_shared_papers(store: ox.Store) -> None:
    graph = cooccurrence_graph(store)
    assert set(nx.get_node_attributes(graph, "kind").values()) == {"method", "dataset", "hardware", "metric", "task"}
    assert graph.edges[LORA, CIFAR]["weight"] == 2  # papers 1 and 2
    assert graph.edges[LORA, ACCURACY]["weight"] == 2
    assert graph.edges[LORA_X, A100]["weight"] == 1
    assert not graph.has_edge(LORA_X, IMAGENET)  # never in the same paper
    assert graph.nodes[LORA]["paper_count"] == 2 and graph.nodes[LORA]["label"] == "LoRA"


def test_min_weight_drops_light_edges_but_keeps_every_concept(store: ox.Store) -> None:
    full, heavy = cooccurrence_graph(store), cooccurrence_graph(store, min_weight=2)
    assert set(heavy.nodes) == set(full.nodes)
    assert {frozenset(e) for e in heavy.edges} == {
        frozenset(pair) for pair in [(LORA, CIFAR), (LORA, ACCURACY), (CIFAR, ACCURACY)]
    }
    assert all(w >= 2 for _, _, w in heavy.edges(data="weight"))


def test_min_weight_below_one_is_a_usage_error(store: ox.Store) -> None:
    with pytest.raises(UsageError, match="at least 1"):
        cooccurrence_graph(store, min_weight=0)


def test_empty_store_gives_empty_views() -> None:
    assert typed_graph(ox.Store()).number_of_nodes() == 0
    assert cooccurrence_graph(ox.Store()).number_of_nodes() == 0
