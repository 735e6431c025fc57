"""Graph analytics over the store's networkx projections: weighted co-occurrence, communities, ranking, trends,
related papers and paths between concepts.

Everything starts from `kg.views.paper_concept_graph`, the bipartite graph of papers and the concepts they propose
or use, so every answer is a function of the store's triples. Results are frozen records; ties are broken by
label and IRI, and the one randomised algorithm (Louvain) takes a seed, so the same store gives the same answers.

Communities are the one result written back (`refresh_communities`): as kg:community / kg:Community triples,
replaced as a whole through `GraphStore.replace_annotations`, so SPARQL can group concepts by them and the HTML map
colours them without recomputing.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import networkx as nx
import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS, XSD

from kg.errors import KgError, UsageError
from kg.records import CONCEPT_TYPES
from kg.terms import KG, PREFIXES, community_iri
from kg.views import cooccurrence_projection


class AnnotatedStore(Protocol):
    """A store communities are written back to: `kg.store.GraphStore`, or `kg.remote_store.RemoteStore` (which
    writes its working copy and sends the server what changed)."""

    @property
    def oxigraph(self) -> ox.Store: ...

    def replace_annotations(
        self, predicates: Iterable[str], classes: Iterable[str], triples: Iterable[ox.Triple]
    ) -> bool: ...


Weighting = Literal["count", "pmi", "jaccard"]
WEIGHTINGS: tuple[str, ...] = ("count", "pmi", "jaccard")
COMMUNITY_METHODS: tuple[str, ...] = ("louvain", "greedy")
RELATED_METHODS: tuple[str, ...] = ("jaccard", "adamic-adar")
RANK_BY: tuple[str, ...] = ("pagerank", "degree", "papers")

# Concepts named by fewer papers than this join the community of the neighbours they share most papers with
# instead of taking part in modularity optimisation: a concept seen in one paper only co-occurs with that
# paper's other concepts, so its edges say nothing its paper's other concepts do not already say.
CORE_MIN_PAPERS = 2
NAME_CONCEPTS = 3  # a community is named after this many of its concepts with the most papers


# ------------------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class ConceptRef:
    iri: str
    label: str
    kind: str
    paper_count: int


@dataclass(frozen=True)
class PaperRef:
    iri: str
    title: str
    date: str | None = None
    url: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Community:
    rank: int  # 1 = the most concepts
    name: str
    members: tuple[ConceptRef, ...]  # most papers first

    @property
    def iri(self) -> str:
        return str(community_iri(self.rank))

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class RankedConcept:
    concept: ConceptRef
    degree: int  # co-occurring concepts
    strength: float  # sum of edge weights
    pagerank: float


@dataclass(frozen=True)
class ConceptTrend:
    concept: ConceptRef
    by_month: tuple[int, ...]  # papers per month of `TrendReport.months`
    recent: int  # papers in the recent window
    previous: int  # papers in the window before it
    recent_share: float  # fraction of the window's dated papers
    previous_share: float

    @property
    def rise(self) -> float:
        """Change in the share of papers naming the concept, in percentage points (the ranking key)."""
        return 100.0 * (self.recent_share - self.previous_share)


@dataclass(frozen=True)
class TrendReport:
    months: tuple[str, ...]  # every month from the first to the last dated paper, "YYYY-MM"
    papers: tuple[int, ...]  # dated papers with concepts per month
    recent: tuple[str, ...]  # the months compared ...
    previous: tuple[str, ...]  # ... against these
    undated: int  # papers left out for lack of a date
    rising: tuple[ConceptTrend, ...]  # fastest rising first
    tracked: tuple[ConceptTrend, ...] = ()  # the concepts asked for by name, in the order asked


@dataclass(frozen=True)
class RelatedPaper:
    paper: PaperRef
    score: float
    shared: tuple[ConceptRef, ...]  # most specific (fewest papers) first


@dataclass(frozen=True)
class PathStep:
    source: ConceptRef
    target: ConceptRef
    papers: tuple[PaperRef, ...]  # papers naming both, newest first


@dataclass(frozen=True)
class ConceptPath:
    concepts: tuple[ConceptRef, ...]
    steps: tuple[PathStep, ...]


# ------------------------------------------------------------------------------------------- lookups


def concept_ref(graph: nx.Graph, iri: str) -> ConceptRef:
    attrs = graph.nodes[iri]
    return ConceptRef(iri, str(attrs.get("label", iri)), str(attrs["kind"]), int(attrs.get("paper_count", 0)))


def paper_ref(graph: nx.Graph, iri: str) -> PaperRef:
    attrs = graph.nodes[iri]

    def text(name: str) -> str | None:
        value = attrs.get(name)
        return None if value is None else str(value)

    return PaperRef(iri, str(attrs.get("label", iri)), text("date"), _paper_url(attrs), text("code"))


def _paper_url(attrs: Mapping[str, object]) -> str | None:
    if attrs.get("arxiv_id"):
        return f"https://arxiv.org/abs/{attrs['arxiv_id']}"
    return str(attrs["url"]) if attrs.get("url") else None


def concepts_of(graph: nx.Graph) -> list[str]:
    return [n for n, kind in graph.nodes(data="kind") if kind != "paper"]


def papers_of(graph: nx.Graph) -> list[str]:
    return [n for n, kind in graph.nodes(data="kind") if kind == "paper"]


def find_concept(
    bipartite: nx.Graph, name: str, aliases: Mapping[str, Sequence[str]] | None = None, kind: str | None = None
) -> str:
    """The IRI of the concept called `name` (its label or an alias, ignoring case, or its IRI).

    Of several concepts with that name (a label used by two types) the one of `kind`, then the one with the most
    papers is taken. Raises UsageError, with the closest labels as suggestions, when none matches.
    """
    text = name.strip()
    if text in bipartite and bipartite.nodes[text]["kind"] != "paper":
        return text
    expanded = _expand_prefixed(text)
    if expanded in bipartite and bipartite.nodes[expanded]["kind"] != "paper":
        return expanded
    key = text.casefold()
    matches = []
    for iri in concepts_of(bipartite):
        attrs = bipartite.nodes[iri]
        names = [str(attrs.get("label", "")), *((aliases or {}).get(iri, ()))]
        if any(n.casefold() == key for n in names) and (kind is None or attrs["kind"] == kind):
            matches.append(iri)
    if not matches:
        suggestions = sorted(
            (iri for iri in concepts_of(bipartite) if key in str(bipartite.nodes[iri].get("label", "")).casefold()),
            key=lambda iri: (-int(bipartite.nodes[iri].get("paper_count", 0)), iri),
        )[:5]
        hint = (
            f"; did you mean {', '.join(repr(bipartite.nodes[i]['label']) for i in suggestions)}?"
            if suggestions
            else ""
        )
        of_kind = f" of type {kind}" if kind else ""
        raise UsageError(f"no concept{of_kind} is called {name!r}{hint}")
    return min(matches, key=lambda iri: (-int(bipartite.nodes[iri].get("paper_count", 0)), iri))


def find_paper(bipartite: nx.Graph, text: str) -> str:
    """The IRI of the paper given by arXiv id, IRI (full or kgid:...), exact title or a unique part of its title."""
    value = text.strip()
    for candidate in (value, _expand_prefixed(value)):
        if candidate in bipartite and bipartite.nodes[candidate]["kind"] == "paper":
            return candidate
    papers = papers_of(bipartite)
    key = value.casefold()
    for attribute in ("arxiv_id", "label"):
        exact = sorted(p for p in papers if str(bipartite.nodes[p].get(attribute, "")).casefold() == key)
        if exact:
            return exact[0]
    partial = sorted(p for p in papers if key and key in str(bipartite.nodes[p].get("label", "")).casefold())
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise UsageError(f"no paper has the arXiv id, IRI or title {text!r}")
    titles = "; ".join(repr(bipartite.nodes[p].get("label", p)) for p in partial[:5])
    raise UsageError(
        f"{len(partial)} papers have {text!r} in their title ({titles}{'; ...' if len(partial) > 5 else ''})"
    )


def _expand_prefixed(text: str) -> str:
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return text


# ------------------------------------------------------------------------------ weighted co-occurrence


def edge_weight(shared: int, count_a: int, count_b: int, papers: int, weighting: str) -> float:
    """The weight of a co-occurrence edge: shared papers ("count"), pointwise mutual information ("pmi",
    log of how much more often the two appear together than if they were independent) or Jaccard similarity
    ("jaccard", shared papers over papers naming either)."""
    if weighting == "count":
        return float(shared)
    if weighting == "jaccard":
        return shared / (count_a + count_b - shared)
    if weighting == "pmi":
        return math.log(shared * papers / (count_a * count_b))
    raise UsageError(f"unknown weighting {weighting!r}; choose one of {', '.join(WEIGHTINGS)}")


def concept_graph(
    bipartite: nx.Graph, weighting: str = "count", min_count: int = 1, concepts: Iterable[str] | None = None
) -> nx.Graph:
    """The co-occurrence graph of the concepts with `weight` by `weighting` and `count` (shared papers).

    `min_count` drops edges shared by fewer papers; `concepts` restricts the graph to those concepts.
    """
    if weighting not in WEIGHTINGS:
        raise UsageError(f"unknown weighting {weighting!r}; choose one of {', '.join(WEIGHTINGS)}")
    graph = cooccurrence_projection(bipartite, min_count, concepts)
    papers = sum(1 for p in papers_of(bipartite) if bipartite.degree(p) > 0)
    counts = dict(graph.nodes(data="paper_count", default=0))
    for a, b, data in graph.edges(data=True):
        shared = data["weight"]
        data["count"] = shared
        data["weight"] = edge_weight(shared, counts[a], counts[b], papers, weighting)
    graph.graph.update(weighting=weighting, papers=papers)
    return graph


# --------------------------------------------------------------------------------------------- communities


def detect_communities(
    bipartite: nx.Graph,
    *,
    weighting: str = "jaccard",
    method: str = "louvain",
    seed: int = 0,
    resolution: float = 1.0,
    core_min_papers: int = CORE_MIN_PAPERS,
) -> tuple[Community, ...]:
    """Communities of the concepts of a `paper_concept_graph`, largest first, each named after its top concepts.

    Modularity is optimised on the co-occurrence graph (`weighting`, edges of positive weight only: a negative
    PMI means "together less often than chance") of the concepts named by at least `core_min_papers` papers;
    every other concept then joins the community it shares the most weight with, and concepts that share
    nothing with any community form one community per connected group. Jaccard is the default weighting
    because it keeps concepts that every paper names ("accuracy") from pulling everything into one community.
    Louvain is seeded and every input is sorted, so the same store gives the same communities.
    """
    if method not in COMMUNITY_METHODS:
        raise UsageError(f"unknown community method {method!r}; choose one of {', '.join(COMMUNITY_METHODS)}")
    if not resolution > 0:
        raise UsageError(f"the resolution must be positive, not {resolution}")
    core_nodes = [c for c in concepts_of(bipartite) if bipartite.degree(c) >= core_min_papers]
    weighted = concept_graph(bipartite, weighting, concepts=core_nodes)
    core = nx.Graph()
    core.add_nodes_from(weighted)
    core.add_weighted_edges_from((a, b, w) for a, b, w in weighted.edges(data="weight") if w > 0)
    if method == "louvain":
        groups = _louvain(core, resolution, seed)
    else:
        groups = nx.community.greedy_modularity_communities(core, weight="weight", resolution=resolution)
    assignment = {node: index for index, group in enumerate(groups) for node in group}
    _attach(bipartite, weighting, assignment)
    members: dict[int, list[str]] = defaultdict(list)
    for node, index in assignment.items():
        members[index].append(node)
    ordered = sorted(members.values(), key=lambda nodes: (-len(nodes), min(nodes)))
    rank_of = {node: rank for rank, nodes in enumerate(ordered, start=1) for node in nodes}
    return tuple(_community(bipartite, rank, nodes, rank_of) for rank, nodes in enumerate(ordered, start=1))


def _louvain(graph: nx.Graph, resolution: float, seed: int) -> list[set[str]]:
    """Louvain communities by igraph's C implementation (`community_multilevel`), seeded.

    The same algorithm as networkx's `louvain_communities`, which took 27 s on the corpus's 8,612 core concepts
    and 200k edges where igraph takes about 1 s.
    """
    nodes, converted = to_igraph(graph)
    with igraph_seeded(seed):
        membership = converted.community_multilevel(weights="weight", resolution=resolution).membership
    groups: dict[int, set[str]] = defaultdict(set)
    for node, group in zip(nodes, membership, strict=True):
        groups[group].add(node)
    return list(groups.values())


@contextlib.contextmanager
def igraph_seeded(seed: int) -> Iterator[None]:
    """Lend igraph a random number generator seeded with `seed` for the block, then give it back its default
    (Python's `random` module): igraph's Louvain and layouts draw random numbers, and only a seeded generator
    makes them repeatable. Not thread-safe: igraph has one generator per process."""
    import igraph as ig

    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def to_igraph(graph: nx.Graph, weight: str = "weight") -> tuple[list[Any], Any]:
    """An undirected igraph copy of `graph` (nodes in sorted order, edge attribute "weight" from `weight`, 1.0
    where missing), and the node list that maps igraph's vertex indices back to the graph's nodes."""
    import igraph as ig

    nodes = sorted(graph)
    index = {node: i for i, node in enumerate(nodes)}
    edges = sorted((index[a], index[b], float(w)) for a, b, w in graph.edges(data=weight, default=1.0))
    converted = ig.Graph(n=len(nodes), edges=[(a, b) for a, b, _ in edges])
    converted.es["weight"] = [w for _, _, w in edges]
    return nodes, converted


def _cooccurring(bipartite: nx.Graph, concept: str) -> Counter[str]:
    """Papers shared with each co-occurring concept, read off the bipartite graph."""
    return Counter(other for paper in bipartite[concept] for other in bipartite[paper] if other != concept)


def _attach(bipartite: nx.Graph, weighting: str, assignment: dict[str, int]) -> None:
    """Give every unassigned concept the community it shares the most positive weight with, in passes until
    none changes; what is left (sharing papers only among itself) becomes one community per connected group."""
    papers = sum(1 for p in papers_of(bipartite) if bipartite.degree(p) > 0)
    pending = sorted(c for c in concepts_of(bipartite) if c not in assignment)
    shared = {c: _cooccurring(bipartite, c) for c in pending}
    while pending:
        chosen: dict[str, int] = {}
        for node in pending:
            pull: dict[int, float] = defaultdict(float)
            for other, count in shared[node].items():
                if other in assignment:
                    weight = edge_weight(count, bipartite.degree(node), bipartite.degree(other), papers, weighting)
                    if weight > 0:
                        pull[assignment[other]] += weight
            if pull:
                chosen[node] = min(pull, key=lambda index: (-pull[index], index))
        if not chosen:
            break
        assignment.update(chosen)
        pending = [n for n in pending if n not in chosen]
    rest = nx.Graph()
    rest.add_nodes_from(pending)
    rest.add_edges_from((a, b) for a in pending for b in shared[a] if b in rest)
    groups = sorted(sorted(group) for group in nx.connected_components(rest))
    next_index = max(assignment.values(), default=-1) + 1
    for offset, group in enumerate(groups):
        assignment.update(dict.fromkeys(group, next_index + offset))


def _by_papers(graph: nx.Graph, nodes: Iterable[str]) -> list[str]:
    """Most papers first; ties by label ignoring case, then IRI."""
    return sorted(
        nodes,
        key=lambda n: (-int(graph.nodes[n].get("paper_count", 0)), str(graph.nodes[n].get("label", "")).casefold(), n),
    )


_NAME_CANDIDATES = 20  # a community's name is chosen among this many of its concepts with the most papers


def _community(bipartite: nx.Graph, rank: int, nodes: Iterable[str], rank_of: Mapping[str, int]) -> Community:
    """The community of `nodes`, named after its most characteristic concepts: many papers, and co-occurring
    mostly inside the community (papers times the share of its co-occurrences that stay inside), so that a
    concept every community shares ("accuracy") names none of them."""
    ordered = _by_papers(bipartite, nodes)

    def characteristic(node: str) -> tuple[float, int, str, str]:
        together = _cooccurring(bipartite, node)
        total = sum(together.values())
        inside = sum(n for other, n in together.items() if rank_of.get(other) == rank)
        papers = int(bipartite.nodes[node].get("paper_count", 0))
        score = papers * inside / total if total else float(papers)
        return (-score, -papers, str(bipartite.nodes[node].get("label", "")).casefold(), node)

    named = sorted(ordered[:_NAME_CANDIDATES], key=characteristic)[:NAME_CONCEPTS]
    name = " · ".join(str(bipartite.nodes[n].get("label", n)) for n in named)
    return Community(rank, name, tuple(concept_ref(bipartite, n) for n in ordered))


def community_description(method: str, weighting: str, resolution: float, seed: int) -> str:
    return (
        f"{method} weight={weighting} resolution={resolution} seed={seed}"
        if method == "louvain"
        else (f"{method} weight={weighting} resolution={resolution}")
    )


def community_triples(communities: Sequence[Community], description: str) -> list[ox.Triple]:
    """The communities as RDF: each a kg:Community with a name, rank, size and method; members kg:community it."""

    def node(iri: object) -> ox.NamedNode:
        return ox.NamedNode(str(iri))

    integer = node(XSD.integer)
    triples: list[ox.Triple] = []
    for community in communities:
        subject = node(community.iri)
        triples += [
            ox.Triple(subject, node(RDF.type), node(KG.Community)),
            ox.Triple(subject, node(RDFS.label), ox.Literal(community.name)),
            ox.Triple(subject, node(KG.communityRank), ox.Literal(str(community.rank), datatype=integer)),
            ox.Triple(subject, node(KG.communitySize), ox.Literal(str(community.size), datatype=integer)),
            ox.Triple(subject, node(KG.communityMethod), ox.Literal(description)),
        ]
        triples += [ox.Triple(node(m.iri), node(KG.community), subject) for m in community.members]
    return triples


def write_communities(store: AnnotatedStore, communities: Sequence[Community], description: str) -> bool:
    """Replace the store's communities by `communities` (one commit; none when unchanged)."""
    return store.replace_annotations(
        [str(KG.community)], [str(KG.Community)], community_triples(communities, description)
    )


def refresh_communities(
    store: AnnotatedStore,
    *,
    method: str = "louvain",
    weighting: str = "jaccard",
    seed: int = 0,
    resolution: float = 1.0,
) -> tuple[Community, ...]:
    """Detect the communities of the store's concepts and write them back (see `write_communities`)."""
    from kg.views import paper_concept_graph

    bipartite = paper_concept_graph(store.oxigraph, paper_details=False)
    communities = detect_communities(bipartite, weighting=weighting, method=method, seed=seed, resolution=resolution)
    write_communities(store, communities, community_description(method, weighting, resolution, seed))
    return communities


@dataclass(frozen=True)
class StoredCommunity:
    iri: str
    rank: int
    name: str
    size: int


def stored_communities(store: ox.Store) -> tuple[dict[str, StoredCommunity], dict[str, str]]:
    """The store's communities by IRI, and each concept's community IRI; both empty when none were written."""
    query = (
        "SELECT ?c ?rank ?name ?size WHERE { ?c a kg:Community ; kg:communityRank ?rank ; rdfs:label ?name ; "
        "kg:communitySize ?size }"
    )
    communities: dict[str, StoredCommunity] = {}
    solutions = store.query(query, prefixes=PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions), "a SELECT query yields solutions"
    for iri, rank, name, size in (tuple(row) for row in solutions):
        if isinstance(iri, ox.NamedNode) and all(isinstance(t, ox.Literal) for t in (rank, name, size)):
            with contextlib.suppress(ValueError):
                communities[iri.value] = StoredCommunity(iri.value, int(rank.value), name.value, int(size.value))
    membership: dict[str, str] = {}
    if communities:
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(KG.community)), None, ox.DefaultGraph()):
            subject, obj = quad.subject, quad.object
            if isinstance(subject, ox.NamedNode) and isinstance(obj, ox.NamedNode) and obj.value in communities:
                membership[subject.value] = obj.value
    return communities, membership


