"""Records -> RDF: the one mapping from `Extraction` records to the graph shape documented in `kg.terms`.

The mapping writes N-Triples lines. That is the bulk path: Python only formats strings, and Oxigraph's Rust parser
loads them (`Store.bulk_load`), which measured about 6x faster than building a pyoxigraph `Quad` object per
triple. The other forms are derived from the same lines, never mapped a second time: `paper_quads` parses them
with Oxigraph's own parser (so they equal what a bulk load stores) and `extraction_triples` converts those quads
to rdflib terms.

Every node is an IRI minted by `kg.terms` (no blank nodes), and every literal is written in the canonical form
Oxigraph gives back, so mapping the same records twice gives the same triples and re-adding them finds them
already stored: that is what makes the store idempotent and its exports byte-identical. Literal types: plain
strings (xsd:string), xsd:integer for counts and offsets, xsd:double for confidence, xsd:boolean for flags and
xsd:date for dates. A date that is not ISO 8601 is still written, typed xsd:date, rather than dropped, so that
`kg validate` reports it instead of the data silently disappearing. IRIs that do not come from `kg.terms`' hashed
or slugged minting (URLs, arXiv-keyed papers, repositories) are checked, and percent-encoded where invalid, so one
odd URL cannot make a whole batch unparsable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring  # the C string escaper json.dumps uses, without its overhead
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import XSD, BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS
from rdflib.term import Node

from kg import terms
from kg.errors import KgError
from kg.ingest.link_kinds import link_kind
from kg.ingest.links import absolute_url
from kg.records import Concept, Extraction, Mention, Paper, Result
from kg.terms import KG, SCHEMA

RdfTriple = tuple[URIRef | BNode, URIRef, Node]


def _term(iri: URIRef | str) -> str:
    """An IRI known to be valid (an ontology term, or minted from a slug or a hash), as an N-Triples term."""
    return f"<{iri}>"


TYPE = _term(RDF.type)
PROPOSES = _term(KG.proposes)
HAS_MENTION = _term(KG.hasMention)
HAS_RESULT = _term(KG.hasResult)
LISTED_IN = _term(KG.listedIn)
PREF_LABEL = _term(SKOS.prefLabel)
ALT_LABEL = _term(SKOS.altLabel)
CONCEPT_CLASS: dict[str, str] = {kind: _term(cls) for kind, cls in terms.CONCEPT_CLASS.items()}
USES_PROPERTY: dict[str, str] = {kind: _term(prop) for kind, prop in terms.USES_PROPERTY.items()}

_PAPER = _term(KG.Paper)
_LISTING = _term(KG.Listing)
_AUTHOR = _term(KG.Author)
_ORGANIZATION = _term(KG.Organization)
_REPOSITORY = _term(KG.Repository)
_MENTION = _term(KG.Mention)
_RESULT = _term(KG.Result)
_LINK = _term(KG.Link)

_IDENTIFIER = _term(DCTERMS.identifier)
_TITLE = _term(DCTERMS.title)
_ABSTRACT = _term(DCTERMS.abstract)
_ISSUED = _term(DCTERMS.issued)
_CREATOR = _term(DCTERMS.creator)
_ARXIV_ID = _term(KG.arxivId)
_UPVOTES = _term(KG.upvotes)
_GITHUB_STARS = _term(KG.githubStars)
_URL = _term(SCHEMA.url)
_PROJECT_PAGE = _term(KG.projectPage)
_HAS_LINK = _term(KG.hasLink)
_LINK_KIND = _term(KG.linkKind)
_KEYWORD = _term(KG.keyword)
_CATEGORY = _term(KG.category)
_NAME = _term(FOAF.name)
_AFFILIATED_WITH = _term(KG.affiliatedWith)
_HAS_REPOSITORY = _term(KG.hasRepository)
_SOURCE_FILE = _term(KG.sourceFile)
_SOURCE_LINE = _term(KG.sourceLine)
_SOURCE_FORMAT = _term(KG.sourceFormat)
_DENOTES = _term(KG.denotes)
_SURFACE_TEXT = _term(KG.surfaceText)
_FIELD = _term(KG.field)
_START_OFFSET = _term(KG.startOffset)
_END_OFFSET = _term(KG.endOffset)
_SENTENCE = _term(KG.sentence)
_CONFIDENCE = _term(KG.confidence)
_EXTRACTOR = _term(KG.extractor)
_PROPOSED = _term(KG.proposed)
_HARDWARE_COUNT = _term(KG.hardwareCount)
_VENDOR = _term(KG.vendor)
_WAS_DERIVED_FROM = _term(PROV.wasDerivedFrom)
_RESULT_METRIC = _term(KG.resultMetric)
_RESULT_VALUE = _term(KG.resultValue)
_RESULT_UNIT = _term(KG.resultUnit)
_RESULT_DATASET = _term(KG.resultDataset)

_XSD_INTEGER = _term(XSD.integer)
_XSD_DOUBLE = _term(XSD.double)
_XSD_BOOLEAN = _term(XSD.boolean)
_XSD_DATE = _term(XSD.date)
_XSD_STRING = str(XSD.string)

# Characters kept as they are when a URL has to be percent-encoded to become a valid IRI.
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


# ----------------------------------------------------------------------------------------------- terms


def iri(url: str) -> ox.NamedNode:
    """`url` as an IRI node; characters an IRI may not contain (spaces, quotes, ...) are percent-encoded."""
    try:
        return ox.NamedNode(url)
    except ValueError:
        return ox.NamedNode(quote(url, safe=_IRI_SAFE))


def _checked(url: str) -> str:
    """An IRI from outside kg.terms' safe minting, validated (and percent-encoded if need be), as a term."""
    return f"<{iri(url).value}>"


