"""Networkx projections of the RDF store, for graph algorithms, GraphML and HTML.

The store is the single source of truth: a view is rebuilt from a few SPARQL SELECTs each time it is needed and
is never written back, so it cannot drift from the triples.  Nodes and edges are added in sorted order, so two
views of the same store are equal down to iteration order, and files written from them are byte-identical.

Nodes are keyed by their IRI (a string); every node also carries it as the `iri` attribute, because GraphML ids
cannot hold an IRI and tools such as Gephi show only attributes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import networkx as nx
import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS, XSD

from kg.errors import UsageError
from kg.records import CONCEPT_TYPES
from kg.terms import CONCEPT_CLASS, KG, PREFIXES, SCHEMA, USES_PROPERTY

Value = str | int | float | bool

# The paper -> concept relations: a paper's own proposal, then one "uses" relation per concept type.
PAPER_CONCEPT_RELATIONS: tuple[URIRef, ...] = (KG.proposes, *USES_PROPERTY.values())
# The other relations of the typed graph; evidence relations join only when evidence is asked for.
CONTEXT_RELATIONS: tuple[URIRef, ...] = (DCTERMS.creator, KG.affiliatedWith, KG.hasRepository)
EVIDENCE_RELATIONS: tuple[URIRef, ...] = (KG.hasMention, KG.denotes, KG.hasResult, KG.resultMetric, KG.resultDataset)


@dataclass(frozen=True)
class NodeKind:
    """One class of node in a view: its RDF class, its `kind` name and the attributes read from the store."""

    cls: URIRef
    name: str
    attributes: tuple[tuple[str, URIRef], ...]  # (attribute name, predicate)


_PAPER = NodeKind(
    KG.Paper,
    "paper",
    (
        ("label", DCTERMS.title),
        ("date", DCTERMS.issued),
        ("url", SCHEMA.url),
        ("arxiv_id", KG.arxivId),
        ("upvotes", KG.upvotes),
        ("github_stars", KG.githubStars),
    ),
)
_BARE_PAPER = NodeKind(KG.Paper, "paper", ())
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_CODE_QUERY = "SELECT ?paper ?url WHERE { ?paper kg:hasRepository ?repository . ?repository schema:url ?url }"
CONCEPT_KINDS: tuple[NodeKind, ...] = tuple(
    NodeKind(CONCEPT_CLASS[name], name, (("label", SKOS.prefLabel),)) for name in CONCEPT_TYPES
)
CORE_KINDS: tuple[NodeKind, ...] = (
    _PAPER,
    *CONCEPT_KINDS,
    NodeKind(KG.Repository, "repository", (("label", SKOS.prefLabel), ("url", SCHEMA.url))),
    NodeKind(KG.Organization, "organization", (("label", SKOS.prefLabel),)),
    NodeKind(KG.Author, "author", (("label", FOAF.name),)),
)
EVIDENCE_KINDS: tuple[NodeKind, ...] = (
    NodeKind(
        KG.Mention,
        "mention",
        (
            ("label", KG.surfaceText),
            ("sentence", KG.sentence),
            ("confidence", KG.confidence),
            ("extractor", KG.extractor),
            ("field", KG.field),
            ("start", KG.startOffset),
            ("end", KG.endOffset),
            ("proposed", KG.proposed),
        ),
    ),
    NodeKind(
        KG.Result,
        "result",
        (("value", KG.resultValue), ("unit", KG.resultUnit), ("sentence", KG.sentence)),
    ),
)

_INTEGER_TYPES = frozenset(
    str(t)
    for t in (
        XSD.integer,
        XSD.int,
        XSD.long,
        XSD.short,
        XSD.byte,
        XSD.nonNegativeInteger,
        XSD.positiveInteger,
        XSD.unsignedInt,
        XSD.unsignedLong,
        XSD.unsignedShort,
        XSD.negativeInteger,
        XSD.nonPositiveInteger,
    )
)
_FLOAT_TYPES = frozenset(str(t) for t in (XSD.decimal, XSD.double, XSD.float))
_BOOLEAN = str(XSD.boolean)
# Where a mention sits decides which sentence is "first": the title before the abstract, then by offset.
_FIELD_ORDER = {"title": 0, "abstract": 1}


def typed_graph(store: ox.Store, include_evidence: bool = False) -> nx.MultiDiGraph:
    """The typed graph: papers, concepts, repositories, organisations and authors, with their relations.

    Edges are keyed by relation name (``proposes``, ``usesMethod``, ``creator``, ...) and carry it as `relation`;
    paper -> concept edges also carry `evidence` (the first sentence that mentions the concept) and `confidence`
    (the highest mention confidence).  Concept nodes carry `paper_count`.  With `include_evidence`, mention and
    result nodes join the graph with their `hasMention`/`denotes`/`hasResult`/... edges.
    """
    kinds = CORE_KINDS + (EVIDENCE_KINDS if include_evidence else ())
    relations = PAPER_CONCEPT_RELATIONS + CONTEXT_RELATIONS + (EVIDENCE_RELATIONS if include_evidence else ())
    nodes = _nodes(store, kinds)
    edges = sorted(
        (subject, obj, _local_name(predicate), predicate)
        for subject, predicate, obj in _edges(store, relations)
        if subject in nodes and obj in nodes
    )
    paper_concept = {str(r) for r in PAPER_CONCEPT_RELATIONS}
    counts = _paper_counts((s, o) for s, o, _, p in edges if p in paper_concept)
    _set_paper_counts(nodes, counts)
    evidence = _edge_evidence(store)

    graph = nx.MultiDiGraph(projection="typed")
    graph.add_nodes_from(sorted(nodes.items()))
    for subject, obj, relation, predicate in edges:
        attrs: dict[str, Value] = {"relation": relation}
        if predicate in paper_concept and (subject, obj) in evidence:
            sentence, confidence = evidence[subject, obj]
            if sentence is not None:
                attrs["evidence"] = sentence
            if confidence is not None:
                attrs["confidence"] = confidence
        graph.add_edge(subject, obj, key=relation, **attrs)
    return graph


def paper_concept_graph(store: ox.Store, paper_details: bool = True) -> nx.Graph:
    """The bipartite graph of papers and the concepts they propose or use: the projection analytics start from.

    Concept nodes carry kind, label, iri and `paper_count`; only concepts linked to at least one paper appear.
    Paper nodes carry kind "paper" and iri and, with `paper_details`, label (the title), date, url, arxiv_id,
    upvotes and `code` (a repository URL, the smallest when there are several). Each edge carries `relations`,
    the sorted local names of the relations between the two (a paper may both propose and use a concept).
    """
    nodes = _nodes(store, (_PAPER if paper_details else _BARE_PAPER, *CONCEPT_KINDS))
    relations: dict[tuple[str, str], set[str]] = defaultdict(set)
    for paper, predicate, concept in _edges(store, PAPER_CONCEPT_RELATIONS):
        if nodes.get(paper, {}).get("kind") == "paper" and nodes.get(concept, {}).get("kind", "paper") != "paper":
            relations[paper, concept].add(_local_name(predicate))
    counts = _paper_counts(relations)
    _set_paper_counts(nodes, counts)
    if paper_details:
        for node, url in _select(store, _CODE_QUERY):
            attrs = nodes.get(node.value)
            if (
                attrs is not None
                and attrs["kind"] == "paper"
                and ("code" not in attrs or url.value < str(attrs["code"]))
            ):
                attrs["code"] = url.value

    graph = nx.Graph(projection="paper-concept")
    graph.add_nodes_from(
        sorted((iri, attrs) for iri, attrs in nodes.items() if attrs["kind"] == "paper" or counts.get(iri, 0) > 0)
    )
    graph.add_edges_from(
        (paper, concept, {"relations": " ".join(sorted(names))})
        for (paper, concept), names in sorted(relations.items())
    )
    return graph


def cooccurrence_graph(store: ox.Store, min_weight: int = 1) -> nx.Graph:
    """Concepts linked by the number of papers they share (`weight`), keeping edges of at least `min_weight`.

    Every concept that at least one paper is linked to is a node (kind, label, iri, paper_count), even when all
    its edges fall under `min_weight`, so that the node set does not depend on the threshold.
    """
    if min_weight < 1:
        raise UsageError(f"the minimum co-occurrence weight must be at least 1, not {min_weight}")
    return cooccurrence_projection(paper_concept_graph(store, paper_details=False), min_weight)


def cooccurrence_projection(
    bipartite: nx.Graph, min_weight: int = 1, concepts: Iterable[str] | None = None
) -> nx.Graph:
    """The co-occurrence graph of a `paper_concept_graph`: concepts weighted by the papers they share.

    `concepts` restricts it to those concepts (a map's selection), which costs only the pairs among them.
    """
    if min_weight < 1:
        raise UsageError(f"the minimum co-occurrence weight must be at least 1, not {min_weight}")
    kept = (
        {n for n, kind in bipartite.nodes(data="kind") if kind != "paper"}
        if concepts is None
        else {c for c in concepts if c in bipartite and bipartite.nodes[c]["kind"] != "paper"}
    )
    weights = cooccurrence_counts(bipartite, kept)
    graph = nx.Graph(projection="cooccurrence", min_weight=min_weight)
    graph.add_nodes_from((iri, dict(bipartite.nodes[iri])) for iri in sorted(kept))
    graph.add_edges_from(
        (a, b, {"weight": weight}) for (a, b), weight in sorted(weights.items()) if weight >= min_weight
    )
    return graph


def cooccurrence_counts(bipartite: nx.Graph, concepts: Collection[str]) -> Counter[tuple[str, str]]:
    """Papers shared by each pair of `concepts` (pairs in sorted order) in a `paper_concept_graph`."""
    weights: Counter[tuple[str, str]] = Counter()
    for paper, kind in bipartite.nodes(data="kind"):
        if kind == "paper":
            present = sorted(c for c in bipartite[paper] if c in concepts)
            if len(present) > 1:
                weights.update(combinations(present, 2))
    return weights


def concept_aliases(store: ox.Store) -> dict[str, tuple[str, ...]]:
    """Each concept's alternative labels (skos:altLabel), sorted: what a search by name should also find."""
    aliases: dict[str, set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, ox.NamedNode(str(SKOS.altLabel)), None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
            aliases[quad.subject.value].add(quad.object.value)
    concept_classes = [ox.NamedNode(str(cls)) for cls in CONCEPT_CLASS.values()]
    kept = {
        node for node in aliases if any(ox.Quad(ox.NamedNode(node), _RDF_TYPE, cls) in store for cls in concept_classes)
    }
    return {node: tuple(sorted(aliases[node])) for node in sorted(kept)}


def _select(store: ox.Store, query: str) -> Iterator[tuple[ox.NamedNode | ox.BlankNode | ox.Literal, ...]]:
    """Rows of a SELECT over every graph of the store (data may sit in the default graph or in named ones).

    The union of graphs is asked for only when named graphs exist: it costs a fifth more time on 10k papers.
    """
    union = next(iter(store.named_graphs()), None) is not None
    solutions = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions), "a SELECT query yields solutions"
    for solution in solutions:
        yield tuple(solution)


def _iris(terms: Iterable[str]) -> str:
    return " ".join(f"<{t}>" for t in terms)


def _nodes(store: ox.Store, kinds: Sequence[NodeKind]) -> dict[str, dict[str, Value]]:
    """The nodes of `kinds` with their attributes; a node typed twice takes the first of `kinds` it has."""
    rank = {str(kind.cls): index for index, kind in enumerate(kinds)}
    kind_of: dict[str, NodeKind] = {}
    for node, cls in _select(store, f"SELECT ?node ?cls WHERE {{ VALUES ?cls {{ {_iris(rank)} }} ?node a ?cls }}"):
        if isinstance(node, ox.NamedNode):
            known = kind_of.get(node.value)
            if known is None or rank[cls.value] < rank[str(known.cls)]:
                kind_of[node.value] = kinds[rank[cls.value]]
    nodes: dict[str, dict[str, Value]] = {iri: {"kind": kind.name, "iri": iri} for iri, kind in kind_of.items()}
    _read_attributes(store, kinds, kind_of, nodes)
    for attrs in nodes.values():
        if attrs["kind"] == "result" and "value" in attrs:
            attrs["label"] = " ".join(str(attrs[name]) for name in ("value", "unit") if name in attrs)
    return nodes


def _read_attributes(
    store: ox.Store,
    kinds: Sequence[NodeKind],
    kind_of: Mapping[str, NodeKind],
    nodes: dict[str, dict[str, Value]],
) -> None:
    """Fill each node's attributes; of several values for one attribute the smallest wins, for determinism.

    The query reads the attribute predicates without joining on the node's class (a join costs twice the time
    on 10k papers); the class is checked here, so a predicate shared by two kinds lands on the right nodes.
    """
    names = {(str(kind.cls), str(p)): name for kind in kinds for name, p in kind.attributes}
    predicates = sorted({predicate for _, predicate in names})
    query = f"SELECT ?node ?p ?value WHERE {{ VALUES ?p {{ {_iris(predicates)} }} ?node ?p ?value }}"
    for node, predicate, term in _select(store, query):
        kind = kind_of.get(node.value)
        name = names.get((str(kind.cls), predicate.value)) if kind is not None else None
        if name is None:
            continue
        value = term_value(term)
        attrs = nodes[node.value]
        if name not in attrs or _order(value) < _order(attrs[name]):
            attrs[name] = value


def _edges(store: ox.Store, relations: Sequence[URIRef]) -> Iterator[tuple[str, str, str]]:
    """(subject, predicate, object) IRIs of every triple whose predicate is one of `relations`."""
    query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {_iris(relations)} }} ?s ?p ?o }}"
    for subject, predicate, obj in _select(store, query):
        if isinstance(subject, ox.NamedNode) and isinstance(obj, ox.NamedNode):
            yield subject.value, predicate.value, obj.value