# ------------------------------------------------------------------------------------------------- ranking


def rank_concepts(
    graph: nx.Graph, *, by: str = "pagerank", limit: int | None = 20, kind: str | None = None
) -> tuple[RankedConcept, ...]:
    """Concepts of a co-occurrence graph ranked by weighted PageRank, degree or paper count (ties: label, IRI).

    PageRank runs on edges of positive weight (igraph's PRPACK solver: exact, no random start).
    """
    if by not in RANK_BY:
        raise UsageError(f"unknown ranking {by!r}; choose one of {', '.join(RANK_BY)}")
    _check_kind(kind)
    scores = pagerank(graph)
    ranked = [
        RankedConcept(
            concept_ref(graph, n),
            graph.degree(n),
            float(sum(w for _, _, w in graph.edges(n, data="weight"))),
            scores.get(n, 0.0),
        )
        for n in graph
        if kind is None or graph.nodes[n]["kind"] == kind
    ]

    def key(r: RankedConcept) -> tuple[float, float, str, str]:
        primary = {"pagerank": r.pagerank, "degree": float(r.degree), "papers": float(r.concept.paper_count)}[by]
        return (-primary, -r.pagerank, r.concept.label.casefold(), r.concept.iri)

    ranked.sort(key=key)
    return tuple(ranked if limit is None else ranked[:limit])


