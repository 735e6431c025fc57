"""GraphML exports are schema-valid, typed, null-free, and load with every attribute in networkx and igraph."""

from __future__ import annotations

import math
from pathlib import Path

import igraph
import networkx as nx
import pyoxigraph as ox
import pytest
from lxml import etree

from kg.errors import UsageError
from kg.export import export, write_graphml
from kg.export.graphml import node_ids
from kg.terms import ID
from kg.views import cooccurrence_graph, typed_graph

FIXTURES = Path(__file__).parent / "fixtures" / "export"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
P1 = str(ID["paper/arxiv-2401.00001"])
LORA = str(ID["method/lora-4c5d6e"])


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(FIXTURES / "graphml.xsd")))


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(FIXTURES / "small.ttl"), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def projections(store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("graphml")
    return {
        "typed": export(store, "graphml", folder / "typed.graphml"),
        "evidence": export(store, "graphml", folder / "evidence.graphml", include_evidence=True),
        "cooccurrence": export(store, "graphml", folder / "co.graphml", projection="cooccurrence"),
    }


def xml_safe(value: object) -> object:
    """What XML can carry: the fixture's one forbidden character (U+0007) is written as U+FFFD."""
    return value.replace("\x07", "\ufffd") if isinstance(value, str) else value


def keys_of(path: Path) -> dict[tuple[str, str], str]:
    """(domain, attr.name) -> attr.type, as declared in the file."""
    root = etree.parse(str(path)).getroot()
    return {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.iter(f"{GRAPHML}key")}


@pytest.mark.parametrize("projection", ["typed", "evidence", "cooccurrence"])
def test_graphml_is_valid_against_the_graphml_schema(projections: dict[str, Path], schema, projection: str) -> None:
    document = etree.parse(str(projections[projection]))
    assert schema.validate(document), schema.error_log


def test_schema_rejects_iri_node_ids_and_dangling_edges(schema: etree.XMLSchema) -> None:
    """The transcribed schema really checks what the writer must get right."""
    bad_id = b"""<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">
        <node id="https://x.org/a"/></graph></graphml>"""
    dangling = b"""<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">
        <node id="a"/><edge source="a" target="b"/></graph></graphml>"""
    for document in (bad_id, dangling):
        assert not schema.validate(etree.fromstring(document))


def test_keys_declare_the_narrowest_type_of_each_attribute(projections: dict[str, Path]) -> None:
    keys = keys_of(projections["typed"])
    assert keys[("node", "label")] == "string"
    assert keys[("node", "kind")] == "string"
    assert keys[("node", "paper_count")] == "int"
    assert keys[("node", "upvotes")] == "int"
    assert keys[("node", "date")] == "string"
    assert keys[("node", "url")] == "string"
    assert keys[("edge", "confidence")] == "double"
    assert keys[("edge", "relation")] == "string"
    assert keys[("graph", "projection")] == "string"
    assert keys_of(projections["evidence"])[("node", "proposed")] == "boolean"
    assert keys_of(projections["cooccurrence"])[("edge", "weight")] == "int"


def test_no_element_carries_an_empty_or_null_value(projections: dict[str, Path]) -> None:
    for path in projections.values():
        values = [d.text for d in etree.parse(str(path)).getroot().iter(f"{GRAPHML}data")]
        assert values and all(v not in (None, "", "None", "nan", "NaN", "null") for v in values)


def test_networkx_reads_back_every_node_and_edge_with_typed_attributes(
    projections: dict[str, Path], store: ox.Store
) -> None:
    original = typed_graph(store)
    read = nx.read_graphml(projections["typed"], force_multigraph=True)
    ids = node_ids(original.nodes)
    assert read.number_of_nodes() == original.number_of_nodes()
    assert read.number_of_edges() == original.number_of_edges()
    for node, attrs in original.nodes(data=True):
        assert read.nodes[ids[node]] == {name: xml_safe(value) for name, value in attrs.items()}
    original_edges = sorted((ids[u], ids[v], sorted(d.items())) for u, v, d in original.edges(data=True))
    read_edges = sorted((u, v, sorted(d.items())) for u, v, d in read.edges(data=True))
    assert read_edges == original_edges
    assert read.graph["projection"] == "typed"


def test_igraph_reads_back_every_attribute(projections: dict[str, Path], store: ox.Store) -> None:
    original = typed_graph(store)
    read = igraph.Graph.Read_GraphML(str(projections["typed"]))
    assert read.vcount() == original.number_of_nodes() and read.ecount() == original.number_of_edges()
    by_iri = {v["iri"]: v for v in read.vs}
    paper = by_iri[P1]
    assert paper["label"] == original.nodes[P1]["label"]
    assert paper["kind"] == "paper" and paper["date"] == "2024-01-02" and paper["upvotes"] == 12
    assert by_iri[LORA]["paper_count"] == 2
    assert sorted(read.es["relation"]) == sorted(r for _, _, r in original.edges(data="relation"))
    confidences = sorted(c for c in read.es["confidence"] if not math.isnan(c))
    assert confidences == sorted(c for _, _, c in original.edges(data="confidence") if c is not None)
    # (igraph 1.0 fills its own edge "id" attribute with vertex ids, so edge ids are not compared here)


def test_igraph_reads_boolean_and_long_keys(tmp_path: Path) -> None:
    graph = nx.Graph()
    graph.add_node("a", proposed=True, big=2**40, label="A")
    graph.add_node("b", proposed=False, big=1, label="B")
    write_graphml(graph, tmp_path / "g.graphml")
    read = igraph.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert read.vs["proposed"] == [True, False]
    assert read.vs["big"] == [2**40, 1]
    assert read.vs["label"] == ["A", "B"]


def test_cooccurrence_graphml_is_undirected_and_weighted(projections: dict[str, Path], store: ox.Store) -> None:
    read = nx.read_graphml(projections["cooccurrence"])
    original = cooccurrence_graph(store)
    assert not read.is_directed()
    ids = node_ids(original.nodes)
    assert read.edges[ids[LORA], ids[str(ID["dataset/cifar-10-7a8b9c"])]]["weight"] == 2
    assert sum(w for _, _, w in read.edges(data="weight")) == sum(w for _, _, w in original.edges(data="weight"))


def test_parallel_edges_of_a_multigraph_get_distinct_ids(tmp_path: Path, schema: etree.XMLSchema) -> None:
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "b", key="x", relation="x")
    graph.add_edge("a", "b", key="y", relation="y")
    write_graphml(graph, tmp_path / "multi.graphml")
    edges = list(etree.parse(str(tmp_path / "multi.graphml")).getroot().iter(f"{GRAPHML}edge"))
    assert len({e.get("id") for e in edges}) == 2
    assert schema.validate(etree.parse(str(tmp_path / "multi.graphml")))
    assert nx.read_graphml(tmp_path / "multi.graphml").number_of_edges() == 2


