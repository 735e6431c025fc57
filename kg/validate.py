"""SHACL validation of the graph against `ontology/shapes.ttl`, with one readable line per violation.

Inference is "none", with the ontology mixed into (a copy of) the data graph. SHACL Core already follows
rdfs:subClassOf* in the data graph for sh:targetClass and sh:class, so mixing in the ontology is all the shapes
need to treat a kg:Method as a kg:Concept. RDFS inference (owlrl) would instead materialise the closure of every
triple (every Paper also a schema:ScholarlyArticle, foaf:Document, ...) before validating: several times the
triples and minutes on the full corpus, for no extra constraint checked.

The store's graph is copied into rdflib's in-memory store (parsed from Oxigraph's N-Triples by oxrdflib's native
parser) rather than validated through the oxrdflib store plugin: pySHACL asks millions of small triple patterns,
and each costs a round trip through term conversion on the Oxigraph side.

A store is validated in chunks of papers (`validate_store`), because an rdflib copy of the whole real corpus with
pySHACL's working set takes about 5 GB. Each chunk holds everything every constraint of its nodes reads: the
papers' triples, the triples of every node they or their mentions and results link to (concepts, authors,
listings, ...), and every triple pointing at their mentions, results and listings (for the inverse-path
constraints "belongs to exactly one paper"). A node shared by chunks is validated in each, with the same triples,
so its violations are the same and are reported once; nodes no paper reaches are validated in a last chunk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH
from rdflib.term import Node

from kg.errors import KgError
from kg.paths import ONTOLOGY_DIR
from kg.store import GraphStore
from kg.terms import KG, PREFIXES

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"

# Longest namespace first, so kgid: (…/id/) is not shadowed by a shorter one.
_PREFIXES = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_TYPE = ox.NamedNode(str(rdflib.RDF.type))
_PAPER = ox.NamedNode(str(KG.Paper))


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: the node at fault, the property path, what is wrong, and the offending value if any."""

    focus: str
    path: str
    message: str
    value: str | None = None
    severity: str = "Violation"

    def __str__(self) -> str:
        where = f"{self.focus} {self.path}" if self.path else self.focus
        shown = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.severity}: {where}: {self.message}{shown}"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]
    triples: int


def short(term: Node) -> str:
    """A compact, readable form of a term: prefixed IRIs, quoted literals with a short datatype."""
    if isinstance(term, rdflib.URIRef):
        text = str(term)
        for prefix, namespace in _PREFIXES:
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>"
    if isinstance(term, rdflib.Literal):
        lexical = f'"{term}"'
        if term.language:
            return f"{lexical}@{term.language}"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"{lexical}^^{short(term.datatype)}"
        return lexical
    return str(term)


def _path(results: rdflib.Graph, path: Node | None) -> str:
    """A SHACL property path as text: IRIs shortened, inverse paths as ^p, sequences joined with /."""
    if path is None:
        return ""
    if isinstance(path, rdflib.URIRef):
        return short(path)
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_path(results, inverse)}"
    if (path, rdflib.RDF.first, None) in results:
        return "/".join(_path(results, step) for step in rdflib.collection.Collection(results, path))
    return str(path)


def _violations(results: rdflib.Graph) -> Iterable[Violation]:
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        yield Violation(
            focus=short(focus) if focus is not None else "?",
            path=_path(results, results.value(result, SH.resultPath)),
            message=str(message) if message is not None else "does not conform",
            value=short(value) if value is not None else None,
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        )


def _parse(path: Path) -> rdflib.Graph:
    try:
        return rdflib.Graph().parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as error:
        raise KgError(f"cannot read {path}: {error}") from error