def pagerank(graph: nx.Graph, damping: float = 0.85) -> dict[str, float]:
    """Weighted PageRank of every node, by igraph (C) on the positive-weight edges."""
    positive = nx.Graph()
    positive.add_nodes_from(graph)
    positive.add_weighted_edges_from((a, b, w) for a, b, w in graph.edges(data="weight", default=1.0) if w > 0)
    nodes, converted = to_igraph(positive)
    if not nodes:
        return {}
    scores = converted.pagerank(weights="weight" if converted.ecount() else None, damping=damping, directed=False)
    return dict(zip(nodes, scores, strict=True))


# -------------------------------------------------------------------------------------------------- trends


def trends(
    bipartite: nx.Graph,
    *,
    window: int = 3,
    limit: int = 10,
    kind: str | None = None,
    min_papers: int = 2,
    track: Sequence[str] = (),
) -> TrendReport:
    """Papers per concept per month, and the concepts whose share of papers rose most between the last `window`
    months with dated papers and the `window` months before them.

    Shares rather than counts, because the number of papers differs from month to month: a concept named by
    10 of 100 papers and then by 30 of 300 did not rise. Concepts need `min_papers` in the recent window to
    rank. `track` lists concept IRIs whose series are reported whatever their rise.
    """
    if window < 1:
        raise UsageError(f"the window must be at least one month, not {window}")
    _check_kind(kind)
    month_of: dict[str, str] = {}
    undated = 0
    for paper in papers_of(bipartite):
        if bipartite.degree(paper) == 0:
            continue
        date = str(bipartite.nodes[paper].get("date", ""))
        if len(date) >= 7 and date[4] == "-":
            month_of[paper] = date[:7]
        else:
            undated += 1
    if not month_of:
        return TrendReport((), (), (), (), undated, ())
    months = _month_range(min(month_of.values()), max(month_of.values()))
    position = {m: i for i, m in enumerate(months)}
    per_month = [0] * len(months)
    for month in month_of.values():
        per_month[position[month]] += 1
    recent = months[-window:]
    previous = months[max(0, len(months) - 2 * window) : len(months) - window]
    recent_total = sum(per_month[position[m]] for m in recent)
    previous_total = sum(per_month[position[m]] for m in previous)

    def trend(concept: str) -> ConceptTrend:
        series = [0] * len(months)
        for paper in bipartite[concept]:
            if paper in month_of:
                series[position[month_of[paper]]] += 1
        now = sum(series[position[m]] for m in recent)
        before = sum(series[position[m]] for m in previous)
        return ConceptTrend(
            concept_ref(bipartite, concept),
            tuple(series),
            now,
            before,
            now / recent_total if recent_total else 0.0,
            before / previous_total if previous_total else 0.0,
        )

    candidates = [trend(c) for c in concepts_of(bipartite) if kind is None or bipartite.nodes[c]["kind"] == kind]
    rising = sorted(
        (t for t in candidates if t.recent >= min_papers and t.rise > 0),
        key=lambda t: (-t.rise, -t.recent, t.concept.label.casefold(), t.concept.iri),
    )
    return TrendReport(
        tuple(months),
        tuple(per_month),
        tuple(recent),
        tuple(previous),
        undated,
        tuple(rising[:limit]),
        tuple(trend(c) for c in track),
    )


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# ------------------------------------------------------------------------------------------ related papers


