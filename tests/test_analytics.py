"""Graph analytics give the answers worked out by hand for the fixture corpus (tests/fixtures/analytics/corpus.py),
and the same answers every time."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from fixtures.analytics.corpus import arxiv_id, papers

from kg import analytics as A
from kg.errors import KgError, UsageError
from kg.store import GraphStore
from kg.terms import ID
from kg.validate import validate_store
from kg.views import concept_aliases, paper_concept_graph


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    path = tmp_path_factory.mktemp("analytics") / "store"
    with GraphStore.open(path, read_only=False) as writer:
        writer.add(papers())
    with GraphStore.open(path) as reader:
        yield reader


@pytest.fixture(scope="module")
def bipartite(store: GraphStore) -> nx.Graph:
    return paper_concept_graph(store.oxigraph)


def iri(graph: nx.Graph, label: str) -> str:
    return A.find_concept(graph, label)


def paper(name: str) -> str:
    return str(ID[f"paper/arxiv-{arxiv_id(name)}"])


def labels(concepts: object) -> list[str]:
    return [c.label for c in concepts]  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------- co-occurrence


def test_paper_concept_graph_links_each_paper_to_its_concepts_with_dates_and_code(bipartite: nx.Graph) -> None:
    assert sorted(bipartite.nodes[c]["label"] for c in bipartite[paper("P1")]) == ["CNN", "ImageNet", "accuracy"]
    assert bipartite.nodes[paper("P1")]["date"] == "2024-01-10"
    assert bipartite.nodes[paper("P1")]["code"] == "https://github.com/example/resnet"
    counts = {bipartite.nodes[c]["label"]: bipartite.nodes[c]["paper_count"] for c in A.concepts_of(bipartite)}
    assert counts == {
        "Transformer": 4, "perplexity": 4, "CNN": 3, "ImageNet": 3, "accuracy": 3, "BERT": 3, "GLUE": 3,
        "CIFAR-10": 2, "LSTM": 1,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("weighting", "cnn_imagenet", "transformer_imagenet"),
    [
        ("count", 2.0, 1.0),
        ("jaccard", 2 / (3 + 3 - 2), 1 / (4 + 3 - 1)),
        ("pmi", math.log(2 * 9 / (3 * 3)), math.log(1 * 9 / (4 * 3))),
    ],
)
def test_cooccurrence_edges_are_weighted_by_count_jaccard_or_pmi(
    bipartite: nx.Graph, weighting: str, cnn_imagenet: float, transformer_imagenet: float
) -> None:
    graph = A.concept_graph(bipartite, weighting)
    cnn, imagenet, transformer = (iri(bipartite, x) for x in ("CNN", "ImageNet", "Transformer"))
    assert graph.edges[cnn, imagenet]["weight"] == pytest.approx(cnn_imagenet)
    assert graph.edges[transformer, imagenet]["weight"] == pytest.approx(transformer_imagenet)
    assert graph.edges[cnn, imagenet]["count"] == 2
    assert graph.number_of_edges() == 15 and graph.graph["papers"] == 9


def test_an_unknown_weighting_is_a_usage_error(bipartite: nx.Graph) -> None:
    with pytest.raises(UsageError, match="weighting"):
        A.concept_graph(bipartite, "cosine")


# --------------------------------------------------------------------------------------------- communities


@pytest.mark.parametrize("method", ["louvain", "greedy"])
@pytest.mark.parametrize("weighting", ["jaccard", "count", "pmi"])
def test_communities_split_vision_from_language_and_single_paper_concepts_join_their_neighbours(
    bipartite: nx.Graph, method: str, weighting: str
) -> None:
    found = A.detect_communities(bipartite, method=method, weighting=weighting)
    assert [sorted(labels(c.members)) for c in found] == [
        ["BERT", "GLUE", "LSTM", "Transformer", "perplexity"],  # LSTM (one paper) joins perplexity's community
        ["CIFAR-10", "CNN", "ImageNet", "accuracy"],
    ]
    assert [c.rank for c in found] == [1, 2]
    assert labels(found[0].members)[:2] == ["perplexity", "Transformer"]  # most papers first, ties by label


def test_communities_are_named_after_their_most_characteristic_concepts(bipartite: nx.Graph) -> None:
    language, vision = A.detect_communities(bipartite)
    # perplexity and Transformer have 4 papers; Transformer shares 2 of its 8 co-occurrences with the vision side
    assert language.name == "perplexity · Transformer · BERT"
    # CNN co-occurs only inside its community; accuracy and ImageNet share one paper with Transformer
    assert vision.name == "CNN · accuracy · ImageNet"


def test_communities_are_the_same_on_every_run_and_whatever_order_the_store_was_built_in(
    tmp_path: Path, bipartite: nx.Graph
) -> None:
    with GraphStore.open(tmp_path / "reversed", read_only=False) as writer:
        writer.add(list(reversed(papers())))
        other = paper_concept_graph(writer.oxigraph)
    first = A.detect_communities(bipartite, seed=7)
    assert A.detect_communities(bipartite, seed=7) == first
    assert A.detect_communities(other, seed=7) == first


def test_communities_are_written_to_the_store_for_sparql_and_still_validate(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with GraphStore.open(path, read_only=False) as writer:
        writer.add(papers())
        found = A.refresh_communities(writer)
        assert not A.write_communities(writer, found, A.community_description("louvain", "jaccard", 1.0, 0))
    with GraphStore.open(path) as reader:
        rows = reader.oxigraph.query(
            "SELECT ?label ?name ?rank WHERE { ?c skos:prefLabel ?label ; kg:community ?k . "
            "?k rdfs:label ?name ; kg:communityRank ?rank }",
            prefixes={"kg": str(ID).replace("id/", "ontology#"), "skos": "http://www.w3.org/2004/02/skos/core#",
                      "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
        )  # fmt: skip
        names = {row["label"].value: (row["name"].value, int(row["rank"].value)) for row in rows}
        assert names["LSTM"] == ("perplexity · Transformer · BERT", 1)
        assert names["CIFAR-10"] == ("CNN · accuracy · ImageNet", 2)
        assert len(names) == 9
        stored, membership = A.stored_communities(reader.oxigraph)
        assert sorted((c.rank, c.size) for c in stored.values()) == [(1, 5), (2, 4)]
        assert len(membership) == 9
        assert validate_store(reader).conforms


def test_replacing_communities_removes_the_old_ones_and_keeps_the_papers(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "store", read_only=False) as writer:
        writer.add(papers())
        before = len(writer)
        A.refresh_communities(writer)
        one = (A.Community(1, "everything", tuple(m for c in A.detect_communities(
            paper_concept_graph(writer.oxigraph)) for m in c.members)),)  # fmt: skip
        assert A.write_communities(writer, one, "by hand")
        stored, membership = A.stored_communities(writer.oxigraph)
        assert [c.name for c in stored.values()] == ["everything"] and len(membership) == 9
        assert A.write_communities(writer, (), "none")
        assert A.stored_communities(writer.oxigraph) == ({}, {})
        assert len(writer) == before


def test_annotations_refuse_triples_about_anything_else(tmp_path: Path) -> None:
    import pyoxigraph as ox

    with GraphStore.open(tmp_path / "store", read_only=False) as writer:
        writer.add(papers())
        stray = ox.Triple(ox.NamedNode(paper("P1")), ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("x"))
        with pytest.raises(KgError, match="not an annotation"):
            writer.replace_annotations([str(ID)], [], [stray])
    with GraphStore.open(tmp_path / "store") as reader, pytest.raises(KgError, match="read-only"):
        reader.replace_annotations([], [], [])


# ------------------------------------------------------------------------------------------------- ranking


def test_transformer_ranks_first_by_pagerank_and_degree(bipartite: nx.Graph) -> None:
    graph = A.concept_graph(bipartite)
    by_pagerank = A.rank_concepts(graph, limit=3)
    assert labels(r.concept for r in by_pagerank) == ["Transformer", "perplexity", "CNN"]
    assert by_pagerank[0].degree == 5 and by_pagerank[0].strength == 8.0
    assert sum(r.pagerank for r in A.rank_concepts(graph, limit=None)) == pytest.approx(1.0)
    by_degree = A.rank_concepts(graph, by="degree", limit=2)
    assert [(r.concept.label, r.degree) for r in by_degree] == [("Transformer", 5), ("perplexity", 4)]
    datasets = A.rank_concepts(graph, by="papers", kind="dataset", limit=None)
    # ImageNet and GLUE both have 3 papers: ties go to the higher PageRank (ImageNet bridges to Transformer)
    assert labels(r.concept for r in datasets) == ["ImageNet", "GLUE", "CIFAR-10"]


# -------------------------------------------------------------------------------------------------- trends


def test_trends_count_papers_per_month_and_rank_concepts_by_rising_share(bipartite: nx.Graph) -> None:
    report = A.trends(bipartite, window=1, min_papers=1)
    assert report.months == ("2024-01", "2024-02", "2024-03")
    assert report.papers == (3, 2, 4)
    assert (report.recent, report.previous, report.undated) == (("2024-03",), ("2024-02",), 0)
    # shares in March vs February: perplexity 3/4 vs 0/2, Transformer 3/4 vs 1/2, accuracy 1/4 vs 0/2
    rising = [(t.concept.label, t.rise, t.by_month) for t in report.rising]
    assert rising == [
        ("perplexity", pytest.approx(75.0), (1, 0, 3)),
        ("Transformer", pytest.approx(25.0), (0, 1, 3)),  # ties on rise: more recent papers first
        ("accuracy", pytest.approx(25.0), (2, 0, 1)),
    ]
    at_least_two = A.trends(bipartite, window=1, min_papers=2).rising
    assert [t.concept.label for t in at_least_two] == ["perplexity", "Transformer"]


def test_trends_track_named_concepts_and_compare_wider_windows(bipartite: nx.Graph) -> None:
    cnn = iri(bipartite, "CNN")
    report = A.trends(bipartite, window=2, min_papers=1, track=(cnn,))
    assert (report.recent, report.previous) == (("2024-02", "2024-03"), ("2024-01",))
    (tracked,) = report.tracked
    assert (tracked.concept.label, tracked.by_month, tracked.recent, tracked.previous) == ("CNN", (2, 1, 0), 1, 2)
    assert tracked.rise == pytest.approx(100 * (1 / 6 - 2 / 3))


# ------------------------------------------------------------------------------------------ related papers


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # idf weights log(9/df): CNN, ImageNet, accuracy log 3; CIFAR-10 log 4.5; Transformer log 2.25
        (
            "jaccard",
            [
                ("P2", (math.log(3) + math.log(4.5)) / (3 * math.log(3) + math.log(4.5))),
                ("P1", 2 * math.log(3) / (3 * math.log(3) + math.log(4.5))),
                ("P8", math.log(3) / (3 * math.log(3) + math.log(4.5) + math.log(2.25))),
            ],
        ),
        (
            "adamic-adar",
            [
                ("P2", 1 / math.log(3) + 1 / math.log(2)),
                ("P1", 2 / math.log(3)),
                ("P8", 1 / math.log(3)),
            ],
        ),
    ],
)
def test_related_papers_are_ranked_by_weighted_jaccard_or_adamic_adar(
    bipartite: nx.Graph, method: str, expected: list[tuple[str, float]]
) -> None:
    related = A.related_papers(bipartite, paper("P3"), method=method)
    assert [(r.paper.iri, r.score) for r in related] == [(paper(n), pytest.approx(s)) for n, s in expected]
    assert labels(related[0].shared) == ["CIFAR-10", "CNN"]  # rarest shared concept first


def test_papers_are_found_by_arxiv_id_iri_title_or_a_unique_part_of_it(bipartite: nx.Graph) -> None:
    p3 = paper("P3")
    for text in (arxiv_id("P3"), p3, "kgid:paper/arxiv-2401.00003", "Transfer from ImageNet to CIFAR-10 with CNNs",
                 "transfer from imagenet"):  # fmt: skip
        assert A.find_paper(bipartite, text) == p3
    with pytest.raises(UsageError, match="papers have 'CNN' in their title"):
        A.find_paper(bipartite, "CNN")
    with pytest.raises(UsageError, match="no paper"):
        A.find_paper(bipartite, "Attention is all you need")


# ---------------------------------------------------------------------------------------------------- path


def test_the_path_from_lstm_to_imagenet_goes_through_perplexity_and_transformer(bipartite: nx.Graph) -> None:
    found = A.concept_path(bipartite, iri(bipartite, "LSTM"), iri(bipartite, "ImageNet"))
    assert found is not None
    assert labels(found.concepts) == ["LSTM", "perplexity", "Transformer", "ImageNet"]
    steps = [[p.iri for p in step.papers] for step in found.steps]
    assert steps == [[paper("P9")], [paper("P7"), paper("P5")], [paper("P8")]]  # newest first


def test_of_equally_short_paths_the_one_with_stronger_links_wins(bipartite: nx.Graph) -> None:
    # CNN -> BERT: via ImageNet or via accuracy (both: jaccard 1/2 to CNN, 1/6 to Transformer); the same answer
    # every time, through the intermediate of smaller IRI cost order
    runs = {tuple(labels(A.concept_path(bipartite, iri(bipartite, "CNN"), iri(bipartite, "BERT")).concepts))  # type: ignore[union-attr]
            for _ in range(3)}  # fmt: skip
    assert len(runs) == 1
    (chain,) = runs
    assert chain[0] == "CNN" and chain[2:] == ("Transformer", "BERT") and chain[1] in {"ImageNet", "accuracy"}


def test_concepts_are_found_by_label_or_alias_in_any_case(store: GraphStore, bipartite: nx.Graph) -> None:
    aliases = concept_aliases(store.oxigraph)
    lstm = iri(bipartite, "LSTM")
    assert A.find_concept(bipartite, "lstm") == lstm
    assert A.find_concept(bipartite, "Long Short-Term Memory", aliases) == lstm
    assert A.find_concept(bipartite, "LSTM", kind="method") == lstm
    with pytest.raises(UsageError, match="no concept of type dataset"):
        A.find_concept(bipartite, "LSTM", kind="dataset")
    with pytest.raises(UsageError, match="did you mean 'CIFAR-10'"):
        A.find_concept(bipartite, "CIFAR")