def _edge_evidence(store: ox.Store) -> dict[tuple[str, str], tuple[str | None, float | None]]:
    """For each (paper, concept) with mentions: the first sentence mentioning it and the highest confidence."""
    query = """
        SELECT ?paper ?concept ?field ?start ?sentence ?confidence WHERE {
            ?paper kg:hasMention ?mention . ?mention kg:denotes ?concept .
            OPTIONAL { ?mention kg:field ?field }
            OPTIONAL { ?mention kg:startOffset ?start }
            OPTIONAL { ?mention kg:sentence ?sentence }
            OPTIONAL { ?mention kg:confidence ?confidence }
        }"""
    first: dict[tuple[str, str], tuple[tuple[int, float, str], str]] = {}
    best: dict[tuple[str, str], float] = {}
    for paper, concept, field, start, sentence, confidence in _select(store, query):
        pair = (paper.value, concept.value)
        if sentence is not None:
            position = _number(start)
            order = (
                _FIELD_ORDER.get(field.value if field is not None else "", len(_FIELD_ORDER)),
                position if position is not None else float("inf"),
                sentence.value,
            )
            if pair not in first or order < first[pair][0]:
                first[pair] = (order, sentence.value)
        score = _number(confidence)
        if score is not None and (pair not in best or score > best[pair]):
            best[pair] = float(score)
    return {pair: (first[pair][1] if pair in first else None, best.get(pair)) for pair in first.keys() | best.keys()}