def related_papers(
    bipartite: nx.Graph, paper: str, *, method: str = "jaccard", limit: int = 10
) -> tuple[RelatedPaper, ...]:
    """Papers sharing concepts with `paper` (an IRI), most related first.

    "jaccard" is the weighted Jaccard similarity of the two concept sets, each concept weighted by its inverse
    paper frequency log(N / papers naming it), so sharing a rare dataset counts more than sharing "accuracy".
    "adamic-adar" sums 1 / log(papers naming it) over the shared concepts.
    """
    if method not in RELATED_METHODS:
        raise UsageError(f"unknown similarity {method!r}; choose one of {', '.join(RELATED_METHODS)}")
    papers = sum(1 for p in papers_of(bipartite) if bipartite.degree(p) > 0)
    own = set(bipartite[paper])

    def idf(concept: str) -> float:
        return math.log(papers / bipartite.degree(concept))

    candidates = sorted({other for c in own for other in bipartite[c] if other != paper})
    related = []
    for other in candidates:
        theirs = set(bipartite[other])
        shared = own & theirs
        if method == "jaccard":
            union = sum(idf(c) for c in own | theirs)
            score = sum(idf(c) for c in shared) / union if union > 0 else 0.0
        else:
            score = sum(1 / math.log(bipartite.degree(c)) for c in shared)
        ordered = sorted(shared, key=lambda c: (bipartite.degree(c), str(bipartite.nodes[c].get("label", "")), c))
        related.append(
            RelatedPaper(paper_ref(bipartite, other), score, tuple(concept_ref(bipartite, c) for c in ordered))
        )
    related.sort(key=lambda r: (-r.score, -len(r.shared), r.paper.title.casefold(), r.paper.iri))
    return tuple(related[:limit])


