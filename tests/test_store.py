"""The persistent store: idempotent and incremental adds, per-paper replacement, crash safety and the writer lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from fixtures.store.samples import many, mesa, minimal, without_mention

from kg import terms
from kg.errors import KgError, StoreLockedError
from kg.query import stored_labels
from kg.records import Concept, Extraction, Provenance
from kg.store import LOCK_FILE, POINTER, GraphStore

WRITER = Path(__file__).parent / "fixtures" / "store" / "writer.py"


def ntriples(store: GraphStore) -> bytes:
    """The graph as sorted N-Triples: equal bytes means equal graphs (there are no blank nodes)."""
    dump = store.oxigraph.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert dump is not None
    return b"\n".join(sorted(dump.splitlines()))


def build(path: Path, *batches: list[Extraction]) -> bytes:
    with GraphStore.open(path, read_only=False) as store:
        for batch in batches:
            store.add(batch)
        return ntriples(store)


def versions(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.name.startswith("v"))


def wait_for(path: Path, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"writer exited early: {process.stderr.read() if process.stderr else ''!r}")
        if time.monotonic() > deadline:
            raise AssertionError("writer did not reach the expected point")
        time.sleep(0.02)


def start_writer(store: Path, marker: Path, mode: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(WRITER), str(store), str(marker), mode], stderr=subprocess.PIPE)


def test_opening_a_missing_store_read_only_says_to_build_first(tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"no store at .*nope; run `kg build` first"):
        GraphStore.open(tmp_path / "nope")


def test_a_new_writer_creates_an_empty_store_readers_can_open(tmp_path: Path) -> None:
    GraphStore.open(tmp_path / "st", read_only=False).close()
    with GraphStore.open(tmp_path / "st") as store:
        assert len(store) == 0
        assert store.stats()["papers"] == 0


def test_adding_the_same_data_again_changes_nothing(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        first = store.add([mesa(), *many(20)])
        before, committed = ntriples(store), versions(tmp_path / "st")
        again = store.add([mesa(), *many(20)])
        assert again.triples_after == again.triples_before == first.triples_after
        assert (again.papers_unchanged, again.papers_new, again.papers_replaced) == (21, 0, 0)
        assert ntriples(store) == before
        assert versions(tmp_path / "st") == committed  # nothing changed, so no version was committed


def test_rebuilding_from_scratch_gives_a_byte_identical_graph(tmp_path: Path) -> None:
    assert build(tmp_path / "a", [mesa(), *many(30)]) == build(tmp_path / "b", [*many(30), mesa()])


def test_adding_a_new_file_adds_only_its_papers(tmp_path: Path) -> None:
    first, second = list(many(10, file="a.jsonl")), [minimal(i, file="b.jsonl") for i in range(100, 105)]
    incremental = build(tmp_path / "inc", first, second)
    assert incremental == build(tmp_path / "all", first + second)
    with GraphStore.open(tmp_path / "inc") as store:
        assert store.stats()["papers"] == 15


def test_a_changed_extraction_replaces_the_papers_subgraph(tmp_path: Path) -> None:
    changed = without_mention(mesa(), "A100 GPUs")
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([mesa()])
        report = store.add([changed])
        assert report.papers_replaced == 1
        assert report.triples_after < report.triples_before
        graph = store.rdflib_graph()
        hardware = terms.concept_iri("hardware", "NVIDIA A100")
        assert (None, None, hardware) not in graph  # no stale edge or mention points to it
        assert (hardware, None, None) not in graph  # and the orphaned concept is gone
        assert store.stats()["concepts"]["hardware"] == 0
        replaced = ntriples(store)
    assert replaced == build(tmp_path / "fresh", [changed])


def test_a_link_no_paper_gives_any_more_is_removed_and_a_shared_one_kept(tmp_path: Path) -> None:
    page, code = "https://mesa.github.io", "https://github.com/ziplab/Mesa"
    first = replace(mesa(), paper=replace(mesa().paper, links=(code, page)))
    other = next(many(1))
    sharing = replace(other, paper=replace(other.paper, links=(page,)))
    dropped = replace(mesa(), paper=replace(mesa().paper, links=(code,)))
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([first, sharing])
        store.add([dropped])
        graph = store.rdflib_graph()
        assert (terms.link_iri(page), terms.KG.linkKind, rdflib.Literal("project-page")) in graph  # still given
        store.add([replace(sharing, paper=replace(sharing.paper, links=()))])
        graph = store.rdflib_graph()
        assert (terms.link_iri(page), None, None) not in graph  # nobody gives it: gone, as in a rebuild
        assert (terms.link_iri(code), terms.KG.linkKind, rdflib.Literal("code")) in graph
        replaced = ntriples(store)
    assert replaced == build(tmp_path / "fresh", [dropped, replace(sharing, paper=replace(sharing.paper, links=()))])


def test_listings_accumulate_when_a_paper_is_read_again_from_another_file(tmp_path: Path) -> None:
    again = replace(mesa(), paper=replace(mesa().paper, provenance=(Provenance("other.json", 3, "hf-api"),)))
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([mesa()])
        store.add([again])
        paper = terms.paper_iri(mesa().paper.key)
        listings = set(store.rdflib_graph().objects(paper, terms.KG.listedIn))
    assert listings == {terms.listing_iri("seeds/000_debbf009154df580.txt", 9), terms.listing_iri("other.json", 3)}


@pytest.mark.parametrize("order", [("LoRA", "Lora"), ("Lora", "LoRA")])
def test_labels_minted_to_the_same_iri_keep_one_preferred_label_whatever_the_order(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    first, second = (minimal(index, concept=label) for index, label in enumerate(order))
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([first])
        store.add([second])
        graph = store.rdflib_graph()
        node = terms.concept_iri("method", "LoRA")
        labels = {str(o) for o in graph.objects(node, rdflib.SKOS.prefLabel)}
        alternatives = {str(o) for o in graph.objects(node, rdflib.SKOS.altLabel)}
        assert store.add([first, second]).papers_unchanged == 2  # a demoted label is not seen as a change
    assert labels == {"LoRA"}
    assert alternatives == {"Lora"}


def test_stats_counts_papers_concepts_repositories_and_organizations(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([mesa(), *many(10)])  # Mesa, Transformer (in both), LoRA, DPO, Mamba, RLHF: 6 methods
        stats = store.stats()
    assert stats == {
        "papers": 11,
        "concepts": {"method": 6, "dataset": 2, "hardware": 1, "metric": 1, "task": 1},
        "repositories": 1,
        "organizations": 1,
        "triples": stats["triples"],
    }
    assert stats["triples"] > 200


def test_rdflib_graph_reads_the_same_data(tmp_path: Path) -> None:
    build(tmp_path / "st", [mesa()])
    with GraphStore.open(tmp_path / "st") as store:
        graph = store.rdflib_graph()
        assert len(graph) == len(store)
        rows = list(graph.query("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t }"))
    assert [str(row[0]) for row in rows] == [mesa().paper.title]


def test_a_read_only_store_refuses_to_add(tmp_path: Path) -> None:
    build(tmp_path / "st", [mesa()])
    with GraphStore.open(tmp_path / "st") as store, pytest.raises(KgError, match="read-only"):
        store.add([mesa()])


def test_a_folder_that_is_not_a_store_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("keep me")
    with pytest.raises(KgError, match="not a kg store"):
        GraphStore.open(tmp_path / "docs", read_only=False)
    assert (tmp_path / "docs" / "notes.txt").read_text() == "keep me"


def test_a_damaged_pointer_is_a_one_line_error(tmp_path: Path) -> None:
    build(tmp_path / "st", [mesa()])
    (tmp_path / "st" / POINTER).write_text("../elsewhere\n")
    with pytest.raises(KgError, match="damaged"):
        GraphStore.open(tmp_path / "st")


def test_a_second_writer_in_the_same_process_is_refused(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "st", read_only=False):
        with pytest.raises(StoreLockedError, match=rf"locked by another kg process \(pid {os.getpid()}\)"):
            GraphStore.open(tmp_path / "st", read_only=False)
        with GraphStore.open(tmp_path / "st") as reader:  # readers are never locked out
            assert len(reader) == 0
    GraphStore.open(tmp_path / "st", read_only=False).close()  # released on close


def test_a_second_writer_process_gets_store_locked_error_naming_the_holder(tmp_path: Path) -> None:
    store, marker = tmp_path / "st", tmp_path / "locked"
    build(store, [mesa()])
    holder = start_writer(store, marker, "hold")
    try:
        wait_for(marker, holder)
        with pytest.raises(StoreLockedError, match=rf"pid {holder.pid}\)"):
            GraphStore.open(store, read_only=False)
        with GraphStore.open(store) as reader:
            assert reader.stats()["papers"] == 1
    finally:
        marker.unlink(missing_ok=True)
        assert holder.wait(timeout=60) == 0
    GraphStore.open(store, read_only=False).close()


def test_a_writer_killed_mid_add_leaves_the_previous_store_readable_and_complete(tmp_path: Path) -> None:
    store, marker = tmp_path / "st", tmp_path / "writing"
    before = build(store, [mesa(), *many(50)])
    writer = start_writer(store, marker, "slow")
    try:
        wait_for(marker, writer)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGKILL
    with GraphStore.open(store) as reader:
        assert ntriples(reader) == before
        assert reader.stats()["papers"] == 51
    with GraphStore.open(store, read_only=False) as again:  # the lock died with the writer
        assert not [p for p in store.iterdir() if p.name.startswith(".staging")]  # its leftovers are cleaned
        again.add([minimal(999)])
        assert again.stats()["papers"] == 52


def test_versions_no_reader_can_need_are_removed(tmp_path: Path) -> None:
    store = tmp_path / "st"
    with GraphStore.open(store, read_only=False) as writer:
        for index in range(4):
            writer.add([minimal(index)])
    current = (store / POINTER).read_text().strip()
    assert current in versions(store)
    assert len(versions(store)) == 2  # the current one and the one just before it
    assert (store / LOCK_FILE).exists()


def test_a_first_build_killed_before_its_first_commit_does_not_block_the_next(tmp_path: Path) -> None:
    store = tmp_path / "st"
    (store / ".staging-12345").mkdir(parents=True)  # all a writer killed at once leaves behind
    (store / LOCK_FILE).write_text("12345\n")
    assert build(store, [minimal(1)])
    assert sorted(p.name for p in store.iterdir() if p.name.startswith(".")) == []


def test_data_dir_is_the_version_the_store_reads(tmp_path: Path) -> None:
    build(tmp_path / "st", [minimal(1)])
    with GraphStore.open(tmp_path / "st") as reader:
        opened = reader.data_dir
        build(tmp_path / "st", [minimal(2)])  # a writer commits a newer version meanwhile
        assert reader.data_dir == opened
        assert reader.stats()["papers"] == 1
        assert len(ox.Store.read_only(str(opened))) == len(reader)


def test_without_its_digest_file_a_store_still_detects_unchanged_papers(tmp_path: Path) -> None:
    store = tmp_path / "st"
    before = build(store, [mesa(), *many(5)])
    current = store / (store / POINTER).read_text().strip()
    (current / "papers.tsv").unlink()  # e.g. lost: every paper is then compared triple by triple
    with GraphStore.open(store, read_only=False) as writer:
        report = writer.add([mesa(), *many(5)])
        assert (report.papers_unchanged, report.changed) == (6, False)
        assert ntriples(writer) == before


def alt_labels(store: GraphStore, kind: str, label: str) -> set[str]:
    node = terms.concept_iri(kind, label)
    return {str(o) for o in store.rdflib_graph().objects(node, rdflib.SKOS.altLabel)}


def test_a_replaced_paper_takes_back_the_aliases_only_it_stated(tmp_path: Path) -> None:
    plain = replace(mesa(), concepts=())  # the same mentions, without the CIFAR100 alias or "Transformers"
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([mesa(), *many(6)])
        assert alt_labels(store, "dataset", "CIFAR-100") == {"CIFAR100"}
        report = store.add([plain])
        assert report.papers_replaced == 1  # only labels changed, and that is a change
        assert alt_labels(store, "dataset", "CIFAR-100") == set()
        assert alt_labels(store, "method", "Transformer") == set()
        assert [label.value for label in stored_labels(store.oxigraph, "cifar100")] == []
        replaced = ntriples(store)
    assert replaced == build(tmp_path / "fresh", [plain, *many(6)])


def test_an_alias_another_paper_still_states_stays(tmp_path: Path) -> None:
    base = minimal(1, concept="CIFAR-100")
    dataset = tuple(replace(mention, type="dataset") for mention in base.mentions)
    other = replace(base, mentions=dataset, concepts=(Concept("dataset", "CIFAR-100", ("CIFAR100",)),))
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([mesa(), other])
        store.add([replace(mesa(), concepts=())])
        assert alt_labels(store, "dataset", "CIFAR-100") == {"CIFAR100"}  # the other paper still states it
        assert alt_labels(store, "method", "Transformer") == set()
        store.add([replace(other, concepts=())])
        assert alt_labels(store, "dataset", "CIFAR-100") == set()


def test_a_case_variant_label_goes_when_the_only_paper_using_it_is_replaced(tmp_path: Path) -> None:
    lora, variant = minimal(1, concept="LoRA"), minimal(2, concept="Lora")
    with GraphStore.open(tmp_path / "st", read_only=False) as store:
        store.add([lora, variant])
        assert alt_labels(store, "method", "LoRA") == {"Lora"}
        store.add([replace(variant, mentions=())])
        assert alt_labels(store, "method", "LoRA") == set()
        assert [label.value for label in stored_labels(store.oxigraph, "LORA")] == ["LoRA"]
        replaced = ntriples(store)
    assert replaced == build(tmp_path / "fresh", [lora, replace(variant, mentions=())])
