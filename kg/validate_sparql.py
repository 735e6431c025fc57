"""SHACL validation as SPARQL queries over the store itself: `ontology/shapes.ttl` compiled to one query per
constraint, run by Oxigraph where the data lives.

Why: pySHACL validates an in-memory rdflib copy of the graph, asking millions of small triple patterns from
Python (235 s and 4.9 GB on the 9,752-paper corpus). Each SHACL Core constraint the shapes use has a direct
SPARQL form (the SHACL spec defines most of them that way), and Oxigraph answers each over its indexes without a
copy. pySHACL stays the reference: `kg validate --engine pyshacl`, and a test checks that both report the same
violations on a graph with a fault of every kind.

Semantics kept from SHACL Core (and pySHACL's reading of it):

* targets: instances of `sh:targetClass` or of any of its subclasses, from the ontology (`kg.ttl`) and from any
  rdfs:subClassOf triples in the data;
* `sh:class`: the value is an instance of the class or a subclass; a literal never is;
* `sh:datatype`: a literal of exactly that datatype whose lexical form is valid for it (an ill-formed
  "Mar 14"^^xsd:date fails: Oxigraph's cast to the type fails);
* comparisons (`sh:minInclusive`, `sh:maxInclusive`, `sh:lessThan`) fail when the values are not comparable;
* counts count distinct values; `sh:closed` allows `sh:ignoredProperties` and the paths of nested property shapes.

A shape using any other constraint component is refused with a clear message rather than silently skipped, so
the engine can never validate less than the shapes say.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from kg.errors import KgError
from kg.rdf import to_rdflib

# What the compiler understands; anything else on a shape is an error (see the module docstring).
_SUPPORTED = {
    RDF.type, SH.targetClass, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.datatype, SH.minCount,
    SH.maxCount, SH["class"], SH.minLength, SH.maxLength, SH.nodeKind, SH.minInclusive, SH.maxInclusive,
    SH.minExclusive, SH.maxExclusive, SH.pattern, SH.flags, SH["in"], SH.lessThan, SH.closed,
    SH.ignoredProperties, SH.property,
}  # fmt: skip

_NODE_KINDS = {
    SH.IRI: "isIRI(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
}
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


@dataclass(frozen=True)
class Check:
    """One constraint of one shape as a query. Each solution is a violation: ?f the focus node, ?v the value
    (unbound for counts), ?p the offending predicate for `sh:closed` (else the shape's path)."""

    shape: str
    component: str
    query: str
    path: rdflib.URIRef | None  # the shape's sh:path predicate (None for a node shape)
    inverse: bool  # whether the path is [ sh:inversePath path ]
    message: str | None  # sh:message, or None: the component's own wording is used
    severity: str


@dataclass(frozen=True)
class Found:
    """A violation as rdflib terms, ready for `kg.validate` to format."""

    focus: rdflib.term.Node
    path: rdflib.term.Node | None
    inverse: bool
    value: rdflib.term.Node | None
    message: str
    severity: str


def _n3(term: rdflib.term.Node) -> str:
    return term.n3()


def _int(term: rdflib.term.Node) -> int:
    return int(str(term))


def _subclasses(ontology: rdflib.Graph, data: ox.Store) -> dict[rdflib.term.Node, set[rdflib.term.Node]]:
    """Each class -> itself and all its subclasses (rdfs:subClassOf*, from the ontology and the data)."""
    parents: dict[rdflib.term.Node, set[rdflib.term.Node]] = {}
    for child, parent in ontology.subject_objects(RDFS.subClassOf):
        parents.setdefault(child, set()).add(parent)
    for quad in data.quads_for_pattern(None, ox.NamedNode(str(RDFS.subClassOf)), None, ox.DefaultGraph()):
        child, parent = to_rdflib(quad.subject), to_rdflib(quad.object)
        parents.setdefault(child, set()).add(parent)
    closure: dict[rdflib.term.Node, set[rdflib.term.Node]] = {}
    for child in parents:
        seen: set[rdflib.term.Node] = set()
        stack = list(parents[child])
        while stack:
            parent = stack.pop()
            if parent not in seen:
                seen.add(parent)
                stack.extend(parents.get(parent, ()))
        for parent in seen:
            closure.setdefault(parent, set()).add(child)
    return closure


class _Compiler:
    def __init__(self, shapes: rdflib.Graph, subclasses: dict[rdflib.term.Node, set[rdflib.term.Node]]) -> None:
        self.shapes = shapes
        self.subclasses = subclasses

    def classes(self, cls: rdflib.term.Node) -> str:
        return " ".join(sorted(_n3(c) for c in {cls} | self.subclasses.get(cls, set())))

    def checks(self) -> Iterator[Check]:
        for shape in sorted(set(self.shapes.subjects(SH.targetClass, None)), key=str):
            self._refuse_unsupported(shape)
            for target in sorted(self.shapes.objects(shape, SH.targetClass), key=str):
                yield from self._shape_checks(shape, f"VALUES ?t {{ {self.classes(target)} }} ?f a ?t .")

    def _refuse_unsupported(self, shape: rdflib.term.Node) -> None:
        unknown = sorted({str(p) for p in self.shapes.predicates(shape, None)} - {str(p) for p in _SUPPORTED})
        if unknown:
            raise KgError(
                f"shape {shape} uses {', '.join(unknown)}, which the SPARQL validator does not implement; "
                "run `kg validate --engine pyshacl`"
            )
        if self.shapes.value(shape, SH.property) is not None:
            raise KgError(f"shape {shape} nests sh:property shapes; run `kg validate --engine pyshacl`")

    def _shape_checks(self, shape: rdflib.term.Node, target: str) -> Iterator[Check]:
        g = self.shapes
        path = g.value(shape, SH.path)
        message = g.value(shape, SH.message)
        severity = str(g.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        name = str(shape)

        inverse = g.value(path, SH.inversePath) if path is not None else None
        step = inverse if inverse is not None else path
        if step is not None and not isinstance(step, rdflib.URIRef):
            raise KgError(f"shape {shape}: only IRI and sh:inversePath paths are implemented")
        predicate = step
        text = str(message) if message is not None else None

        def query(component: str, sparql: str) -> Check:
            return Check(name, component, sparql, predicate, inverse is not None, text, severity)

        def check(component: str, where: str, select: str = "?f ?v") -> Check:
            return query(component, f"SELECT DISTINCT {select} WHERE {{ {target} {where} }}")

        if predicate is None:
            values = "BIND(?f AS ?v)"
        elif inverse is not None:
            values = f"?v {_n3(predicate)} ?f ."
        else:
            values = f"?f {_n3(predicate)} ?v ."

        def counted(component: str, values_of: str, operator: str, bound: int) -> Check:
            every = f"{{ SELECT DISTINCT ?f WHERE {{ {target} }} }}"
            having = f"HAVING (COUNT(DISTINCT ?v) {operator} {bound})"
            return query(component, f"SELECT ?f WHERE {{ {every} {values_of} }} GROUP BY ?f {having}")

        minimum = g.value(shape, SH.minCount)
        if minimum is not None and _int(minimum) == 1:
            yield check("minCount", f"FILTER NOT EXISTS {{ {values} }}", "?f")
        elif minimum is not None and _int(minimum) > 1:
            yield counted("minCount", f"OPTIONAL {{ {values} }}", "<", _int(minimum))
        maximum = g.value(shape, SH.maxCount)
        if maximum is not None:
            yield counted("maxCount", values, ">", _int(maximum))
        datatype = g.value(shape, SH.datatype)
        if datatype is not None:
            valid = f"isLiteral(?v) && datatype(?v) = {_n3(datatype)}"
            if datatype != rdflib.XSD.string:
                valid += f" && COALESCE(isLiteral({_n3(datatype)}(STR(?v))), false)"
            yield check("datatype", f"{values} FILTER(!({valid}))")
        cls = g.value(shape, SH["class"])
        if cls is not None:
            yield check("class", f"{values} FILTER NOT EXISTS {{ VALUES ?c {{ {self.classes(cls)} }} ?v a ?c }}")
        for name_, operator in (("minLength", "<"), ("maxLength", ">")):
            length = g.value(shape, SH[name_])
            if length is not None:
                yield check(name_, f"{values} FILTER(isBlank(?v) || STRLEN(STR(?v)) {operator} {_int(length)})")
        kind = g.value(shape, SH.nodeKind)
        if kind is not None:
            if not isinstance(kind, rdflib.URIRef) or kind not in _NODE_KINDS:
                raise KgError(f"shape {shape}: unknown sh:nodeKind {kind}")
            yield check("nodeKind", f"{values} FILTER(!{_NODE_KINDS[kind]})")
        for comparison, operator in _COMPARISONS.items():
            bound = g.value(shape, comparison)
            if bound is not None:
                component = str(comparison).rsplit("#", 1)[-1]
                yield check(component, f"{values} FILTER(!COALESCE(?v {operator} {_n3(bound)}, false))")
        pattern = g.value(shape, SH.pattern)
        if pattern is not None:
            flags = g.value(shape, SH.flags)
            regex = f"{_n3(rdflib.Literal(str(pattern)))}" + (f", {_n3(rdflib.Literal(str(flags)))}" if flags else "")
            yield check("pattern", f"{values} FILTER(isBlank(?v) || !REGEX(STR(?v), {regex}))")
        members = g.value(shape, SH["in"])
        if members is not None:
            allowed = " || ".join(f"sameTerm(?v, {_n3(m)})" for m in Collection(g, members)) or "false"
            yield check("in", f"{values} FILTER(!({allowed}))")
        other = g.value(shape, SH.lessThan)
        if other is not None:
            yield check("lessThan", f"{values} ?f {_n3(other)} ?w . FILTER(!COALESCE(?v < ?w, false))")
        if g.value(shape, SH.closed) == rdflib.Literal(True):
            yield check("closed", f"?f ?p ?v . FILTER(?p NOT IN ({self._allowed(shape)}))", "?f ?p ?v")

    def _allowed(self, shape: rdflib.term.Node) -> str:
        g = self.shapes
        ignored = g.value(shape, SH.ignoredProperties)
        allowed = set(Collection(g, ignored)) if ignored is not None else set()
        nested = (g.value(prop, SH.path) for prop in g.objects(shape, SH.property))
        allowed.update(path for path in nested if isinstance(path, rdflib.URIRef))
        return ", ".join(sorted(_n3(p) for p in allowed))


def compile_shapes(shapes: Path, ontology: Path, data: ox.Store) -> list[Check]:
    """The checks of every shape in `shapes`, with subclasses from `ontology` and `data`."""
    shapes_graph = rdflib.Graph().parse(shapes, format="turtle")
    ontology_graph = rdflib.Graph().parse(ontology, format="turtle")
    return list(_Compiler(shapes_graph, _subclasses(ontology_graph, data)).checks())


def _generic_message(check: Check) -> str:
    return f"does not satisfy {check.component} of shape {check.shape}"


def _rows(data: ox.Store, query: str) -> list[dict[str, Any]]:
    """The solutions as plain values, read and released on the calling thread (pyoxigraph's solution iterators
    must be dropped on the thread that made them)."""
    solutions = data.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    rows = [{name: solution[name] for name in names} for solution in solutions]
    del solutions
    return rows


def _violations(data: ox.Store, check: Check) -> list[Found]:
    found = []
    for row in _rows(data, check.query):
        value = row["v"] if check.component not in ("minCount", "maxCount") else None
        predicate = row["p"] if check.component == "closed" else None
        found.append(
            Found(
                focus=to_rdflib(row["f"]),
                path=to_rdflib(predicate) if predicate is not None else check.path,
                inverse=check.inverse and predicate is None,
                value=to_rdflib(value) if value is not None else None,
                message=check.message if check.message is not None else _generic_message(check),
                severity=check.severity,
            )
        )
    return found


def run_checks(
    data: ox.Store, checks: list[Check], progress: Callable[[int, int], None] | None = None, threads: int = 2
) -> Iterator[Found]:
    """Every violation of `checks` in `data` (default graph). Checks run on `threads` threads: Oxigraph
    evaluates a query without holding the GIL, so two checks run on two cores."""
    with ThreadPoolExecutor(max(1, threads)) as pool:
        futures = [pool.submit(_violations, data, check) for check in checks]
        for done, future in enumerate(as_completed(futures), start=1):
            yield from future.result()
            if progress is not None:
                progress(done, len(checks))
