"""Derived data stored beside the facts it summarises: per-concept paper counts and lower-cased label keys.

Why store them: the named queries rank concepts by the number of papers that propose or use them, and look
concepts up by label ignoring case. Computed at query time, the first aggregates over every paper -> concept edge
(a third of a second for the methods of the real corpus) and the second scans every label through LCASE. Stored,
each is an index lookup:

* ``concept kg:paperCount n`` (xsd:integer): the number of distinct papers with a ``kg:proposes`` or "uses" edge
  (``kg:usesMethod``, ``kg:evaluatesOn``, ...) to the concept; 0 for a concept only a result names;
* ``node kg:labelKey "lora"``: one per distinct lower-cased preferred or alternative label of a concept,
  organisation or repository (`label_key`).

Both are functions of the other triples only, so a rebuild from scratch and an incremental build give the same
values, and re-adding identical data derives nothing new. `GraphStore.add` keeps them up to date at each commit:
a new paper's label keys are loaded with it and its concepts' counts go up by one (`add_paper_counts`), while the
nodes a rewritten paper touched are re-derived from the graph (`derive`); `derive_all` recomputes them for a whole
graph (a store built before they existed, or a hand-written fixture).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import RDF, SKOS, XSD

from kg.terms import CONCEPT_CLASS, KG, USES_PROPERTY

_DEFAULT = ox.DefaultGraph()
_TYPE = ox.NamedNode(str(RDF.type))
_PREF_LABEL = ox.NamedNode(str(SKOS.prefLabel))
_ALT_LABEL = ox.NamedNode(str(SKOS.altLabel))
_XSD_INTEGER = ox.NamedNode(str(XSD.integer))

PAPER_COUNT = ox.NamedNode(str(KG.paperCount))
LABEL_KEY = ox.NamedNode(str(KG.labelKey))
CONCEPT_CLASSES: frozenset[ox.NamedNode] = frozenset(ox.NamedNode(str(cls)) for cls in CONCEPT_CLASS.values())
# The paper -> concept edges a paper count counts: the paper's own proposal and one "uses" relation per type.
PAPER_CONCEPT: tuple[ox.NamedNode, ...] = tuple(ox.NamedNode(str(p)) for p in (KG.proposes, *USES_PROPERTY.values()))
LABELS: tuple[ox.NamedNode, ...] = (_PREF_LABEL, _ALT_LABEL)


def label_key(label: str) -> str:
    """The case-insensitive key of a label: Python's `str.lower`, so the same rule keys stored labels and input."""
    return label.lower()


@dataclass(frozen=True)
class DeriveReport:
    """How many derived triples one `derive` call added and removed (0 and 0 when everything was up to date)."""

    added: int = 0
    removed: int = 0


def remove_all(db: ox.Store, quads: Iterable[ox.Quad]) -> int:
    """Remove `quads` (each known to be stored) in one transaction; returns how many. One `Store.remove` call is
    one transaction, about 20 ms each after a bulk load: hundreds of them cost seconds."""
    triples = [f"{q.subject} {q.predicate} {q.object} ." for q in quads]
    if triples:
        db.update(f"DELETE DATA {{ {' '.join(triples)} }}")
    return len(triples)


def paper_count(db: ox.Store, concept: ox.NamedNode) -> int:
    """Distinct papers with a proposes or uses edge to `concept`: index lookups on (predicate, object)."""
    papers: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    for predicate in PAPER_CONCEPT:
        papers.update(quad.subject for quad in db.quads_for_pattern(None, predicate, concept, _DEFAULT))
    return len(papers)


def label_keys(db: ox.Store, node: ox.NamedNode) -> set[str]:
    """The keys of every preferred and alternative label of `node`."""
    return {
        label_key(quad.object.value)
        for predicate in LABELS
        for quad in db.quads_for_pattern(node, predicate, None, _DEFAULT)
        if isinstance(quad.object, ox.Literal)
    }


def is_concept(db: ox.Store, node: ox.NamedNode) -> bool:
    return any(ox.Quad(node, _TYPE, cls) in db for cls in CONCEPT_CLASSES)


# Above this many nodes, values are read with one scan per property rather than with lookups node by node: a full
# build touches every node, and 60k concepts cost about 10 s of lookups against 2 s of scans.
BULK_NODES = 5000


def _wanted_counts(db: ox.Store, concepts: set[ox.NamedNode], bulk: bool) -> dict[ox.NamedNode, int]:
    """The paper count of each of `concepts` that is typed as a concept."""
    if not bulk:
        return {concept: paper_count(db, concept) for concept in concepts if is_concept(db, concept)}
    solutions = db.query(_ALL_COUNTS_QUERY)
    assert isinstance(solutions, ox.QuerySolutions)
    counts: dict[ox.NamedNode, int] = {}
    for concept, number in solutions:
        if concept in concepts and isinstance(concept, ox.NamedNode) and isinstance(number, ox.Literal):
            counts[concept] = int(number.value)
    return counts


