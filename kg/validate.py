"""SHACL validation of the graph against `ontology/shapes.ttl`, with one readable line per violation.

Inference is "none", with the ontology mixed into (a copy of) the data graph. SHACL Core already follows
rdfs:subClassOf* in the data graph for sh:targetClass and sh:class, so mixing in the ontology is all the shapes
need to treat a kg:Method as a kg:Concept. RDFS inference (owlrl) would instead materialise the closure of every
triple (every Paper also a schema:ScholarlyArticle, foaf:Document, ...) before validating: several times the
triples and minutes on the full corpus, for no extra constraint checked.

Two engines, one report. The default, "sparql" (`kg.validate_sparql`), compiles the shapes to SPARQL queries
that Oxigraph runs over the store itself: no copy of the graph, seconds on the full corpus. "pyshacl", the
reference, copies the store's graph into rdflib's in-memory store (parsed from Oxigraph's N-Triples dump by
oxrdflib's native parser; through the oxrdflib store plugin each of pySHACL's millions of small triple patterns
would cost a round trip) and runs pySHACL: minutes and gigabytes on the corpus, fine on small graphs. A test
checks that both report the same violations.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
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
from kg.terms import PREFIXES

SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
ONTOLOGY_FILE = ONTOLOGY_DIR / "kg.ttl"

# Longest namespace first, so kgid: (…/id/) is not shadowed by a shorter one.
_PREFIXES = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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


def _order(violation: Violation) -> tuple[str, str, str, str, str]:
    """Sort key: a violation without a value sorts before the same one with a value."""
    v = violation
    return (v.focus, v.path, v.message, "" if v.value is None else f" {v.value}", v.severity)


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
    return ValidationReport(bool(conforms), tuple(sorted(_violations(results), key=_order)), len(data))


def in_memory_copy(store: GraphStore) -> rdflib.Graph:
    """The store's default graph as an rdflib in-memory Graph (fast path: Oxigraph dump + native parser)."""
    dump = store.oxigraph.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert dump is not None
    graph = rdflib.Graph()
    graph.parse(data=dump, format="ox-nt")
    return graph


ENGINES = ("sparql", "pyshacl")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def validate_store(
    store: GraphStore, engine: str = "sparql", progress: Callable[[int, int], None] | None = None
) -> ValidationReport:
    """Validate the store's committed graph; the triple count reported is the store's, without the ontology.

    `progress(done, total)` follows the checks (sparql engine: one per constraint of each shape)."""
    if engine == "pyshacl":
        data = in_memory_copy(store)
        triples = len(data)
        report = validate_graph(data, inplace=True)
        return ValidationReport(report.conforms, report.violations, triples)
    if engine != "sparql":
        raise KgError(f"unknown validation engine {engine!r}: choose {' or '.join(ENGINES)}")
    return validate_oxigraph(store.oxigraph, progress=progress, triples=len(store))


def validate_oxigraph(
    data: ox.Store,
    *,
    shapes: Path = SHAPES_FILE,
    ontology: Path = ONTOLOGY_FILE,
    progress: Callable[[int, int], None] | None = None,
    triples: int | None = None,
) -> ValidationReport:
    """Validate an Oxigraph store's default graph with the SPARQL engine."""
    from kg.validate_sparql import compile_shapes, run_checks

    checks = compile_shapes(shapes, ontology, data)
    found = sorted(
        (
            Violation(
                focus=short(item.focus),
                path=("^" if item.inverse else "") + short(item.path) if item.path is not None else "",
                message=item.message,
                value=short(item.value) if item.value is not None else None,
                severity=item.severity,
            )
            for item in run_checks(data, checks, progress, threads=_cores())
        ),
        key=_order,
    )
    return ValidationReport(not found, tuple(found), len(data) if triples is None else triples)