def validate_graph(
    data: rdflib.Graph, *, shapes: Path = SHAPES_FILE, ontology: Path = ONTOLOGY_FILE, inplace: bool = False
) -> ValidationReport:
    """Validate `data` against the shapes; with `inplace` the ontology is added to `data` itself (no copy)."""
    conforms, results, _text = shacl_validate(
        data,
        shacl_graph=_parse(shapes),
        ont_graph=_parse(ontology),
        inference="none",
        inplace=inplace,
        allow_warnings=False,
    )
    assert isinstance(results, rdflib.Graph)
    return ValidationReport(bool(conforms), tuple(sorted(_violations(results))), len(data))


CHUNK_PAPERS = 1000  # papers per chunk: about 300k triples, a few hundred MB for rdflib and pySHACL

# A chunk of papers (VALUES filled in): their triples, the triples of the nodes they and their parts (mentions,
# results) link to, and every triple pointing at their parts and listings.
_CHUNK_QUERY = """
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  VALUES ?paper {{ {papers} }}
  {{ BIND(?paper AS ?s) ?s ?p ?o }}
  UNION {{ ?paper ?link ?s . FILTER(isIRI(?s)) ?s ?p ?o }}
  UNION {{ ?paper kg:hasMention|kg:hasResult ?part . ?part ?link ?s . FILTER(isIRI(?s)) ?s ?p ?o }}
  UNION {{ ?paper kg:hasMention|kg:hasResult|kg:listedIn ?o . ?s ?p ?o }}
}}
"""
# Nodes no paper reaches (VALUES filled in): their triples and the triples pointing at them.
_REST_QUERY = """
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  VALUES ?node {{ {nodes} }}
  {{ BIND(?node AS ?s) ?s ?p ?o }} UNION {{ BIND(?node AS ?o) ?s ?p ?o }}
}}
"""


def _construct(db: ox.Store, query: str) -> rdflib.Graph:
    """A CONSTRUCT's triples as an rdflib in-memory Graph, through N-Triples and oxrdflib's native parser."""
    triples = db.query(query, prefixes=PREFIXES)
    assert isinstance(triples, ox.QueryTriples)
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    if data:
        graph.parse(data=data, format="ox-nt")
    return graph


def _iris(nodes: Iterable[ox.NamedNode]) -> str:
    return " ".join(str(node) for node in nodes)


def _chunks(db: ox.Store, size: int) -> Iterable[rdflib.Graph]:
    """The chunks of `validate_store`: papers `size` at a time, then the nodes none of them reached."""
    papers = sorted(
        (
            q.subject
            for q in db.quads_for_pattern(None, _TYPE, _PAPER, ox.DefaultGraph())
            if isinstance(q.subject, ox.NamedNode)
        ),
        key=lambda node: node.value,
    )
    covered: set[str] = set()
    for start in range(0, len(papers), size):
        graph = _construct(db, _CHUNK_QUERY.format(papers=_iris(papers[start : start + size])))
        covered.update(str(subject) for subject in graph.subjects(unique=True))
        yield graph
    subjects = db.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
    assert isinstance(subjects, ox.QuerySolutions)
    rest = sorted(
        (node for (node,) in subjects if isinstance(node, ox.NamedNode) and node.value not in covered),
        key=lambda node: node.value,
    )
    for start in range(0, len(rest), size):
        yield _construct(db, _REST_QUERY.format(nodes=_iris(rest[start : start + size])))


def validate_oxigraph(db: ox.Store, *, chunk_papers: int = CHUNK_PAPERS) -> ValidationReport:
    """Validate the default graph of `db` in chunks of `chunk_papers` papers (see the module docstring); the
    triple count reported is the graph's, without the ontology."""
    violations: set[Violation] = set()
    conforms = True
    for chunk in _chunks(db, chunk_papers):
        report = validate_graph(chunk, inplace=True)
        conforms = conforms and report.conforms
        violations.update(report.violations)
    return ValidationReport(conforms, tuple(sorted(violations)), len(db))


def validate_store(store: GraphStore, *, chunk_papers: int = CHUNK_PAPERS) -> ValidationReport:
    """Validate the store's committed graph (see `validate_oxigraph`)."""
    return validate_oxigraph(store.oxigraph, chunk_papers=chunk_papers)
