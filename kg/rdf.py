"""Records -> RDF: the one mapping from `Extraction` records to the graph shape documented in `kg.terms`.

Quads are produced as pyoxigraph terms because the store bulk-loads them without conversion; the rdflib view
(`extraction_triples`) is derived from the same quads, so there is exactly one mapping. Every node is an IRI
minted by `kg.terms` (no blank nodes), and every literal is built from its Python value, so the lexical forms
are the ones Oxigraph writes back: mapping the same records twice gives the same quads, which is what makes the
store idempotent and its exports byte-identical.

Literal types: xsd:string for text (plain literals), xsd:integer for counts and offsets, xsd:double for
confidence, xsd:boolean for flags, xsd:date for dates. A date that is not ISO 8601 is still written (typed
xsd:date) rather than dropped, so `kg validate` reports it instead of the data silently disappearing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import XSD, BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS
from rdflib.term import Node

from kg import terms
from kg.errors import KgError
from kg.records import Concept, Extraction, Mention, Paper, Result
from kg.terms import KG, SCHEMA

RdfTriple = tuple[URIRef | BNode, URIRef, Node]


def _node(iri: URIRef | str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


TYPE = _node(RDF.type)
XSD_DATE = _node(XSD.date)
CONCEPT_CLASS: dict[str, ox.NamedNode] = {kind: _node(cls) for kind, cls in terms.CONCEPT_CLASS.items()}
USES_PROPERTY: dict[str, ox.NamedNode] = {kind: _node(prop) for kind, prop in terms.USES_PROPERTY.items()}
PROPOSES = _node(KG.proposes)
HAS_MENTION = _node(KG.hasMention)
HAS_RESULT = _node(KG.hasResult)
LISTED_IN = _node(KG.listedIn)
PREF_LABEL = _node(SKOS.prefLabel)
ALT_LABEL = _node(SKOS.altLabel)

IDENTIFIER = _node(DCTERMS.identifier)
TITLE = _node(DCTERMS.title)
ABSTRACT = _node(DCTERMS.abstract)
ARXIV_ID = _node(KG.arxivId)
ISSUED = _node(DCTERMS.issued)
UPVOTES = _node(KG.upvotes)
GITHUB_STARS = _node(KG.githubStars)
URL = _node(SCHEMA.url)
PROJECT_PAGE = _node(KG.projectPage)
LINK = _node(KG.link)
KEYWORD = _node(KG.keyword)
CATEGORY = _node(KG.category)
CREATOR = _node(DCTERMS.creator)
NAME = _node(FOAF.name)
AFFILIATED_WITH = _node(KG.affiliatedWith)
HAS_REPOSITORY = _node(KG.hasRepository)
SOURCE_FILE = _node(KG.sourceFile)
SOURCE_LINE = _node(KG.sourceLine)
SOURCE_FORMAT = _node(KG.sourceFormat)
DENOTES = _node(KG.denotes)
SURFACE_TEXT = _node(KG.surfaceText)
FIELD = _node(KG.field)
START_OFFSET = _node(KG.startOffset)
END_OFFSET = _node(KG.endOffset)
SENTENCE = _node(KG.sentence)
CONFIDENCE = _node(KG.confidence)
EXTRACTOR = _node(KG.extractor)
PROPOSED = _node(KG.proposed)
HARDWARE_COUNT = _node(KG.hardwareCount)
VENDOR = _node(KG.vendor)
WAS_DERIVED_FROM = _node(PROV.wasDerivedFrom)
RESULT_METRIC = _node(KG.resultMetric)
RESULT_VALUE = _node(KG.resultValue)
RESULT_UNIT = _node(KG.resultUnit)
RESULT_DATASET = _node(KG.resultDataset)

PAPER_CLASS = _node(KG.Paper)
_LISTING = _node(KG.Listing)
_AUTHOR = _node(KG.Author)
_ORGANIZATION = _node(KG.Organization)
_REPOSITORY = _node(KG.Repository)
_MENTION = _node(KG.Mention)
_RESULT = _node(KG.Result)

# Characters kept as they are when a URL has to be percent-encoded to become a valid IRI.
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def iri(url: str) -> ox.NamedNode:
    """`url` as an IRI node; characters an IRI may not contain (spaces, quotes, ...) are percent-encoded."""
    try:
        return ox.NamedNode(url)
    except ValueError:
        return ox.NamedNode(quote(url, safe=_IRI_SAFE))


_DEFAULT_GRAPH = ox.DefaultGraph()


def _quad(subject: ox.NamedNode, predicate: ox.NamedNode, obj: ox.NamedNode | ox.Literal) -> ox.Quad:
    return ox.Quad(subject, predicate, obj, _DEFAULT_GRAPH)


def _text(subject: ox.NamedNode, predicate: ox.NamedNode, value: str | None) -> Iterator[ox.Quad]:
    """A plain string literal, omitted when the value is missing or empty."""
    if value:
        yield _quad(subject, predicate, ox.Literal(value))


def _integer(subject: ox.NamedNode, predicate: ox.NamedNode, value: int | None) -> Iterator[ox.Quad]:
    if value is not None:
        yield _quad(subject, predicate, ox.Literal(int(value)))


def _where(paper: Paper) -> str:
    """Where a paper was read, for error messages: its first listing's file and line, else its id."""
    if paper.provenance:
        source = paper.provenance[0]
        return f"{source.file}:{source.line}"
    return f"paper {paper.id}"