def _string(value: str) -> str:
    """A plain literal: JSON string escaping (", \\, control characters) is valid N-Triples escaping."""
    return encode_basestring(value)


def _integer(value: int) -> str:
    return f'"{int(value)}"^^{_XSD_INTEGER}'


def _double(value: float) -> str:
    """xsd:double in Oxigraph's canonical lexical form (0.0000001, not Python's 1e-07)."""
    return f'"{ox.Literal(float(value)).value}"^^{_XSD_DOUBLE}'


def _boolean(value: bool) -> str:
    return f'"{"true" if value else "false"}"^^{_XSD_BOOLEAN}'


def _date(value: str) -> str:
    return f"{_string(value)}^^{_XSD_DATE}"


def _where(paper: Paper) -> str:
    """Where a paper was read, for error messages: its first listing's file and line, else its id."""
    if paper.provenance:
        source = paper.provenance[0]
        return f"{source.file}:{source.line}"
    return f"paper {paper.id}"


# ----------------------------------------------------------------------------------------------- mapping


class _Lines:
    """Collects one extraction's N-Triples lines; `aliases` are the variants of each (type, label) concept."""

    def __init__(self, aliases: dict[tuple[str, str], tuple[str, ...]]) -> None:
        self.lines: list[str] = []
        self.aliases = aliases

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"{subject} {predicate} {obj} .")

    def text(self, subject: str, predicate: str, value: str | None) -> None:
        """A plain string literal, omitted when the value is missing or empty."""
        if value:
            self.lines.append(f"{subject} {predicate} {_string(value)} .")

    def integer(self, subject: str, predicate: str, value: int | None) -> None:
        if value is not None:
            self.lines.append(f"{subject} {predicate} {_integer(value)} .")

    def concept(self, kind: str, label: str) -> str:
        """A concept node: its class, its preferred label and its other variants as alternative labels."""
        node = _term(terms.concept_iri(kind, label))
        self.add(node, TYPE, CONCEPT_CLASS[kind])
        self.add(node, PREF_LABEL, _string(label))
        for alias in self.aliases.get((kind, label), ()):
            if alias and alias != label:
                self.add(node, ALT_LABEL, _string(alias))
        return node


