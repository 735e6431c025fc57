"""`kg export` end to end: a real store written by GraphStore, exported by the command a user runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from fixtures.store.samples import many, mesa

from kg.export.graphml import node_ids
from kg.store import GraphStore
from kg.terms import PREFIXES, concept_iri


def graphml_id(iri: str) -> str:
    return node_ids([str(iri)])[str(iri)]


def run_kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with a store at the default location holding Mesa and ten small papers."""
    folder = tmp_path_factory.mktemp("export-cli")
    with GraphStore.open(folder / ".kg" / "store", read_only=False) as store:
        store.add([mesa(), *many(10)])
    return folder


def test_export_writes_turtle_to_the_default_path(work: Path) -> None:
    result = run_kg("export", "--format", "ttl", cwd=work)
    assert result.returncode == 0, result.stderr
    path = work / "exports" / "kg.ttl"
    assert "exports/kg.ttl" in result.stdout
    graph = rdflib.Graph().parse(path, format="turtle")
    with GraphStore.open(work / ".kg" / "store") as store:
        assert len(graph) == len(store)
    assert f"@prefix kg: <{PREFIXES['kg']}> ." in path.read_text(encoding="utf-8")


def test_export_graphml_projections_of_a_pipeline_written_store(work: Path) -> None:
    typed = run_kg("export", "--format", "graphml", "-o", "typed.graphml", cwd=work)
    co = run_kg("export", "--format", "graphml", "--projection", "cooccurrence", "-o", "co.graphml", cwd=work)
    assert typed.returncode == 0 and co.returncode == 0, typed.stderr + co.stderr
    graph = nx.read_graphml(work / "typed.graphml")
    mesa_node = "paper:arxiv-2107.11817"
    assert graph.nodes[mesa_node]["label"] == mesa().paper.title
    assert graph.nodes[mesa_node]["date"] == "2024-03-14"
    proposes = graph.edges[mesa_node, graphml_id(concept_iri("method", "Mesa"))]
    assert proposes["relation"] == "proposes"
    assert proposes["evidence"] == "To this end, we present Mesa, a memory-saving training framework."
    assert proposes["confidence"] == 0.9
    concepts = nx.read_graphml(work / "co.graphml")
    imagenet = graphml_id(concept_iri("dataset", "ImageNet"))
    assert concepts.nodes[imagenet]["paper_count"] == 1
    assert concepts.degree(imagenet) == 6  # the six other concepts of the Mesa paper


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv"], "unknown export format 'csv'"),
        (["--format", "ttl", "--projection", "cooccurrence"], "graphml only"),
        (["--format", "graphml", "--min-weight", "0", "--projection", "cooccurrence"], "at least 1"),
        (["--format", "ttl", "--store", "missing"], "no store at missing"),
    ],
)
def test_bad_options_give_a_one_line_error_and_no_file(work: Path, args: list[str], message: str) -> None:
    result = run_kg("export", *args, "-o", "never.out", cwd=work)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (work / "never.out").exists()