def concept_quads(kind: str, label: str, aliases: Iterable[str] = ()) -> Iterator[ox.Quad]:
    """A concept node: its class, its one preferred label, and every other variant as an alternative label."""
    node = _node(terms.concept_iri(kind, label))
    yield _quad(node, TYPE, CONCEPT_CLASS[kind])
    yield _quad(node, PREF_LABEL, ox.Literal(label))
    for alias in aliases:
        if alias and alias != label:
            yield _quad(node, ALT_LABEL, ox.Literal(alias))


def _paper_metadata_quads(paper: Paper, node: ox.NamedNode) -> Iterator[ox.Quad]:
    """The paper node and everything read from its listings: metadata, authors, organisation, repos, provenance."""
    yield _quad(node, TYPE, PAPER_CLASS)
    yield from _text(node, IDENTIFIER, paper.id)
    yield from _text(node, TITLE, paper.title)
    yield from _text(node, ABSTRACT, paper.abstract)
    yield from _text(node, ARXIV_ID, paper.arxiv_id)
    if paper.date:
        yield _quad(node, ISSUED, ox.Literal(paper.date, datatype=XSD_DATE))
    yield from _integer(node, UPVOTES, paper.upvotes)
    yield from _integer(node, GITHUB_STARS, paper.github_stars)
    if paper.url:
        yield _quad(node, URL, iri(paper.url))
    if paper.project_page:
        yield _quad(node, PROJECT_PAGE, iri(paper.project_page))
    for link in paper.links:
        yield _quad(node, LINK, iri(link))
    for keyword in paper.keywords:
        yield from _text(node, KEYWORD, keyword)
    for category in paper.categories:
        yield from _text(node, CATEGORY, category)
    for name in paper.authors:
        if name:
            author = _node(terms.author_iri(name))
            yield _quad(node, CREATOR, author)
            yield _quad(author, TYPE, _AUTHOR)
            yield _quad(author, NAME, ox.Literal(name))
    if paper.organization:
        org = _node(terms.organization_iri(paper.organization))
        yield _quad(node, AFFILIATED_WITH, org)
        yield _quad(org, TYPE, _ORGANIZATION)
        yield _quad(org, PREF_LABEL, ox.Literal(paper.organization))
    for url in paper.repositories:
        repo = _node(terms.repository_iri(url))
        yield _quad(node, HAS_REPOSITORY, repo)
        yield _quad(repo, TYPE, _REPOSITORY)
        yield _quad(repo, URL, iri(url))
        yield _quad(repo, PREF_LABEL, ox.Literal(url.split("github.com/", 1)[-1].strip("/")))
    for source in paper.provenance:
        listing = _node(terms.listing_iri(source.file, source.line))
        yield _quad(node, LISTED_IN, listing)
        yield _quad(listing, TYPE, _LISTING)
        yield _quad(listing, SOURCE_FILE, ox.Literal(source.file))
        yield _quad(listing, SOURCE_LINE, ox.Literal(int(source.line)))
        yield _quad(listing, SOURCE_FORMAT, ox.Literal(source.format))