def _paper_counts(pairs: Iterable[tuple[str, str]]) -> Counter[str]:
    """Number of distinct papers linked to each concept, from (paper, concept) pairs."""
    return Counter(concept for _, concept in set(pairs))


def _set_paper_counts(nodes: dict[str, dict[str, Value]], counts: Mapping[str, int]) -> None:
    concept_kinds = set(CONCEPT_TYPES)
    for iri, attrs in nodes.items():
        if attrs["kind"] in concept_kinds:
            attrs["paper_count"] = counts.get(iri, 0)


def term_value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Value:
    """The Python value of an RDF term: numbers and booleans typed, dates and everything else as text.

    An ill-typed literal ("12a"^^xsd:integer) keeps its lexical form rather than failing the whole view.
    """
    if not isinstance(term, ox.Literal):
        return term.value
    datatype = term.datatype.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(term.value)
        if datatype in _FLOAT_TYPES:
            return float(term.value)
    except ValueError:
        return term.value
    if datatype == _BOOLEAN:
        return term.value in ("true", "1")
    return term.value


def _number(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> float | None:
    if term is None:
        return None
    value = term_value(term)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _order(value: Value) -> tuple[str, Value]:
    """A total order over mixed attribute values (type name first), to pick one value deterministically."""
    return (type(value).__name__, value)


def _local_name(iri: str) -> str:
    """``https://w3id.org/kg-ml/ontology#usesMethod`` -> ``usesMethod``; ``.../terms/creator`` -> ``creator``."""
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


__all__ = [
    "CONCEPT_KINDS",
    "CONTEXT_RELATIONS",
    "CORE_KINDS",
    "EVIDENCE_KINDS",
    "EVIDENCE_RELATIONS",
    "PAPER_CONCEPT_RELATIONS",
    "NodeKind",
    "concept_aliases",
    "cooccurrence_counts",
    "cooccurrence_graph",
    "cooccurrence_projection",
    "paper_concept_graph",
    "term_value",
    "typed_graph",
]