def _paper_lines(out: _Lines, paper: Paper, node: str) -> None:
    """The paper node and everything read from its listings: metadata, authors, organisation, repos, provenance."""
    out.add(node, TYPE, _PAPER)
    out.text(node, _IDENTIFIER, paper.id)
    out.text(node, _TITLE, paper.title)
    out.text(node, _ABSTRACT, paper.abstract)
    out.text(node, _ARXIV_ID, paper.arxiv_id)
    if paper.date:
        out.add(node, _ISSUED, _date(paper.date))
    out.integer(node, _UPVOTES, paper.upvotes)
    out.integer(node, _GITHUB_STARS, paper.github_stars)
    if paper.url:
        out.add(node, _URL, _checked(paper.url))
    if paper.project_page:
        out.add(node, _PROJECT_PAGE, _checked(paper.project_page))
    for url in paper.links:
        _link_lines(out, node, url)
    for keyword in paper.keywords:
        out.text(node, _KEYWORD, keyword)
    for category in paper.categories:
        out.text(node, _CATEGORY, category)
    for name in paper.authors:
        if name:
            author = _term(terms.author_iri(name))
            out.add(node, _CREATOR, author)
            out.add(author, TYPE, _AUTHOR)
            out.add(author, _NAME, _string(name))
    if paper.organization:
        org = _term(terms.organization_iri(paper.organization))
        out.add(node, _AFFILIATED_WITH, org)
        out.add(org, TYPE, _ORGANIZATION)
        out.add(org, PREF_LABEL, _string(paper.organization))
    for url in paper.repositories:
        repo = _checked(str(terms.repository_iri(url)))
        out.add(node, _HAS_REPOSITORY, repo)
        out.add(repo, TYPE, _REPOSITORY)
        out.add(repo, _URL, _checked(url))
        out.add(repo, PREF_LABEL, _string(url.split("github.com/", 1)[-1].strip("/")))
    for source in paper.provenance:
        listing = _term(terms.listing_iri(source.file, source.line))
        out.add(node, LISTED_IN, listing)
        out.add(listing, TYPE, _LISTING)
        out.add(listing, _SOURCE_FILE, _string(source.file))
        out.add(listing, _SOURCE_LINE, _integer(source.line))
        out.add(listing, _SOURCE_FORMAT, _string(source.format))


def _link_lines(out: _Lines, paper: str, url: str) -> None:
    """A URL the paper gives: a node shared by every paper giving the same address, with its kind. A URL written
    without a scheme gets https://, as a browser would."""
    address = absolute_url(url)
    link = _term(terms.link_iri(address))
    out.add(paper, _HAS_LINK, link)
    out.add(link, TYPE, _LINK)
    out.add(link, _URL, _checked(address))
    out.add(link, _LINK_KIND, _string(link_kind(url)))


def _mention_lines(out: _Lines, paper_key: str, paper: str, mention: Mention) -> None:
    """The mention (evidence), the concept it denotes, and the paper -> concept edge it supports."""
    node = _term(terms.mention_iri(paper_key, mention.field, mention.start, mention.end, mention.type))
    concept = out.concept(mention.type, mention.concept)
    out.add(paper, PROPOSES if mention.proposed else USES_PROPERTY[mention.type], concept)
    out.add(paper, HAS_MENTION, node)
    out.add(node, TYPE, _MENTION)
    out.add(node, _DENOTES, concept)
    out.add(node, _SURFACE_TEXT, _string(mention.text))
    out.add(node, _FIELD, _string(mention.field))
    out.add(node, _START_OFFSET, _integer(mention.start))
    out.add(node, _END_OFFSET, _integer(mention.end))
    out.text(node, _SENTENCE, mention.sentence)
    out.add(node, _CONFIDENCE, _double(mention.confidence))
    out.add(node, _EXTRACTOR, _string(mention.source))
    out.add(node, _PROPOSED, _boolean(mention.proposed))
    out.integer(node, _HARDWARE_COUNT, mention.count)
    out.text(node, _VENDOR, mention.vendor)
    out.add(node, _WAS_DERIVED_FROM, paper)


