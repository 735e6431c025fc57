"""Records -> RDF: the graph shape of kg.terms, typed literals, determinism, and agreement with the ontology."""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
import pytest
import rdflib
from fixtures.store.samples import mesa
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from kg import terms
from kg.errors import KgError
from kg.paths import ONTOLOGY_DIR
from kg.rdf import extraction_triples, iri, paper_quads
from kg.records import Mention
from kg.terms import KG, MLS, SCHEMA


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_DIR / "kg.ttl")


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    result = rdflib.Graph()
    for triple in extraction_triples(mesa()):
        result.add(triple)
    return result


PAPER = terms.paper_iri("arxiv:2107.11817")


def test_paper_metadata_follows_the_graph_shape(graph: rdflib.Graph) -> None:
    assert (PAPER, RDF.type, KG.Paper) in graph
    assert graph.value(PAPER, DCTERMS.title) == rdflib.Literal(mesa().paper.title)
    assert graph.value(PAPER, DCTERMS.issued) == rdflib.Literal("2024-03-14", datatype=rdflib.XSD.date)
    assert graph.value(PAPER, KG.upvotes) == rdflib.Literal(12)
    assert graph.value(PAPER, KG.arxivId) == rdflib.Literal("2107.11817")
    assert graph.value(PAPER, SCHEMA.url) == rdflib.URIRef("https://huggingface.co/papers/2107.11817")
    repo = terms.repository_iri("https://github.com/ziplab/Mesa")
    assert (PAPER, KG.hasRepository, repo) in graph
    assert graph.value(repo, SCHEMA.url) == rdflib.URIRef("https://github.com/ziplab/Mesa")
    assert graph.value(repo, SKOS.prefLabel) == rdflib.Literal("ziplab/Mesa")
    assert len(set(graph.objects(PAPER, DCTERMS.creator))) == 3
    listing = graph.value(PAPER, KG.listedIn)
    assert graph.value(listing, KG.sourceLine) == rdflib.Literal(9)


def test_each_link_is_a_shared_node_with_its_address_and_kind() -> None:
    links = ("https://github.com/ziplab/Mesa", "mesa.github.io/page", "HTTPS://huggingface.co/datasets/z/m")
    graph = rdflib.Graph()
    for triple in extraction_triples(replace(mesa(), paper=replace(mesa().paper, links=links))):
        graph.add(triple)
    found = {
        (str(graph.value(link, SCHEMA.url)), str(graph.value(link, KG.linkKind)))
        for link in graph.objects(PAPER, KG.hasLink)
    }
    assert found == {
        ("https://github.com/ziplab/Mesa", "code"),
        ("https://mesa.github.io/page", "project-page"),  # written without a scheme: https added in the graph
        ("https://huggingface.co/datasets/z/m", "dataset"),
    }
    page = terms.link_iri("https://mesa.github.io/page")
    assert (PAPER, KG.hasLink, page) in graph
    assert (page, RDF.type, KG.Link) in graph


def test_proposed_mentions_become_proposes_edges_and_others_use_the_type_property(graph: rdflib.Graph) -> None:
    assert (PAPER, KG.proposes, terms.concept_iri("method", "Mesa")) in graph
    assert (PAPER, KG.usesMethod, terms.concept_iri("method", "Mesa")) not in graph
    assert (PAPER, KG.usesMethod, terms.concept_iri("method", "Transformer")) in graph
    assert (PAPER, KG.evaluatesOn, terms.concept_iri("dataset", "ImageNet")) in graph
    assert (PAPER, KG.runsOn, terms.concept_iri("hardware", "NVIDIA A100")) in graph
    assert (PAPER, KG.reportsMetric, terms.concept_iri("metric", "top-1 accuracy")) in graph
    assert (PAPER, KG.addressesTask, terms.concept_iri("task", "model training")) in graph


def test_mentions_carry_typed_evidence(graph: rdflib.Graph) -> None:
    hardware = terms.concept_iri("hardware", "NVIDIA A100")
    mention = graph.value(predicate=KG.denotes, object=hardware)
    assert (PAPER, KG.hasMention, mention) in graph
    assert graph.value(mention, PROV.wasDerivedFrom) == PAPER
    assert graph.value(mention, KG.confidence) == rdflib.Literal(0.9, datatype=rdflib.XSD.double)
    assert graph.value(mention, KG.proposed) == rdflib.Literal(False)
    assert graph.value(mention, KG.hardwareCount) == rdflib.Literal(8)
    assert graph.value(mention, KG.vendor) == rdflib.Literal("NVIDIA")
    start, end = graph.value(mention, KG.startOffset), graph.value(mention, KG.endOffset)
    assert isinstance(start, rdflib.Literal) and isinstance(end, rdflib.Literal)
    assert mesa().paper.abstract[start.toPython() : end.toPython()] == "A100 GPUs"


def test_concepts_have_one_preferred_label_and_their_aliases(graph: rdflib.Graph) -> None:
    transformer = terms.concept_iri("method", "Transformer")
    assert (transformer, RDF.type, KG.Method) in graph
    assert list(graph.objects(transformer, SKOS.prefLabel)) == [rdflib.Literal("Transformer")]
    assert set(graph.objects(transformer, SKOS.altLabel)) == {rdflib.Literal("Transformers")}
    cifar = terms.concept_iri("dataset", "CIFAR-100")
    assert set(graph.objects(cifar, SKOS.altLabel)) == {rdflib.Literal("CIFAR100")}


def test_results_link_metric_and_dataset_concepts(graph: rdflib.Graph) -> None:
    result = graph.value(PAPER, KG.hasResult)
    assert graph.value(result, KG.resultMetric) == terms.concept_iri("metric", "top-1 accuracy")
    assert graph.value(result, KG.resultDataset) == terms.concept_iri("dataset", "ImageNet")
    assert graph.value(result, KG.resultValue) == rdflib.Literal("76.5")
    assert graph.value(result, KG.resultUnit) == rdflib.Literal("%")


