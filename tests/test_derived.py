"""Derived data the store keeps at each commit: paper counts exact after every kind of add, label keys."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from fixtures.store.samples import many, mesa, minimal, without_mention

from kg import store as store_module
from kg import terms
from kg.derived import LABEL_KEY, PAPER_COUNT, DeriveReport, derive_all
from kg.query import run_query, stored_labels
from kg.records import Extraction
from kg.store import GraphStore

# The paper count recomputed from the edges with a plain aggregate, independently of kg.derived.
_COUNTED = """
SELECT ?concept (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  VALUES ?class { kg:Method kg:Dataset kg:Hardware kg:Metric kg:Task }
  ?concept a ?class .
  OPTIONAL { ?paper kg:proposes|kg:usesMethod|kg:evaluatesOn|kg:reportsMetric|kg:runsOn|kg:addressesTask ?concept }
}
GROUP BY ?concept
"""


def stored_counts(store: GraphStore) -> dict[str, int]:
    rows = run_query(store.oxigraph, "SELECT ?concept ?papers WHERE { ?concept kg:paperCount ?papers }").rows
    return {row["concept"]: row["papers"] for row in rows}


def counted(store: GraphStore) -> dict[str, int]:
    return {row["concept"]: row["papers"] for row in run_query(store.oxigraph, _COUNTED).rows}


def ntriples(store: GraphStore) -> bytes:
    dump = store.oxigraph.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert dump is not None
    return b"\n".join(sorted(dump.splitlines()))


def shares_lora(index: int) -> Extraction:
    """A paper using LoRA and, for odd indexes, Transformer too: LoRA's count grows with every paper."""
    paper = minimal(index, concept="LoRA")
    if index % 2:
        other = minimal(index, concept="Transformer").mentions[0]
        paper = Extraction(paper.paper, (*paper.mentions, other))
    return paper


def test_paper_count_after_add_is_the_number_of_distinct_papers(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([mesa(), *many(12), *(shares_lora(i) for i in range(100, 104))])
        counts = stored_counts(store)
        assert counts == counted(store)
        assert counts[str(terms.concept_iri("method", "LoRA"))] == 3 + 4  # many(12): indexes 0, 5, 10
        assert counts[str(terms.concept_iri("method", "Mesa"))] == 1  # proposed, not used
        assert counts[str(terms.concept_iri("metric", "top-1 accuracy"))] == 1


def test_paper_count_follows_a_replaced_paper_and_equals_a_rebuild(tmp_path: Path) -> None:
    changed = without_mention(mesa(), "ImageNet")  # ImageNet stays a concept: mesa's result names it
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([mesa(), *(shares_lora(i) for i in range(4))])
        store.add([changed, Extraction(minimal(1, concept="LoRA").paper, ())])  # paper 1 loses its mentions
        counts = stored_counts(store)
        assert counts == counted(store)
        assert counts[str(terms.concept_iri("dataset", "ImageNet"))] == 0
        assert counts[str(terms.concept_iri("method", "LoRA"))] == 3  # paper 1 no longer mentions anything
        assert counts[str(terms.concept_iri("method", "Transformer"))] == 2  # mesa and paper 3
        incremental = ntriples(store)
    with GraphStore.open(tmp_path / "fresh", read_only=False) as fresh:
        fresh.add(
            [changed, shares_lora(0), Extraction(minimal(1, concept="LoRA").paper, ()), *map(shares_lora, (2, 3))]
        )
        assert ntriples(fresh) == incremental


def test_re_adding_the_same_papers_keeps_counts_and_bytes(tmp_path: Path) -> None:
    papers = [mesa(), *many(10)]
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add(papers)
        before = ntriples(store)
        assert not store.add(papers).changed
        assert ntriples(store) == before
    with GraphStore.open(tmp_path / "other", read_only=False) as store:
        store.add(papers[5:])
        store.add(papers[:5])
        assert ntriples(store) == before  # added in two commits, in another order


def test_every_concept_has_one_count_and_every_labelled_node_its_keys(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([mesa(), minimal(1, concept="Lora"), minimal(2, concept="LoRA")])
        db = store.oxigraph
        node = ox.NamedNode(str(terms.concept_iri("method", "LoRA")))
        assert {q.object.value for q in db.quads_for_pattern(node, LABEL_KEY, None)} == {"lora"}
        cifar = ox.NamedNode(str(terms.concept_iri("dataset", "CIFAR-100")))
        assert {q.object.value for q in db.quads_for_pattern(cifar, LABEL_KEY, None)} == {"cifar-100", "cifar100"}
        repo = ox.NamedNode(str(terms.repository_iri("https://github.com/ziplab/Mesa")))
        assert {q.object.value for q in db.quads_for_pattern(repo, LABEL_KEY, None)} == {"ziplab/mesa"}
        assert [label.value for label in stored_labels(db, "LORA")] == ["LoRA", "Lora"]
        assert [label.value for label in stored_labels(db, "cifar100")] == ["CIFAR100"]
        assert [label.value for label in stored_labels(db, "zip lab")] == ["ZIP Lab"]


def test_derive_all_repairs_a_graph_without_derived_data(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([mesa(), *many(6)])
        expected = ntriples(store)
        copy = ox.Store()
        copy.extend(q for q in store.oxigraph if q.predicate not in (PAPER_COUNT, LABEL_KEY))
        report = derive_all(copy)
        assert report.added > 0 and report.removed == 0
        assert derive_all(copy).added == 0  # a second pass finds everything up to date
        dump = copy.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        assert dump is not None
        assert b"\n".join(sorted(dump.splitlines())) == expected


def _up_to_date(store: GraphStore) -> bool:
    """Whether the stored derived data is exactly what a derivation from scratch gives (on a copy)."""
    copy = ox.Store()
    copy.extend(store.oxigraph)
    return derive_all(copy) == DeriveReport(0, 0)


@pytest.mark.parametrize("count_before_load", [50_000, 0], ids=["counted-lookups", "counted-by-scan"])
def test_incremental_derived_data_and_triple_count_equal_a_full_derivation_after_every_kind_of_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count_before_load: int
) -> None:
    monkeypatch.setattr(store_module, "_COUNT_BEFORE_LOAD", count_before_load)
    steps = [
        [mesa(), *many(6)],  # into an empty store
        [minimal(1, concept="Lora"), *(shares_lora(i) for i in range(100, 103))],  # new papers, a case variant
        [without_mention(mesa(), "ImageNet"), Extraction(minimal(1, concept="Lora").paper, ())],  # replacements
        [replace(mesa(), concepts=()), minimal(2, concept="LoRA")],  # an alias dropped, another new paper
        [mesa(), *many(6)],  # the first papers again
    ]
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        for papers in steps:
            report = store.add(papers)
            assert report.triples_after == len(store.oxigraph) == store.stats()["triples"]
            assert _up_to_date(store)
        incremental = ntriples(store)
    with GraphStore.open(tmp_path / "fresh", read_only=False) as fresh:
        fresh.add([mesa(), *many(6), *(shares_lora(i) for i in range(100, 103))])
        fresh.add([Extraction(minimal(1, concept="Lora").paper, ()), minimal(2, concept="LoRA")])
        assert ntriples(fresh) == incremental