def _wanted_keys(db: ox.Store, nodes: set[ox.NamedNode], bulk: bool) -> dict[ox.NamedNode, set[str]]:
    """The label keys of each of `nodes` that has a label."""
    if not bulk:
        return {node: found for node in nodes if (found := label_keys(db, node))}
    keys: dict[ox.NamedNode, set[str]] = {}
    for predicate in LABELS:
        for quad in db.quads_for_pattern(None, predicate, None, _DEFAULT):
            node, label = quad.subject, quad.object
            if node in nodes and isinstance(node, ox.NamedNode) and isinstance(label, ox.Literal):
                keys.setdefault(node, set()).add(label_key(label.value))
    return keys


def _current(db: ox.Store, predicate: ox.NamedNode, nodes: set[ox.NamedNode], bulk: bool) -> set[ox.Quad]:
    """The stored (node, predicate, value) triples of `nodes`."""
    if bulk:
        return {q for q in db.quads_for_pattern(None, predicate, None, _DEFAULT) if q.subject in nodes}
    return {q for node in nodes for q in db.quads_for_pattern(node, predicate, None, _DEFAULT)}


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_XSD_INTEGER)


def derive(db: ox.Store, concepts: Iterable[ox.NamedNode], labelled: Iterable[ox.NamedNode]) -> DeriveReport:
    """Re-derive the paper count of each of `concepts` and the label keys of each of `labelled`.

    Nodes may be given that are not (or no longer) concepts, or have no label: a node that is not typed as a
    concept gets no paper count (and loses any it had), a node without labels no key. Only the triples that differ
    are written. Call it after every other change of the commit, since the values read the graph as it then is.
    """
    concepts, labelled = set(concepts), set(labelled)
    bulk = len(concepts) + len(labelled) > BULK_NODES
    wanted = {ox.Quad(c, PAPER_COUNT, _integer(n)) for c, n in _wanted_counts(db, concepts, bulk).items()}
    wanted.update(
        ox.Quad(node, LABEL_KEY, ox.Literal(key))
        for node, keys in _wanted_keys(db, labelled, bulk).items()
        for key in keys
    )
    current = _current(db, PAPER_COUNT, concepts, bulk) | _current(db, LABEL_KEY, labelled, bulk)
    stale = current - wanted
    missing = wanted - current
    remove_all(db, stale)
    if missing:
        db.bulk_extend(missing)
    return DeriveReport(len(missing), len(stale))


def add_paper_counts(db: ox.Store, increments: dict[ox.NamedNode, int], *, stored: bool) -> DeriveReport:
    """Set each concept's paper count to its stored count (0 if none) plus its increment: the number of papers
    new to the store that propose or use it, which no stored count includes. `stored` False skips reading the
    stored counts (an empty store has none). Each of `increments` must be typed as a concept.

    This is what keeps a large add from counting every concept's papers again: the counts of the concepts that
    only new papers name follow from the counts already stored."""
    added: list[ox.Quad] = []
    stale: list[ox.Quad] = []
    for concept, increment in increments.items():
        old = next(db.quads_for_pattern(concept, PAPER_COUNT, None, _DEFAULT), None) if stored else None
        if old is not None:
            if increment == 0:
                continue
            stale.append(old)
            assert isinstance(old.object, ox.Literal)
            increment += int(old.object.value)
        added.append(ox.Quad(concept, PAPER_COUNT, _integer(increment)))
    remove_all(db, stale)
    if added:
        db.bulk_extend(added)
    return DeriveReport(len(added), len(stale))


_ALL_COUNTS_QUERY = f"""
SELECT ?concept (COUNT(DISTINCT ?paper) AS ?papers) WHERE {{
  VALUES ?class {{ {" ".join(str(cls) for cls in sorted(CONCEPT_CLASSES, key=str))} }}
  ?concept a ?class .
  OPTIONAL {{ VALUES ?edge {{ {" ".join(str(p) for p in PAPER_CONCEPT)} }} ?paper ?edge ?concept }}
}}
GROUP BY ?concept
"""


def derive_all(db: ox.Store) -> DeriveReport:
    """Re-derive the data of every concept and labelled node of the default graph (and drop stray derived data)."""
    concepts = {
        quad.subject
        for cls in CONCEPT_CLASSES
        for quad in db.quads_for_pattern(None, _TYPE, cls, _DEFAULT)
        if isinstance(quad.subject, ox.NamedNode)
    }
    concepts.update(_subjects(db, (PAPER_COUNT,)))
    return derive(db, concepts, _subjects(db, (*LABELS, LABEL_KEY)))


def has_derived_data(db: ox.Store) -> bool:
    """Whether any concept of `db` has a paper count (false for a store built before derived data existed)."""
    return next(db.quads_for_pattern(None, PAPER_COUNT, None, _DEFAULT), None) is not None


def _subjects(db: ox.Store, predicates: Iterable[ox.NamedNode]) -> set[ox.NamedNode]:
    return {
        quad.subject
        for predicate in predicates
        for quad in db.quads_for_pattern(None, predicate, None, _DEFAULT)
        if isinstance(quad.subject, ox.NamedNode)
    }
