"""RDF exports parse back, with rdflib and with Oxigraph, into the graph that was exported, byte-stable."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.errors import UsageError
from kg.export import EXTENSIONS, export
from kg.export.rdf import RDF_FORMATS, compact_iri, export_rdf, sort_lines
from kg.terms import PREFIXES

FIXTURE = Path(__file__).parent / "fixtures" / "export" / "small.ttl"
XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "jsonld": "json-ld", "xml": "xml"}
EXTRA_GRAPH = ox.NamedNode("https://example.org/graph/extra")
EXTRA = ox.Quad(
    ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), ox.Literal("in a named graph")
)


def fixture_quads() -> list[ox.Quad]:
    return list(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE))


def store_of(quads: list[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.extend(quads)
    return store


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype == XSD_STRING:  # rdflib keeps plain literals apart from xsd:string ones
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def graph_of(triples: list[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def expected_graph(quads: list[ox.Quad]) -> rdflib.Graph:
    """The exported triples as rdflib reads the fixture itself (not through Oxigraph), plus any extra quads."""
    graph = rdflib.Graph().parse(FIXTURE, format="turtle")
    for quad in quads:
        if quad not in set(fixture_quads()):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def parse_with_rdflib(path: Path, fmt: str) -> rdflib.Graph:
    if fmt == "nq":
        dataset = rdflib.Dataset()
        dataset.parse(path, format="nquads")
        return graph_of([(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))])
    return rdflib.Graph().parse(path, format=RDFLIB_FORMATS[fmt])


def parse_with_oxigraph(path: Path, fmt: str) -> rdflib.Graph:
    quads = ox.parse(path=str(path), format=RDF_FORMATS[fmt])
    return graph_of([(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in quads])


def xml_safe(graph: rdflib.Graph) -> rdflib.Graph:
    """What RDF/XML can carry: the one XML-forbidden character of the fixture (U+0007) replaced by U+FFFD."""
    safe = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and "\x07" in o:
            o = rdflib.Literal(str(o).replace("\x07", "\ufffd"), lang=o.language, datatype=o.datatype)
        safe.add((s, p, o))
    return safe


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every RDF format written once from the fixture store."""
    folder = tmp_path_factory.mktemp("rdf")
    store = store_of(fixture_quads())
    return {fmt: export(store, fmt, folder / f"kg.{EXTENSIONS[fmt]}") for fmt in RDF_FORMATS}


@pytest.mark.parametrize("parser", [parse_with_rdflib, parse_with_oxigraph], ids=["rdflib", "oxigraph"])
@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_every_rdf_format_parses_back_into_an_isomorphic_graph(exported: dict[str, Path], fmt: str, parser) -> None:
    expected = expected_graph(fixture_quads())
    if fmt == "xml":
        expected = xml_safe(expected)
    parsed = parser(exported[fmt], fmt)
    assert len(parsed) == len(expected) == 204
    assert isomorphic(parsed, expected)


def test_rdf_xml_keeps_carriage_returns_and_is_well_formed_xml(exported: dict[str, Path]) -> None:
    from lxml import etree

    etree.parse(str(exported["xml"]))  # raises on characters XML 1.0 forbids
    abstracts = [o for _, _, o in parse_with_rdflib(exported["xml"], "xml") if "Windows line end" in o]
    assert abstracts and "\r\n" in abstracts[0]


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_export_is_byte_identical_whatever_the_insertion_order(tmp_path: Path, fmt: str) -> None:
    quads = fixture_quads()
    first = export(store_of(quads), fmt, tmp_path / "a").read_bytes()
    again = export(store_of(quads), fmt, tmp_path / "b").read_bytes()
    reversed_order = export(store_of(list(reversed(quads))), fmt, tmp_path / "c").read_bytes()
    assert first == again == reversed_order


def test_ntriples_are_sorted_lines_without_duplicates(exported: dict[str, Path]) -> None:
    lines = exported["nt"].read_bytes().splitlines()
    assert lines == sorted(set(lines))
    assert len(lines) == 204


def test_turtle_groups_each_subject_once_in_sorted_order(exported: dict[str, Path]) -> None:
    text = exported["ttl"].read_text(encoding="utf-8")
    subjects = [line.split(" ", 1)[0] for line in text.splitlines() if line.startswith("kgid:")]
    assert subjects == sorted(subjects)
    assert len(subjects) == len(set(subjects)) == len(set(rdflib.Graph().parse(FIXTURE).subjects()))
    assert "@prefix kg: <https://w3id.org/kg-ml/ontology#> ." in text


