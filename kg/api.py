"""The Python API for notebooks and scripts: open a built graph read-only, query it, project it to networkx.

    import kg.api
    with kg.api.open(".kg/store") as graph:
        graph.named("top-concepts", type="dataset", limit=5).rows
        graph.query("SELECT ?t WHERE { ?p dcterms:title ?t } LIMIT 3").to_csv()
        graph.to_networkx("cooccurrence", min_weight=2)

Every call goes through `kg.query` (read-only checks, term-bound parameters, time limits), so the API offers
exactly the guarantees of `kg query`; the CLI is a thin layer over the same functions. The raw pyoxigraph store
is reachable only as `unsafe_store`, named for what it is: its own `query` follows `SERVICE` to any URL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import networkx as nx
import pyoxigraph as ox

from kg.errors import KgError, UsageError
from kg.paths import DEFAULT_STORE, QUERIES_DIR
from kg.query import NamedQuery, QueryResult, Unmatched, named_queries, run_named, run_query, unmatched_parameters

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

    def stats(self) -> dict:
        """Counts of papers, concepts by type, repositories, organisations and triples."""
        if self._backend is None:
            raise KgError("the knowledge graph is closed")
        return self._backend.stats()

    def close(self) -> None:
        self._backend = None
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
