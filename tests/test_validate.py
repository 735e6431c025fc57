"""SHACL validation: graphs built by the pipeline conform; broken graphs yield readable violations and exit 1."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import typer
from fixtures.store.samples import many, mesa
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, SH
from typer.testing import CliRunner

from kg import terms
from kg.cli import store_cmds
from kg.errors import KgError
from kg.paths import ONTOLOGY_DIR
from kg.rdf import extraction_triples
from kg.records import Extraction, Mention
from kg.store import GraphStore
from kg.validate import Violation, validate_graph, validate_oxigraph, validate_store

runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()
    store_cmds.register(app)
    return app


def graph_of(*extractions: Extraction) -> rdflib.Graph:
    graph = rdflib.Graph()
    for extraction in extractions:
        for triple in extraction_triples(extraction):
            graph.add(triple)
    return graph


def broken() -> Extraction:
    """Mesa with the mistakes a faulty reader or extractor could make."""
    good = mesa()
    bad_offsets = replace(good.mentions[0], start=20, end=5)
    overconfident = replace(good.mentions[2], confidence=1.5)
    paper = replace(good.paper, title="", date="2024-14-40")
    return replace(good, paper=paper, mentions=(bad_offsets, overconfident, *good.mentions[3:]))


def build_store(path: Path, extractions: list[Extraction]) -> Path:
    with GraphStore.open(path, read_only=False) as store:
        store.add(extractions)
    return path


def test_a_graph_built_from_pipeline_records_conforms() -> None:
    report = validate_graph(graph_of(mesa(), *many(5)))
    assert report.violations == ()
    assert report.conforms


def test_links_of_every_kind_and_spelling_conform() -> None:
    links = (
        "https://github.com/ziplab/Mesa",
        "mesa.github.io/page",
        "HTTP://huggingface.co/datasets/z/m",
        "hf.co/org/model",
        "https://aka.ms/x",
        "https://a.io/with space",
    )
    shared = replace(next(many(1)), paper=replace(next(many(1)).paper, links=links[:2]))
    report = validate_graph(graph_of(replace(mesa(), paper=replace(mesa().paper, links=links)), shared))
    assert report.violations == ()


def test_a_link_without_kind_is_a_violation() -> None:
    graph = graph_of(replace(mesa(), paper=replace(mesa().paper, links=("https://mesa.github.io",))))
    graph.remove((terms.link_iri("https://mesa.github.io"), terms.KG.linkKind, None))
    assert [v.path for v in validate_graph(graph).violations] == ["kg:linkKind"]


@pytest.mark.slow  # extraction and pySHACL over ~110k triples: about 15 s on two cores
def test_the_seeds_graph_conforms(seeds_dir: Path, tmp_path: Path) -> None:
    ingest = pytest.importorskip("kg.ingest").ingest
    papers = ingest([seeds_dir], None).papers
    assert len(papers) > 300
    try:
        from kg.nlp import Extractor  # type: ignore[attr-defined]
    except ImportError:  # extraction not written yet: validate the ingested metadata alone
        extractions = [Extraction(paper) for paper in papers]
    else:
        extractions = list(Extractor().extract_many(papers))
    with GraphStore.open(build_store(tmp_path / "st", extractions)) as store:
        report = validate_store(store)
        assert report.triples == len(store)
    assert [str(v) for v in report.violations] == []
    assert report.conforms


def test_a_broken_graph_yields_one_violation_per_fault() -> None:
    report = validate_graph(graph_of(broken()))
    assert not report.conforms
    paper = "kgid:paper/arxiv-2107.11817"
    found = {(v.focus, v.path) for v in report.violations}
    assert (paper, "dcterms:title") in found  # the empty title is omitted, so the paper has none
    assert (paper, "dcterms:issued") in found  # not a valid xsd:date
    assert any(v.path == "kg:startOffset" and "less than its end" in v.message for v in report.violations)
    assert any(v.path == "kg:confidence" and v.value == '"1.5"^^xsd:double' for v in report.violations)


def test_structural_faults_are_caught_by_closed_and_class_constraints() -> None:
    graph = graph_of(mesa())
    paper = terms.paper_iri(mesa().paper.key)
    graph.add((paper, DCTERMS.title, rdflib.Literal("A second title")))
    mention = next(graph.subjects(terms.KG.denotes, terms.concept_iri("dataset", "ImageNet")))
    graph.set((mention, terms.KG.denotes, paper))  # denotes a paper, not a concept
    graph.add((mention, terms.KG.denote, paper))  # a typo'd predicate
    repo = terms.repository_iri("https://github.com/ziplab/Mesa")
    graph.remove((repo, terms.SCHEMA.url, None))
    messages = {(v.path, v.message) for v in validate_graph(graph).violations}
    assert ("dcterms:title", "a paper has exactly one non-empty title") in messages
    assert any(path == "kg:denotes" and "exactly one concept" in message for path, message in messages)
    assert any(path == "kg:denote" for path, _ in messages)
    assert any(path == "schema:url" and "repository" in message for path, message in messages)


def test_violations_print_one_per_line_with_focus_path_and_message() -> None:
    violation = validate_graph(graph_of(broken())).violations[0]
    line = str(violation)
    assert "\n" not in line
    assert line.startswith("Violation: kgid:")
    assert violation.path in line and violation.message in line


def test_kg_validate_exits_zero_on_a_valid_store(tmp_path: Path) -> None:
    store = build_store(tmp_path / "st", [mesa(), *many(3)])
    result = runner.invoke(cli(), ["validate", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_kg_validate_prints_violations_and_exits_one_on_a_broken_store(tmp_path: Path) -> None:
    store = build_store(tmp_path / "st", [broken(), *many(3)])
    result = runner.invoke(cli(), ["validate", "--store", str(store)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("Violation: ")]
    assert len(lines) >= 4
    assert any("kgid:paper/arxiv-2107.11817 dcterms:issued" in line for line in lines)


def test_kg_validate_on_a_missing_store_is_a_kg_error(tmp_path: Path) -> None:
    result = runner.invoke(cli(), ["validate", "--store", str(tmp_path / "none")])
    assert isinstance(result.exception, KgError)
    assert "run `kg build` first" in str(result.exception)


def test_kg_stats_json_has_the_documented_shape(tmp_path: Path) -> None:
    store = build_store(tmp_path / "st", [mesa()])
    result = runner.invoke(cli(), ["stats", "--json", "--store", str(store)])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert list(stats) == ["papers", "concepts", "repositories", "organizations", "triples"]
    assert list(stats["concepts"]) == ["method", "dataset", "hardware", "metric", "task"]
    assert stats["papers"] == 1 and stats["concepts"]["hardware"] == 1


def test_kg_stats_prints_a_table_by_default(tmp_path: Path) -> None:
    store = build_store(tmp_path / "st", [mesa()])
    result = runner.invoke(cli(), ["stats", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "method concepts" in result.stdout and "triples" in result.stdout


def test_hardware_mentions_must_count_at_least_one_device() -> None:
    good = mesa()
    zero = [replace(m, count=0) if m.type == "hardware" else m for m in good.mentions]
    report = validate_graph(graph_of(replace(good, mentions=tuple(zero))))
    assert any(v.path == "kg:hardwareCount" for v in report.violations)


def test_a_mention_outside_title_and_abstract_is_reported() -> None:
    good = mesa()
    odd: Mention = replace(good.mentions[0], field="body")
    report = validate_graph(graph_of(replace(good, mentions=(odd,))))
    assert [v.path for v in report.violations] == ["kg:field"]


def test_each_closed_shape_allows_exactly_the_paths_of_its_property_shapes() -> None:
    shapes = rdflib.Graph().parse(ONTOLOGY_DIR / "shapes.ttl")
    closed = list(shapes.subjects(SH.closed, rdflib.Literal(True)))
    assert len(closed) == 10  # Paper, Listing, Author, Organization, Repository, Link, Concept, Mention, Result,
    # Community
    for node_shape in closed:
        target = shapes.value(node_shape, SH.targetClass)
        ignored = shapes.value(node_shape, SH.ignoredProperties)
        assert ignored is not None, node_shape
        allowed = set(Collection(shapes, ignored))
        paths = {
            shapes.value(shape, SH.path)
            for shape in shapes.subjects(SH.targetClass, target)
            if (shape, RDF.type, SH.PropertyShape) in shapes
        }
        assert allowed == {p for p in paths if isinstance(p, rdflib.URIRef)} | {RDF.type}, node_shape


def test_case_variants_of_organization_and_repository_names_still_conform(tmp_path: Path) -> None:
    """Found on the real corpus: "OPPO"/"Oppo" and "NVIDIA/cosmos"/"nvidia/cosmos" mint one IRI each."""
    first = replace(mesa().paper, organization="OPPO", repositories=("https://github.com/NVIDIA/cosmos",))
    other = next(many(1))
    second = replace(other.paper, organization="Oppo", repositories=("https://github.com/nvidia/cosmos",))
    extractions = [replace(mesa(), paper=first), replace(other, paper=second)]
    with GraphStore.open(build_store(tmp_path / "st", extractions)) as store:
        report = validate_store(store)
        labels = {str(o) for o in store.rdflib_graph().objects(terms.organization_iri("OPPO"), rdflib.SKOS.altLabel)}
    assert report.violations == ()
    assert labels == {"Oppo"}


def _every_kind_of_fault() -> rdflib.Graph:
    """A graph breaking one constraint of every component the shapes use (and a few twice)."""
    graph = graph_of(broken(), *many(3))  # empty title, invalid date, start after end, confidence 1.5
    paper = terms.paper_iri(mesa().paper.key)
    kg = terms.KG
    graph.add((paper, DCTERMS.title, rdflib.Literal("A second title")))  # maxCount
    graph.add((paper, kg.upvotes, rdflib.Literal(-3)))  # minInclusive
    graph.add((paper, kg.upvotes, rdflib.Literal("many")))  # datatype, maxCount, incomparable
    graph.add((paper, kg.keyword, rdflib.Literal("")))  # minLength
    graph.add((paper, kg.arxivId, rdflib.Literal("not an id")))  # pattern
    graph.add((paper, terms.SCHEMA.url, rdflib.Literal("https://example.org")))  # nodeKind
    graph.add((paper, kg.usesMethod, terms.concept_iri("dataset", "ImageNet")))  # class
    graph.add((paper, kg.denote, paper))  # closed
    mention = next(graph.subjects(kg.denotes, terms.concept_iri("dataset", "ImageNet")))
    graph.remove((mention, kg.denotes, None))  # minCount
    graph.remove((None, kg.hasMention, mention))  # inverse-path minCount
    concept = terms.concept_iri("method", "Transformer")
    graph.add((concept, RDF.type, kg.Dataset))  # sh:in passes, maxCount on rdf:type fails
    graph.add((concept, RDF.type, kg.Paper))  # sh:in fails
    listing = next(graph.objects(paper, kg.listedIn))
    graph.remove((None, kg.listedIn, listing))  # a listing no paper names
    return graph


def _comparable(violations: Iterable[Violation], shaped: set[str]) -> list[tuple[str, str, str, str, str]]:
    """Violations without the wording of messages a shape does not give (each engine words those itself)."""
    return sorted(
        (v.focus, v.path, v.message if v.message in shaped else "", str(v.value), v.severity) for v in violations
    )


def test_the_sparql_engine_reports_exactly_the_violations_pyshacl_reports() -> None:
    graph = _every_kind_of_fault()
    store = ox.Store()
    store.extend(ox.Quad(*(ox.NamedNode(t) if isinstance(t, rdflib.URIRef) else _literal(t) for t in triple))
                 for triple in graph)  # fmt: skip
    reference = validate_graph(graph)
    sparql = validate_oxigraph(store)
    shapes = rdflib.Graph().parse(ONTOLOGY_DIR / "shapes.ttl")
    shaped = {str(m) for m in shapes.objects(None, SH.message)}
    assert len(reference.violations) >= 20
    assert _comparable(sparql.violations, shaped) == _comparable(reference.violations, shaped)
    components = {v.message for v in sparql.violations}
    assert len(components) >= 15  # many different constraints broken, not one broken many times


def _literal(term: rdflib.term.Node) -> ox.Literal:
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    datatype = term.datatype or rdflib.XSD.string
    return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))


def test_both_engines_find_a_valid_store_valid(tmp_path: Path) -> None:
    with GraphStore.open(build_store(tmp_path / "st", [mesa(), *many(5)])) as store:
        assert validate_store(store, "sparql") == validate_store(store, "pyshacl")
        assert validate_store(store).conforms


def test_a_shape_the_sparql_engine_cannot_compile_is_refused_not_skipped(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix kg: <https://w3id.org/kg-ml/ontology#> .\n"
        "kg:S a sh:PropertyShape ; sh:targetClass kg:Paper ; sh:path kg:x ; sh:uniqueLang true .\n"
    )
    with pytest.raises(KgError, match="uniqueLang"):
        validate_oxigraph(ox.Store(), shapes=shapes)