# ---------------------------------------------------------------------------------------------------- path


def concept_path(bipartite: nx.Graph, source: str, target: str, *, max_papers: int = 5) -> ConceptPath | None:
    """The shortest chain of co-occurring concepts from `source` to `target` (IRIs), with the papers that link
    each step (newest first, at most `max_papers` per step); None when they are not connected.

    Fewest steps first; among chains of equal length, the one whose steps have the highest Jaccard similarity,
    so a chain goes through a concept specific to both ends rather than through one that every paper names.
    """
    graph = concept_graph(bipartite, "jaccard")
    if source not in graph or target not in graph:
        return None
    scale = graph.number_of_nodes() + 1  # the tie-break of a whole chain stays below one step

    def cost(a: str, b: str, data: Mapping[str, float]) -> float:
        return 1.0 + (1.0 - data["weight"]) / scale

    try:
        nodes = nx.dijkstra_path(graph, source, target, weight=cost)
    except nx.NetworkXNoPath:
        return None
    steps = []
    for a, b in itertools.pairwise(nodes):
        shared = set(bipartite[a]) & set(bipartite[b])
        ordered = sorted(shared, key=lambda p: (str(bipartite.nodes[p].get("date", "")), p), reverse=True)
        steps.append(
            PathStep(
                concept_ref(bipartite, a),
                concept_ref(bipartite, b),
                tuple(paper_ref(bipartite, p) for p in ordered[:max_papers]),
            )
        )
    return ConceptPath(tuple(concept_ref(bipartite, n) for n in nodes), tuple(steps))


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in CONCEPT_TYPES:
        raise UsageError(f"unknown concept type {kind!r}; choose one of {', '.join(CONCEPT_TYPES)}")


def require_concepts(bipartite: nx.Graph) -> None:
    """Refuse to analyse a graph without concepts (an empty store, or one built before any extraction)."""
    if not concepts_of(bipartite):
        raise KgError("the store holds no concepts yet; run `kg build` first")


__all__ = [
    "COMMUNITY_METHODS",
    "RANK_BY",
    "RELATED_METHODS",
    "WEIGHTINGS",
    "Community",
    "ConceptPath",
    "ConceptRef",
    "ConceptTrend",
    "PaperRef",
    "PathStep",
    "RankedConcept",
    "RelatedPaper",
    "StoredCommunity",
    "TrendReport",
    "community_triples",
    "concept_graph",
    "concept_path",
    "detect_communities",
    "edge_weight",
    "find_concept",
    "find_paper",
    "pagerank",
    "rank_concepts",
    "refresh_communities",
    "related_papers",
    "stored_communities",
    "trends",
    "write_communities",
]