def _result_lines(out: _Lines, paper_key: str, paper: str, result: Result) -> None:
    """A stated result, linked to its metric (and dataset) concepts, which are created if no mention named them."""
    node = _term(terms.result_iri(paper_key, result.metric, result.value, result.dataset, result.sentence, result.unit))
    out.add(paper, HAS_RESULT, node)
    out.add(node, TYPE, _RESULT)
    out.add(node, _RESULT_METRIC, out.concept("metric", result.metric))
    out.add(node, _RESULT_VALUE, _string(result.value))
    out.text(node, _RESULT_UNIT, result.unit)
    if result.dataset:
        out.add(node, _RESULT_DATASET, out.concept("dataset", result.dataset))
    out.text(node, _SENTENCE, result.sentence)


def _check_types(extraction: Extraction) -> None:
    """Refuse a concept type the graph has no class for, naming the paper, instead of failing with a KeyError."""
    kinds = {m.type for m in extraction.mentions} | {c.type for c in extraction.concepts}
    unknown = sorted(kinds - CONCEPT_CLASS.keys())
    if unknown:
        raise KgError(f"{_where(extraction.paper)}: unknown concept type(s) {', '.join(map(repr, unknown))}")


def _aliases(concepts: Iterable[Concept]) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(c.type, c.label): c.aliases for c in concepts}


def paper_node(extraction: Extraction) -> ox.NamedNode:
    """The IRI node of the extraction's paper (the subject of its first N-Triples line)."""
    return iri(str(terms.paper_iri(extraction.paper.key)))


def paper_ntriples(extraction: Extraction) -> list[str]:
    """Every triple of one extraction as an N-Triples line (no newline); the first is `paper a kg:Paper`.

    Concepts enter the graph through the mentions and results that name them, with the aliases the extraction's
    `Concept` records give; a `Concept` record nothing names adds nothing (no evidence, and no edge to keep it).
    A triple may repeat (a concept named twice); loading is set-like, so that is harmless.
    """
    _check_types(extraction)
    paper = extraction.paper
    node = f"<{paper_node(extraction).value}>"
    out = _Lines(_aliases(extraction.concepts))
    _paper_lines(out, paper, node)
    for mention in extraction.mentions:
        _mention_lines(out, paper.key, node, mention)
    for result in extraction.results:
        _result_lines(out, paper.key, node, result)
    return out.lines


def ntriples_bytes(lines: Iterable[str]) -> bytes:
    """N-Triples document bytes; a lone surrogate (undecodable input that slipped through) becomes "?"."""
    return "".join(f"{line}\n" for line in lines).encode("utf-8", errors="replace")


def paper_quads(extraction: Extraction) -> Iterator[ox.Quad]:
    """The extraction's triples as pyoxigraph quads in the default graph, parsed from `paper_ntriples`."""
    yield from ox.parse(ntriples_bytes(paper_ntriples(extraction)), format=ox.RdfFormat.N_TRIPLES)


def extractions_quads(extractions: Iterable[Extraction]) -> Iterator[ox.Quad]:
    """All quads of many extractions, streamed."""
    for extraction in extractions:
        yield from paper_quads(extraction)


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
    return RdfLiteral(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))


def extraction_triples(extraction: Extraction) -> Iterator[RdfTriple]:
    """The same triples as `paper_quads`, as rdflib terms, for code that works with an rdflib Graph."""
    for quad in paper_quads(extraction):
        subject = to_rdflib(quad.subject)
        assert not isinstance(subject, RdfLiteral)
        yield subject, URIRef(quad.predicate.value), to_rdflib(quad.object)
