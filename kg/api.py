"""The Python API for notebooks and scripts: open a built graph read-only, query it, project it to networkx.

    import kg.api
    with kg.api.open(".kg/store") as graph:
        graph.named("top-concepts", type="dataset", limit=5).rows
        graph.query("SELECT ?t WHERE { ?p dcterms:title ?t } LIMIT 3").to_csv()
        graph.to_networkx("cooccurrence", min_weight=2)
        graph.related("2401.00001", method="adamic-adar")      # graph analytics (kg.analytics)
        graph.path("LoRA", "ImageNet").steps
        graph.communities()[0].name
        graph.trends(window=3).rising
        html = graph.concept_map(top=200)                       # the HTML concept map as a string

Every call goes through `kg.query` (read-only checks, term-bound parameters, time limits), so the API offers
exactly the guarantees of `kg query`; the CLI is a thin layer over the same functions. The raw pyoxigraph store
is reachable only as `unsafe_store`, named for what it is: its own `query` follows `SERVICE` to any URL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

import networkx as nx
import pyoxigraph as ox

from kg.errors import KgError, UsageError
from kg.paths import DEFAULT_STORE, QUERIES_DIR
from kg.query import NamedQuery, QueryResult, Unmatched, named_queries, run_named, run_query, unmatched_parameters

if TYPE_CHECKING:
    from kg.analytics import (
        Community,
        ConceptPath,
        ConceptRef,
        RankedConcept,
        RelatedPaper,
        StoredCommunity,
        TrendReport,
    )

__all__ = ["KnowledgeGraph", "QueryResult", "open"]


class GraphBackend(Protocol):
    """What a KnowledgeGraph reads from: `kg.store.GraphStore` in practice."""

    @property
    def oxigraph(self) -> ox.Store: ...

    def stats(self) -> dict: ...


def _views() -> dict[str, Callable[..., nx.Graph]]:
    """View name -> projection function; imported on first use so `import kg.api` stays light."""
    from kg import views

    return {"typed": views.typed_graph, "cooccurrence": views.cooccurrence_graph}


class KnowledgeGraph:
    """A read-only handle on a knowledge graph; close it (or use `with`) to release the store."""

    def __init__(self, backend: GraphBackend, *, resources: contextlib.ExitStack | None = None) -> None:
        self._backend: GraphBackend | None = backend
        self._resources = resources or contextlib.ExitStack()
        self._paper_concepts: nx.Graph | None = None

    @property
    def unsafe_store(self) -> ox.Store:
        """The raw pyoxigraph store, UNSAFE with untrusted queries: pyoxigraph's own `query` follows `SERVICE` to any
        URL and has no time limit. Use `query` and `named`, which refuse `SERVICE`, `LOAD` and updates, bind
        parameters as terms and take a timeout; this is for code that needs the store itself (views, exports)."""
        return self._store()

    def _store(self) -> ox.Store:
        if self._backend is None:
            raise KgError("the knowledge graph is closed")
        return self._backend.oxigraph

    def query(
        self, sparql: str, *, timeout: float | None = None, source: str = "<query>", **params: Any
    ) -> QueryResult:
        """Run SPARQL (common prefixes pre-declared); `params` bind variables to RDF terms, never to text.

        The safe path for any query text, trusted or not: `SERVICE`, `LOAD` and updates are refused before
        execution. A bound variable must appear in the SELECT clause (Oxigraph's substitution rule). Strings bind
        as literals; pass a `pyoxigraph.NamedNode` to bind an IRI. `timeout` is in seconds; `source` names the
        query in error messages.
        """
        return run_query(self._store(), sparql, substitutions=params, timeout=timeout, source=source)

    def named(self, name: str, *, timeout: float | None = None, **params: Any) -> QueryResult:
        """Run the named query `kg/queries/<name>.rq` with its declared parameters (see `named_queries()`)."""
        return run_named(self._store(), name, params, timeout=timeout)

    def unmatched(self, name: str, **params: Any) -> list[Unmatched]:
        """The parameters of the named query `name` whose values name nothing in the graph (a concept label, a
        paper), each with the nearest stored names: why `named(name, **params)` came back empty, if that is why."""
        return unmatched_parameters(self._store(), name, params)

    @staticmethod
    def named_queries(directory: Path = QUERIES_DIR) -> list[NamedQuery]:
        """The named queries with their descriptions, parameters and examples."""
        return named_queries(directory)

    def to_networkx(self, view: str = "typed", **kw: Any) -> nx.Graph:
        """A networkx projection of the graph: "typed" (papers, concepts and their relations) or
        "cooccurrence" (concepts linked by shared papers); `kw` goes to `kg.views`."""
        views = _views()
        if view not in views:
            raise UsageError(f"unknown view {view!r} (views: {', '.join(views)})")
        return views[view](self._store(), **kw)

    # ---- graph analytics (kg.analytics); the paper-concept projection is read once per handle

    def _bipartite(self) -> nx.Graph:
        if self._paper_concepts is None:
            from kg.analytics import require_concepts
            from kg.views import paper_concept_graph

            self._paper_concepts = paper_concept_graph(self._store())
            require_concepts(self._paper_concepts)
        return self._paper_concepts

    def _aliases(self) -> dict[str, tuple[str, ...]]:
        from kg.views import concept_aliases

        return concept_aliases(self._store())

    def concept(self, name: str, kind: str | None = None) -> ConceptRef:
        """The concept called `name` (label or alias, ignoring case; IRI also accepted)."""
        from kg import analytics

        graph = self._bipartite()
        return analytics.concept_ref(graph, analytics.find_concept(graph, name, self._aliases(), kind))

    def related(self, paper: str, *, method: str = "jaccard", limit: int = 10) -> tuple[RelatedPaper, ...]:
        """Papers sharing concepts with `paper` (arXiv id, IRI, title or a unique part of it), most related first;
        `method` is "jaccard" (weighted by rarity) or "adamic-adar"."""
        from kg import analytics

        graph = self._bipartite()
        return analytics.related_papers(graph, analytics.find_paper(graph, paper), method=method, limit=limit)

    def path(self, source: str, target: str, *, max_papers: int = 5) -> ConceptPath | None:
        """The shortest chain of co-occurring concepts between two concepts (by name), with connecting papers."""
        from kg import analytics

        graph, aliases = self._bipartite(), self._aliases()
        a, b = (analytics.find_concept(graph, name, aliases) for name in (source, target))
        return analytics.concept_path(graph, a, b, max_papers=max_papers)

    def communities(self, **options: Any) -> tuple[Community, ...]:
        """Communities of the concepts, computed now (`options` go to `kg.analytics.detect_communities`); the
        store keeps the ones `kg build` or `kg communities` wrote, see `stored_communities`."""
        from kg.analytics import detect_communities

        return detect_communities(self._bipartite(), **options)

    def stored_communities(self) -> dict[str, StoredCommunity]:
        """The communities written to the store, by IRI."""
        from kg.analytics import stored_communities

        return stored_communities(self._store())[0]

    def rank(
        self, *, by: str = "pagerank", weighting: str = "count", limit: int | None = 20, kind: str | None = None
    ) -> tuple[RankedConcept, ...]:
        """Concepts ranked by PageRank, degree or paper count on the co-occurrence graph."""
        from kg.analytics import concept_graph, rank_concepts

        return rank_concepts(concept_graph(self._bipartite(), weighting), by=by, limit=limit, kind=kind)

    def trends(self, *, track: tuple[str, ...] = (), **options: Any) -> TrendReport:
        """Papers per concept per month and the fastest-rising concepts (see `kg.analytics.trends`); `track` names
        concepts whose monthly series are wanted whatever their rise."""
        from kg import analytics

        graph, aliases = self._bipartite(), self._aliases()
        tracked = tuple(analytics.find_concept(graph, name, aliases) for name in track)
        return analytics.trends(graph, track=tracked, **options)

    def concept_map(self, **options: Any) -> str:
        """The self-contained HTML concept map as a string; `options` are `kg.export.html.MapOptions` fields."""
        from kg.export.html import MapOptions, render_map

        return render_map(self._store(), MapOptions(**options))

    def stats(self) -> dict:
        """Counts of papers, concepts by type, repositories, organisations and triples."""
        if self._backend is None:
            raise KgError("the knowledge graph is closed")
        return self._backend.stats()

    def close(self) -> None:
        self._backend = None
        self._paper_concepts = None
        self._resources.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open(store: Path | str | None = None) -> KnowledgeGraph:
    """Open the graph built at `store` (default `.kg/store`) read-only; raises KgError if there is none."""
    from kg.store import GraphStore

    resources = contextlib.ExitStack()
    backend = resources.enter_context(GraphStore.open(Path(store) if store is not None else DEFAULT_STORE))
    return KnowledgeGraph(backend, resources=resources)