def test_mapping_is_deterministic_and_uses_no_blank_nodes() -> None:
    first, second = set(paper_quads(mesa())), set(paper_quads(mesa()))
    assert first == second
    terms_used = [t for q in first for t in (q.subject, q.object)]
    assert not any(isinstance(t, ox.BlankNode) for t in terms_used)
    assert all(q.graph_name == ox.DefaultGraph() for q in first)


def test_rdflib_triples_are_the_same_graph_as_the_quads(graph: rdflib.Graph) -> None:
    assert len(graph) == len(set(paper_quads(mesa())))


def test_literals_round_trip_through_oxigraph_unchanged() -> None:
    """What the mapping writes is what Oxigraph gives back, so re-adding finds every quad already present."""
    quads = set(paper_quads(mesa()))
    store = ox.Store()
    store.extend(quads)
    assert set(store) == quads


def test_a_url_that_is_not_a_valid_iri_is_percent_encoded() -> None:
    assert iri('https://example.org/a page?q="x"').value == "https://example.org/a%20page?q=%22x%22"
    paper = replace(mesa().paper, project_page="https://example.org/my project")
    quads = set(paper_quads(replace(mesa(), paper=paper)))
    assert any(q.object == ox.NamedNode("https://example.org/my%20project") for q in quads)


def test_an_unknown_concept_type_is_a_one_line_error_naming_the_listing() -> None:
    bad = Mention("gadget", "X", "title", 0, 1, "X", "X.", 0.5, "rules/x")
    with pytest.raises(KgError, match=r"seeds/000_debbf009154df580\.txt:9: unknown concept type.*gadget"):
        list(paper_quads(replace(mesa(), mentions=(bad,))))


def test_every_class_and_predicate_the_mapping_uses_is_declared_in_the_ontology(
    graph: rdflib.Graph, ontology: rdflib.Graph
) -> None:
    for cls in set(graph.objects(None, RDF.type)):
        assert (cls, RDF.type, OWL.Class) in ontology, cls
    for predicate in set(graph.predicates()) - {RDF.type}:
        assert ontology.value(predicate, RDFS.label) is not None, predicate
        assert ontology.value(predicate, RDFS.comment) is not None, predicate


def test_properties_minted_by_kg_have_domain_and_range(ontology: rdflib.Graph) -> None:
    props = {
        s
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(str(KG))
    }
    assert len(props) >= 35
    for prop in props:
        for attribute in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range):
            assert ontology.value(prop, attribute) is not None, (prop, attribute)


def test_ontology_aligns_with_established_vocabularies(ontology: rdflib.Graph) -> None:
    expected = [
        (KG.Paper, SCHEMA.ScholarlyArticle),
        (KG.Repository, SCHEMA.SoftwareSourceCode),
        (KG.Organization, SCHEMA.Organization),
        (KG.Author, SCHEMA.Person),
        (KG.Concept, SKOS.Concept),
        (KG.Mention, PROV.Entity),
        (KG.Listing, PROV.Entity),
        (KG.Method, MLS.Algorithm),
        (KG.Dataset, MLS.Dataset),
        (KG.Metric, MLS.EvaluationMeasure),
    ]
    for cls, parent in expected:
        assert (cls, RDFS.subClassOf, parent) in ontology, (cls, parent)
    for kind in terms.CONCEPT_CLASS.values():
        assert (kind, RDFS.subClassOf, KG.Concept) in ontology
    assert (KG.usesMethod, RDFS.subPropertyOf, DCTERMS.subject) in ontology


def test_awkward_text_survives_the_round_trip_through_n_triples() -> None:
    title = 'A "quoted" \\ back\\slash,\ttab,\nnewline, \x01 control, \u2028 separator and 😀'
    quads = list(paper_quads(replace(mesa(), paper=replace(mesa().paper, title=title))))
    titles = [q.object.value for q in quads if q.predicate == ox.NamedNode(str(DCTERMS.title))]
    assert titles == [title]


def test_a_lone_surrogate_from_undecodable_input_becomes_a_replacement_character() -> None:
    paper = replace(mesa().paper, title="broken \udcff byte")
    quads = list(paper_quads(replace(mesa(), paper=paper)))
    titles = [q.object.value for q in quads if q.predicate == ox.NamedNode(str(DCTERMS.title))]
    assert titles == ["broken ? byte"]


def test_one_value_stated_with_two_units_makes_two_results_that_validate() -> None:
    """Paper 2507.07990 states "2times" and "2%" for one metric in one sentence: two results, one unit each."""
    from kg.records import Result
    from kg.validate import validate_graph

    base = mesa()
    sentence = base.results[0].sentence
    twice = (Result("speedup", "2", sentence, unit="times"), Result("speedup", "2", sentence, unit="%"))
    graph = rdflib.Graph()
    for triple in extraction_triples(replace(base, results=twice)):
        graph.add(triple)
    nodes = set(graph.subjects(RDF.type, KG.Result))
    assert len(nodes) == 2
    assert sorted(str(graph.value(node, KG.resultUnit)) for node in nodes) == ["%", "times"]
    assert validate_graph(graph).violations == ()


def test_a_result_without_a_unit_keeps_its_iri() -> None:
    key, sentence = "arxiv:2107.11817", "It reaches 76.5 BLEU."
    assert (
        terms.result_iri(key, "BLEU", "76.5", None, sentence, None)
        == terms.ID["result/" + terms.digest(key, "BLEU", "76.5", "", sentence, size=16)]
    )