def test_jsonld_embeds_the_project_prefixes_as_its_context_and_uses_compact_iris(exported: dict[str, Path]) -> None:
    document = json.loads(exported["jsonld"].read_text(encoding="utf-8"))
    assert document["@context"] == PREFIXES
    paper = next(node for node in document["@graph"] if node["@id"] == "kgid:paper/arxiv-2401.00001")
    assert paper["rdf:type"] == [{"@id": "kg:Paper"}]
    assert paper["dcterms:issued"] == [{"@type": "xsd:date", "@value": "2024-01-02"}]
    assert [node["@id"] for node in document["@graph"]] == sorted(node["@id"] for node in document["@graph"])


def test_compact_iri_uses_the_longest_prefix_and_leaves_unknown_iris_whole() -> None:
    assert compact_iri("https://w3id.org/kg-ml/ontology#Paper") == "kg:Paper"
    assert compact_iri("https://w3id.org/kg-ml/id/method/lora") == "kgid:method/lora"
    assert compact_iri("https://example.org/x") == "https://example.org/x"
    assert compact_iri("https://schema.org///odd") == "https://schema.org///odd"  # "schema://odd" is an IRI


def test_nquads_keep_graph_names_and_triple_formats_hold_the_union(tmp_path: Path) -> None:
    quads = [*fixture_quads(), ox.Quad(EXTRA.subject, EXTRA.predicate, EXTRA.object, EXTRA_GRAPH)]
    store = store_of(quads)
    nq = export(store, "nq", tmp_path / "kg.nq")
    dataset = rdflib.Dataset().parse(nq, format="nquads")
    named = dataset.graph(rdflib.URIRef(EXTRA_GRAPH.value))
    assert list(named) == [(to_rdflib(EXTRA.subject), to_rdflib(EXTRA.predicate), to_rdflib(EXTRA.object))]
    assert isomorphic(parse_with_rdflib(nq, "nq"), expected_graph(quads))
    for fmt in ("ttl", "jsonld"):
        path = export(store, fmt, tmp_path / f"kg.{fmt}")
        assert isomorphic(parse_with_oxigraph(path, fmt), expected_graph(quads))


def test_empty_store_exports_valid_empty_documents(tmp_path: Path) -> None:
    for fmt in RDF_FORMATS:
        path = export(ox.Store(), fmt, tmp_path / f"empty.{fmt}")
        assert len(parse_with_rdflib(path, fmt)) == 0


def test_export_defaults_to_exports_kg_ext(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = export(store_of(fixture_quads()), "xml")
    assert path == Path("exports/kg.rdf") and (tmp_path / "exports" / "kg.rdf").is_file()


def test_unknown_format_and_graph_options_on_rdf_are_usage_errors(tmp_path: Path) -> None:
    store = store_of(fixture_quads())
    with pytest.raises(UsageError, match="unknown export format 'csv'"):
        export(store, "csv", tmp_path / "x")
    with pytest.raises(UsageError, match="graphml only"):
        export(store, "ttl", tmp_path / "x", projection="cooccurrence")
    with pytest.raises(UsageError, match="unknown RDF format"):
        export_rdf(store, "graphml", tmp_path / "x")
    assert not list(tmp_path.iterdir())


def test_a_failed_export_leaves_the_previous_file_in_place(tmp_path: Path) -> None:
    target = tmp_path / "kg.rdf"
    target.write_text("previous")
    store = ox.Store()
    # RDF/XML cannot write a predicate IRI that does not end in an XML name
    store.add(ox.Quad(ox.NamedNode("https://e.org/s"), ox.NamedNode("https://e.org/p/"), ox.Literal("x")))
    with pytest.raises(Exception, match="cannot write the store as xml"):
        export(store, "xml", target)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["kg.rdf"]


@pytest.mark.parametrize("fmt", list(RDF_FORMATS))
def test_external_sort_in_small_runs_gives_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    store = store_of(fixture_quads())
    whole = export(store, fmt, tmp_path / "whole").read_bytes()
    export_rdf(store, fmt, tmp_path / "runs", chunk_lines=7)  # 204 triples: 30 runs merged
    assert (tmp_path / "runs").read_bytes() == whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs", "whole"]  # no run files left behind


def test_sort_lines_merges_runs_and_drops_duplicates_across_them(tmp_path: Path) -> None:
    source = tmp_path / "lines"
    source.write_bytes(b"c\nb\na\nb\nc\na\nd")  # duplicates within and across runs, no final newline
    sink = tmp_path / "sorted"
    with sink.open("wb") as handle:
        sort_lines(source, handle, tmp_path, chunk_lines=2)
    assert sink.read_bytes() == b"a\nb\nc\nd\n"


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_export_reports_progress_in_triples_up_to_the_store_size(fmt: str, tmp_path: Path) -> None:
    quads = fixture_quads()
    seen: list[int] = []
    export(store_of(quads), fmt, tmp_path / f"kg.{fmt}", progress=seen.append)
    assert seen and seen == sorted(seen)
    assert seen[-1] == len(set(quads))
