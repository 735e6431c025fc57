"""SPARQL over HTTP: the result media types, content negotiation, and reading a server's answer.

One table serves both sides: `kg serve` picks the format a client's Accept header prefers for the kind of result
(SELECT/ASK solutions or CONSTRUCT/DESCRIBE triples) and renders it from a `QueryResult`; `kg query --endpoint`
asks a remote server for formats pyoxigraph parses and turns the answer back into a `QueryResult`, so local and
remote queries print the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import KgError
from kg.query import QueryResult, ResultKind, materialise

SOLUTIONS: tuple[ResultKind, ...] = ("bindings", "boolean")
GRAPH: tuple[ResultKind, ...] = ("graph",)


@dataclass(frozen=True)
class MediaType:
    """One result format: its media type, the result kinds it can carry, and how a QueryResult renders in it."""

    name: str
    kinds: tuple[ResultKind, ...]
    render: Callable[[QueryResult], str]


# In order of preference when a client accepts anything: the first of each kind is its default.
MEDIA_TYPES: tuple[MediaType, ...] = (
    MediaType("application/sparql-results+json", SOLUTIONS, QueryResult.to_json),
    MediaType("application/sparql-results+xml", SOLUTIONS, QueryResult.to_xml),
    MediaType("text/csv", SOLUTIONS, QueryResult.to_csv),
    MediaType("text/tab-separated-values", SOLUTIONS, QueryResult.to_tsv),
    MediaType("application/json", SOLUTIONS, QueryResult.to_json),
    MediaType("application/xml", SOLUTIONS, QueryResult.to_xml),
    MediaType("text/turtle", GRAPH, lambda result: result.to_rdf(ox.RdfFormat.TURTLE)),
    MediaType("application/n-triples", GRAPH, lambda result: result.to_rdf(ox.RdfFormat.N_TRIPLES)),
    MediaType("application/ld+json", GRAPH, lambda result: result.to_rdf(ox.RdfFormat.JSON_LD)),
    MediaType("application/rdf+xml", GRAPH, lambda result: result.to_rdf(ox.RdfFormat.RDF_XML)),
)
HTML = "text/html"


def _accepted(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, best first (stable for equal q-values)."""
    ranges: list[tuple[str, float, int]] = []
    for position, item in enumerate(accept.split(",")):
        name, *parameters = (part.strip() for part in item.split(";"))
        if not name:
            continue
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((name.lower(), quality, position))
    ranges.sort(key=lambda item: (-item[1], item[0].count("*"), item[2]))
    return [(name, quality) for name, quality, _ in ranges if quality > 0]


def negotiate(accept: str | None, kind: ResultKind, *, html: bool = False) -> str | None:
    """The media type to answer a result of `kind` in, for a client sending `accept`; None if it accepts none.

    No Accept header (or `*/*`) gets the kind's default: SPARQL JSON for solutions, Turtle for triples. `html`
    lets text/html win when named explicitly (a browser), for the pages that render a table."""
    offered = [media.name for media in MEDIA_TYPES if kind in media.kinds] + ([HTML] if html else [])
    for name, _ in _accepted(accept or "*/*"):
        if name in offered:
            return name
        family = name.split("/", 1)[0] + "/"
        for candidate in offered:
            if candidate != HTML and (name == "*/*" or (name.endswith("/*") and candidate.startswith(family))):
                return candidate
    return None


def offered(kind: ResultKind) -> str:
    """The media types a result of `kind` can be given in, for a 406 message."""
    return ", ".join(media.name for media in MEDIA_TYPES if kind in media.kinds)


def render(result: QueryResult, media_type: str) -> bytes:
    """`result` in `media_type` (one of MEDIA_TYPES carrying the result's kind)."""
    for media in MEDIA_TYPES:
        if media.name == media_type and result.kind in media.kinds:
            return media.render(result).encode("utf-8")
    raise KgError(f"cannot give a {result.kind} result as {media_type}")


# What `kg query --endpoint` asks a server for: formats pyoxigraph parses back exactly.
CLIENT_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
}


def parse_result(content_type: str, body: bytes, where: str) -> QueryResult:
    """A server's answer to a query, read by pyoxigraph according to its Content-Type."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    try:
        if media_type in _RESULTS_FORMATS:
            return materialise(ox.parse_query_results(body, format=_RESULTS_FORMATS[media_type]))
        if media_type in _GRAPH_FORMATS:
            quads = ox.parse(body, format=_GRAPH_FORMATS[media_type])
            return QueryResult(kind="graph", triples=tuple(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    except (SyntaxError, ValueError) as error:
        detail = " ".join(str(error).split())
        raise KgError(f"{where}: the server's {media_type} answer is unreadable: {detail}") from None
    raise KgError(f"{where}: the server answered in {media_type or 'no declared format'}, which kg cannot read")