def test_none_and_nan_values_are_omitted_not_written(tmp_path: Path) -> None:
    graph = nx.Graph()
    graph.add_node("a", label="A", score=None, ratio=float("nan"))
    graph.add_node("b", label="B", score=3, ratio=0.5)
    write_graphml(graph, tmp_path / "g.graphml")
    read = nx.read_graphml(tmp_path / "g.graphml")
    assert read.nodes["a"] == {"label": "A"}
    assert read.nodes["b"] == {"label": "B", "score": 3, "ratio": 0.5}


def test_mixed_numbers_widen_and_mixed_kinds_fall_back_to_string(tmp_path: Path) -> None:
    graph = nx.Graph()
    graph.add_node("a", n=1, big=1, mixed=1)
    graph.add_node("b", n=2.5, big=2**40, mixed="two")
    write_graphml(graph, tmp_path / "g.graphml")
    keys = keys_of(tmp_path / "g.graphml")
    assert keys[("node", "n")] == "double"
    assert keys[("node", "big")] == "long"
    assert keys[("node", "mixed")] == "string"
    assert nx.read_graphml(tmp_path / "g.graphml").nodes["b"]["big"] == 2**40


def test_text_is_escaped_and_xml_forbidden_characters_replaced(tmp_path: Path, schema: etree.XMLSchema) -> None:
    graph = nx.Graph()
    graph.add_node("a", label='<b> & "q"\x07\r\nend')
    write_graphml(graph, tmp_path / "g.graphml")
    assert schema.validate(etree.parse(str(tmp_path / "g.graphml")))
    assert nx.read_graphml(tmp_path / "g.graphml").nodes["a"]["label"] == '<b> & "q"\ufffd\r\nend'


def test_node_ids_are_readable_unique_name_tokens() -> None:
    ids = node_ids([P1, str(ID["repo/owner/name"]), "plain-id", "has space", "https://example.org/x", "paper:x"])
    assert ids[P1] == "paper:arxiv-2401.00001"
    assert ids[str(ID["repo/owner/name"])] == "repo:owner:name"
    assert ids["plain-id"] == "plain-id"
    assert ids["has space"].startswith("n") and " " not in ids["has space"]
    assert ids["https://example.org/x"].startswith("n")
    assert len(set(ids.values())) == len(ids)
    clash = node_ids(["paper:x", str(ID["paper/x"])])  # the second would compact to the first's id
    assert len(set(clash.values())) == 2


def test_unsupported_attribute_values_are_refused_by_name(tmp_path: Path) -> None:
    graph = nx.Graph()
    graph.add_node("a", tags=["x", "y"])
    with pytest.raises(TypeError, match="'tags' holds a list"):
        write_graphml(graph, tmp_path / "g.graphml")
    assert not (tmp_path / "g.graphml").exists()


def test_graphml_export_is_byte_identical_across_runs(store: ox.Store, tmp_path: Path) -> None:
    quads = list(store)
    reloaded = ox.Store()
    reloaded.extend(reversed(quads))
    first = export(store, "graphml", tmp_path / "a.graphml").read_bytes()
    second = export(reloaded, "graphml", tmp_path / "b.graphml").read_bytes()
    assert first == second


def test_projection_options_are_checked(store: ox.Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown projection"):
        export(store, "graphml", tmp_path / "x", projection="bipartite")
    with pytest.raises(UsageError, match="co-occurrence projection only"):
        export(store, "graphml", tmp_path / "x", min_weight=2)
    with pytest.raises(UsageError, match="at least 1"):
        export(store, "graphml", tmp_path / "x", projection="cooccurrence", min_weight=0)
    with pytest.raises(UsageError, match="typed projection"):
        export(store, "graphml", tmp_path / "x", projection="cooccurrence", include_evidence=True)
