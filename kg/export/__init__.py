"""Exports of the store: RDF in five serialisations, GraphML projections for graph tools, and the HTML map.

`export` is the single entry point used by `kg export` and `kg build`; `export_rdf`, `write_graphml` and
`write_map` are the mechanisms behind it, usable on their own (for instance `write_graphml` on any networkx
graph, or `kg.export.html.render_map` for the map as a string).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.errors import UsageError
from kg.export.graphml import write_graphml
from kg.export.html import MapOptions, write_map
from kg.export.rdf import RDF_FORMATS, export_rdf
from kg.paths import DEFAULT_EXPORTS
from kg.views import cooccurrence_graph, typed_graph

# format name -> file extension
EXTENSIONS: dict[str, str] = {
    "ttl": "ttl",
    "nt": "nt",
    "nq": "nq",
    "jsonld": "jsonld",
    "xml": "rdf",
    "graphml": "graphml",
    "html": "html",
}
PROJECTIONS: tuple[str, ...] = ("typed", "cooccurrence")


def default_output(fmt: str) -> Path:
    """Where `fmt` is written when no path is given: ``exports/kg.<ext>``."""
    return DEFAULT_EXPORTS / f"kg.{EXTENSIONS[fmt]}"


def export(
    store: ox.Store,
    fmt: str,
    output: Path | None = None,
    *,
    projection: str = "typed",
    min_weight: int = 1,
    include_evidence: bool = False,
    map_options: MapOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write the store as `fmt` to `output` (default ``exports/kg.<ext>``) atomically, and return the path.

    `projection`, `min_weight` and `include_evidence` choose the networkx view written as GraphML, and
    `map_options` what the HTML map draws; options that do not apply to `fmt` are refused rather than silently
    ignored (RDF formats always carry the whole store). `progress(n)` follows the triples written (RDF formats).
    """
    if fmt not in EXTENSIONS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(EXTENSIONS)}")
    if projection not in PROJECTIONS:
        raise UsageError(f"unknown projection {projection!r}; choose one of {', '.join(PROJECTIONS)}")
    if min_weight < 1:
        raise UsageError(f"the minimum co-occurrence weight must be at least 1, not {min_weight}")
    path = Path(output) if output is not None else default_output(fmt)
    if map_options is not None and fmt != "html":
        raise UsageError(f"map options apply to --format html only, not to {fmt}")
    if fmt == "html":
        if (projection, min_weight, include_evidence) != ("typed", 1, False):
            raise UsageError("projection options apply to --format graphml only, not to html")
        write_map(store, path, map_options)
    elif fmt in RDF_FORMATS:
        if (projection, min_weight, include_evidence) != ("typed", 1, False):
            raise UsageError(f"projection options apply to --format graphml only, not to {fmt}")
        export_rdf(store, fmt, path, progress=progress)
    else:
        write_graphml(_projection(store, projection, min_weight, include_evidence), path)
    return path


def _projection(store: ox.Store, projection: str, min_weight: int, include_evidence: bool) -> nx.Graph:
    if projection == "cooccurrence":
        if include_evidence:
            raise UsageError("evidence nodes belong to the typed projection, not to the co-occurrence graph")
        return cooccurrence_graph(store, min_weight)
    if min_weight != 1:
        raise UsageError("--min-weight applies to the co-occurrence projection only")
    return typed_graph(store, include_evidence=include_evidence)


__all__ = [
    "EXTENSIONS",
    "PROJECTIONS",
    "MapOptions",
    "default_output",
    "export",
    "export_rdf",
    "write_graphml",
    "write_map",
]