def _mention_quads(
    paper_key: str, paper_node: ox.NamedNode, mention: Mention, aliases: Iterable[str]
) -> Iterator[ox.Quad]:
    """The mention (evidence), the concept it denotes, and the paper -> concept edge it supports."""
    node = _node(terms.mention_iri(paper_key, mention.field, mention.start, mention.end, mention.type))
    concept = _node(terms.concept_iri(mention.type, mention.concept))
    yield from concept_quads(mention.type, mention.concept, aliases)
    yield _quad(paper_node, PROPOSES if mention.proposed else USES_PROPERTY[mention.type], concept)
    yield _quad(paper_node, HAS_MENTION, node)
    yield _quad(node, TYPE, _MENTION)
    yield _quad(node, DENOTES, concept)
    yield _quad(node, SURFACE_TEXT, ox.Literal(mention.text))
    yield _quad(node, FIELD, ox.Literal(mention.field))
    yield _quad(node, START_OFFSET, ox.Literal(int(mention.start)))
    yield _quad(node, END_OFFSET, ox.Literal(int(mention.end)))
    yield from _text(node, SENTENCE, mention.sentence)
    yield _quad(node, CONFIDENCE, ox.Literal(float(mention.confidence)))
    yield _quad(node, EXTRACTOR, ox.Literal(mention.source))
    yield _quad(node, PROPOSED, ox.Literal(bool(mention.proposed)))
    yield from _integer(node, HARDWARE_COUNT, mention.count)
    yield from _text(node, VENDOR, mention.vendor)
    yield _quad(node, WAS_DERIVED_FROM, paper_node)


def _result_quads(paper_key: str, paper_node: ox.NamedNode, result: Result) -> Iterator[ox.Quad]:
    """A stated result, linked to its metric (and dataset) concepts, which are created if no mention named them."""
    node = _node(terms.result_iri(paper_key, result.metric, result.value, result.dataset, result.sentence))
    yield _quad(paper_node, HAS_RESULT, node)
    yield _quad(node, TYPE, _RESULT)
    yield from concept_quads("metric", result.metric)
    yield _quad(node, RESULT_METRIC, _node(terms.concept_iri("metric", result.metric)))
    yield _quad(node, RESULT_VALUE, ox.Literal(result.value))
    yield from _text(node, RESULT_UNIT, result.unit)
    if result.dataset:
        yield from concept_quads("dataset", result.dataset)
        yield _quad(node, RESULT_DATASET, _node(terms.concept_iri("dataset", result.dataset)))
    yield from _text(node, SENTENCE, result.sentence)


def _aliases(concepts: Iterable[Concept]) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(c.type, c.label): c.aliases for c in concepts}


def _check_types(extraction: Extraction) -> None:
    """Refuse a concept type the graph has no class for, naming the paper, instead of failing with a KeyError."""
    kinds = {m.type for m in extraction.mentions} | {c.type for c in extraction.concepts}
    unknown = sorted(kinds - CONCEPT_CLASS.keys())
    if unknown:
        raise KgError(f"{_where(extraction.paper)}: unknown concept type(s) {', '.join(map(repr, unknown))}")


def paper_quads(extraction: Extraction) -> Iterator[ox.Quad]:
    """Every quad for one extraction, in the default graph. May repeat a quad (a concept named twice)."""
    _check_types(extraction)
    paper = extraction.paper
    node = _node(terms.paper_iri(paper.key))
    aliases = _aliases(extraction.concepts)
    yield from _paper_metadata_quads(paper, node)
    for mention in extraction.mentions:
        yield from _mention_quads(paper.key, node, mention, aliases.get((mention.type, mention.concept), ()))
    for result in extraction.results:
        yield from _result_quads(paper.key, node, result)
    mentioned = {(m.type, m.concept) for m in extraction.mentions}
    for concept in extraction.concepts:
        if (concept.type, concept.label) not in mentioned:
            yield from concept_quads(concept.type, concept.label, concept.aliases)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> URIRef | BNode | RdfLiteral:
    """An rdflib term equal to the pyoxigraph one (xsd:string literals become plain literals, as rdflib parses them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Triple):
        raise TypeError("RDF-star triple terms are not part of the kg graph shape")
    if term.language:
        return RdfLiteral(term.value, lang=term.language)
    datatype = term.datatype.value
    return RdfLiteral(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


def extraction_triples(extraction: Extraction) -> Iterator[RdfTriple]:
    """The same triples as `paper_quads`, as rdflib terms, for code that works with an rdflib Graph."""
    for quad in paper_quads(extraction):
        subject = to_rdflib(quad.subject)
        assert not isinstance(subject, RdfLiteral)
        yield subject, URIRef(quad.predicate.value), to_rdflib(quad.object)


def extractions_quads(extractions: Iterable[Extraction]) -> Iterator[ox.Quad]:
    """All quads of many extractions, streamed (the input to a bulk load)."""
    for extraction in extractions:
        yield from paper_quads(extraction)
