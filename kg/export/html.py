"""The interactive HTML concept map: one self-contained page that works offline, safely, at corpus scale.

`render_map(store, options)` returns the page as a string (for `kg export --format html`, `kg view`, and any
server that wants to mount it); `write_map` writes it atomically.

How it is built:

* **Selection** (`MapOptions`): concept types, an ego network around a concept, nodes picked by a SPARQL
  SELECT or CONSTRUCT, the top N by paper count, a minimum paper count, and optionally the papers themselves.
* **Model**: pyvis's `Node`/`Edge` records and its `Network` options (physics, edge hiding); the drawing is done
  by the vis-network bundle that the pyvis wheel ships, read from the installed package at run time and inlined.
  pyvis's own `add_node`/`add_edge` check membership in lists (quadratic: 11-12 s for 10,000 nodes) and its
  templates link Bootstrap from a CDN and insert titles as HTML, so the page comes from this package's own
  template (`kg/export/map/`), with its own escaping.
* **Layout**: computed here (`kg.export.layout`, communities as regions), physics off, so the map is interactive
  as soon as it is drawn; edges are capped to each node's strongest few.
* **Safety**: every string reaches the page inside one JSON document in a `<script type="application/json">`
  block with `<`, `>` and `&` escaped, so no text can close the block; the page's script only ever puts text
  into the DOM through `textContent`, and links only URLs whose scheme is http or https (checked here and in the
  browser). A Content-Security-Policy allows only the page's own scripts (by hash) and no network access at all.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import html
import importlib.resources
import json
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.analytics import (
    StoredCommunity,
    concept_graph,
    concepts_of,
    detect_communities,
    find_concept,
    require_concepts,
    stored_communities,
)
from kg.atomic import atomic_write_text
from kg.errors import KgError, UsageError
from kg.export.layout import community_layout
from kg.records import CONCEPT_TYPES
from kg.views import concept_aliases, cooccurrence_counts, paper_concept_graph

DEFAULT_TOP = 300  # concepts drawn when no selection is given: a map a newcomer can read at first glance
EDGES_PER_NODE = (5, 2)  # strongest edges kept per node (by Jaccard similarity), on small and on large maps
EVIDENCE_PER_CONCEPT = 3  # evidence sentences embedded per concept
LARGE_MAP = 2000  # above this many nodes, edges hide while panning and zooming
VIS_ASSET = "lib/vis-9.1.2/vis-network.min.js"  # inside the installed pyvis package

# Okabe & Ito's colour-blind-safe palette for the types; shapes tell them apart without colour too.
TYPE_STYLE: dict[str, tuple[str, str, str]] = {  # kind -> (legend name, colour, vis-network shape)
    "method": ("Method", "#0072B2", "dot"),
    "dataset": ("Dataset", "#E69F00", "square"),
    "hardware": ("Hardware", "#CC79A7", "triangle"),
    "metric": ("Metric", "#009E73", "diamond"),
    "task": ("Task", "#D55E00", "star"),
    "paper": ("Paper", "#555555", "triangleDown"),
}
# Paul Tol's "muted" palette (colour-blind safe) for the largest communities; the others share the grey.
COMMUNITY_COLOURS: tuple[str, ...] = (
    "#CC6677",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)
OTHER_COLOUR = "#B8B8B8"

_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{\{(TITLE|CSP|STYLE|VIS|DATA|APP)\}\}")


@dataclass(frozen=True)
class MapOptions:
    """What to draw. With no selection at all, the `DEFAULT_TOP` concepts with the most papers are drawn."""

    types: tuple[str, ...] = ()  # concept types to draw; empty: all
    concept: str | None = None  # centre of an ego network ...
    depth: int = 1  # ... of this many co-occurrence steps
    query: str | None = None  # SPARQL SELECT or CONSTRUCT whose IRIs pick the nodes
    query_source: str = "<query>"  # how errors name the query (its file)
    top: int | None = None  # keep the N concepts with the most papers
    min_papers: int = 1  # keep concepts named by at least this many papers
    papers: bool = False  # also draw the papers of the drawn concepts
    physics: bool = False  # let vis-network's physics move nodes from the computed layout
    title: str = "Concept map"

    def check(self) -> None:
        unknown = sorted(set(self.types) - set(CONCEPT_TYPES))
        if unknown:
            raise UsageError(f"unknown concept type {', '.join(unknown)}; choose from {', '.join(CONCEPT_TYPES)}")
        if self.depth < 1:
            raise UsageError(f"--depth must be at least 1, not {self.depth}")
        if self.top is not None and self.top < 1:
            raise UsageError(f"--top must be at least 1, not {self.top}")
        if self.min_papers < 1:
            raise UsageError(f"--min-papers must be at least 1, not {self.min_papers}")

    @property
    def effective_top(self) -> int | None:
        """The top-N cap in force: the default one only when nothing else narrows the selection."""
        if self.top is not None:
            return self.top
        narrowed = self.concept is not None or self.query is not None or self.min_papers > 1 or bool(self.types)
        return None if narrowed else DEFAULT_TOP


@dataclass(frozen=True)
class MapSelection:
    """The nodes and edges to draw, with everything the page shows about them."""

    graph: nx.Graph  # drawn nodes (concepts, and papers with --papers) and drawn edges
    bipartite: nx.Graph  # the store's paper-concept projection (for papers and dates)
    community_of: Mapping[str, str]  # concept IRI -> community IRI
    communities: Mapping[str, StoredCommunity]
    aliases: Mapping[str, tuple[str, ...]]
    concepts_total: int


# ------------------------------------------------------------------------------------------------ selection


def select(store: ox.Store, options: MapOptions) -> MapSelection:
    """Choose the nodes and edges of the map (see `MapOptions`) and attach communities."""
    options.check()
    bipartite = paper_concept_graph(store)
    require_concepts(bipartite)
    aliases = concept_aliases(store)
    candidates = [
        c
        for c in concepts_of(bipartite)
        if (not options.types or bipartite.nodes[c]["kind"] in options.types)
        and bipartite.degree(c) >= options.min_papers
    ]
    if options.query is not None:
        picked = _query_nodes(store, options.query, options.query_source)
        chosen = set(candidates) & picked
        if options.papers:
            chosen |= {c for p in picked if bipartite.nodes.get(p, {}).get("kind") == "paper" for c in bipartite[p]}
            chosen &= set(candidates)
        candidates = sorted(chosen)
    if options.concept is not None:
        centre = find_concept(bipartite, options.concept, aliases)
        if centre not in candidates:
            candidates = sorted({*candidates, centre})
        around = concept_graph(bipartite, concepts=candidates)
        candidates = sorted(nx.ego_graph(around, centre, radius=options.depth))
    ranked = sorted(
        candidates, key=lambda c: (-bipartite.degree(c), str(bipartite.nodes[c].get("label", "")).casefold(), c)
    )
    top = options.effective_top
    if top is not None:
        ranked = ranked[:top]
    if not ranked:
        raise UsageError("the selection is empty: no concept matches the given options")

    communities, community_of = stored_communities(store)
    if not communities:  # a store without stored communities (built before they existed): compute them here
        found = detect_communities(bipartite)
        communities = {c.iri: StoredCommunity(c.iri, c.rank, c.name, c.size) for c in found}
        community_of = {m.iri: c.iri for c in found for m in c.members}

    graph = _drawn_graph(bipartite, ranked, options.papers)
    return MapSelection(graph, bipartite, community_of, communities, aliases, len(concepts_of(bipartite)))


def _query_nodes(store: ox.Store, sparql: str, source: str) -> set[str]:
    """Every IRI a SELECT binds or a CONSTRUCT/DESCRIBE mentions."""
    from kg.query import run_query

    result = run_query(store, sparql, source=source)
    if result.kind == "bindings":
        terms: Iterable[object] = (term for row in result.solutions for term in row)
    elif result.kind == "graph":
        terms = (term for triple in result.triples for term in (triple.subject, triple.object))
    else:
        raise UsageError(f"{source}: an ASK query picks no nodes; use SELECT or CONSTRUCT")
    return {term.value for term in terms if isinstance(term, ox.NamedNode)}


def _drawn_graph(bipartite: nx.Graph, concepts: Sequence[str], with_papers: bool) -> nx.Graph:
    """The drawn graph: the concepts with their strongest co-occurrence edges, or, with papers, the concepts,
    their papers and the paper-concept edges."""
    graph = nx.Graph()
    graph.add_nodes_from((c, bipartite.nodes[c]) for c in concepts)
    if with_papers:
        papers = sorted({p for c in concepts for p in bipartite[c]})
        graph.add_nodes_from((p, bipartite.nodes[p]) for p in papers)
        graph.add_edges_from((p, c, {"weight": 1.0, "count": 1}) for p in papers for c in bipartite[p] if c in graph)
        return graph
    per_node = EDGES_PER_NODE[0] if len(concepts) <= LARGE_MAP else EDGES_PER_NODE[1]
    graph.add_edges_from(strongest_edges(bipartite, concepts, per_node))
    return graph


def strongest_edges(
    bipartite: nx.Graph, concepts: Collection[str], per_node: int
) -> list[tuple[str, str, dict[str, Any]]]:
    """The union over `concepts` of each one's `per_node` co-occurrence edges of highest Jaccard similarity
    (ties: the neighbour's IRI), sorted, with `weight` (Jaccard) and `count` (shared papers).

    A global weight threshold would keep the dense core's edges and cut the periphery off; keeping each node's
    own strongest links keeps every node attached and the edge count near `per_node` times the nodes. Counted
    straight from the papers, without building the co-occurrence graph (200k edges for 10,000 corpus concepts).
    """
    counts = cooccurrence_counts(bipartite, set(concepts))
    degree = {c: bipartite.degree(c) for c in concepts}
    around: dict[str, list[tuple[float, str]]] = {}
    for (a, b), shared in counts.items():
        similarity = shared / (degree[a] + degree[b] - shared)
        around.setdefault(a, []).append((-similarity, b))
        around.setdefault(b, []).append((-similarity, a))
    kept = {
        (node, other) if node < other else (other, node)
        for node, edges in around.items()
        for _, other in heapq.nsmallest(per_node, edges)
    }
    return [
        (a, b, {"weight": counts[a, b] / (degree[a] + degree[b] - counts[a, b]), "count": counts[a, b]})
        for a, b in sorted(kept)
    ]


# ------------------------------------------------------------------------------------------------ rendering


def render_map(store: ox.Store, options: MapOptions | None = None) -> str:
    """The concept map of `store` as one self-contained HTML page (see the module docstring)."""
    options = options or MapOptions()
    selection = select(store, options)
    data = map_data(selection, options, _evidence(store, [n for n in selection.graph if _is_concept(selection, n)]))
    return render_page(data, options.title)


def write_map(store: ox.Store, path: Path, options: MapOptions | None = None) -> Path:
    """Write the map to `path` atomically and return it."""
    atomic_write_text(Path(path), render_map(store, options))
    return Path(path)


def _is_concept(selection: MapSelection, node: str) -> bool:
    return selection.graph.nodes[node]["kind"] != "paper"


def map_data(
    selection: MapSelection, options: MapOptions, evidence: Mapping[str, Sequence[tuple[str, str, str]]]
) -> dict[str, Any]:
    """The JSON document the page's script reads: vis-network nodes and edges (pyvis records), and the tables
    behind the panel (papers, evidence), legend and filters."""
    from pyvis.edge import Edge
    from pyvis.node import Node

    graph, bipartite = selection.graph, selection.bipartite
    order = sorted(graph, key=lambda n: (graph.nodes[n]["kind"] == "paper", -bipartite.degree(n), n))
    index = {node: i for i, node in enumerate(order)}
    drawn_communities = _community_table(selection, order)
    rank_colour = {c["iri"]: c["color"] for c in drawn_communities}
    importance = {n: float(bipartite.degree(n)) for n in graph}
    values = {n: math.sqrt(bipartite.degree(n)) for n in graph}
    radii = _drawn_radii(values)
    community_of = {n: selection.community_of.get(n) for n in graph}
    positions = community_layout(graph, community_of, importance, radii)

    papers: dict[str, int] = {}
    paper_rows: list[list[str | None]] = []

    def paper_index(iri: str) -> int:
        if iri not in papers:
            attrs = bipartite.nodes[iri]
            papers[iri] = len(paper_rows)
            paper_rows.append(
                [
                    str(attrs.get("label", iri)),
                    str(attrs["date"]) if attrs.get("date") else None,
                    safe_url(_paper_link(attrs)),
                    safe_url(str(attrs["code"])) if attrs.get("code") else None,
                ]
            )
        return papers[iri]

    nodes, info = [], []
    for node in order:
        attrs = graph.nodes[node]
        kind = str(attrs["kind"])
        _, type_colour, shape = TYPE_STYLE.get(kind, TYPE_STYLE["method"])
        community = selection.community_of.get(node)
        colour = rank_colour.get(community, OTHER_COLOUR) if len(drawn_communities) > 1 else type_colour
        x, y = positions[node]
        count = bipartite.degree(node)
        label = str(attrs.get("label", node))
        nodes.append(
            Node(
                index[node],
                shape,
                label=_short(label) if kind == "paper" else label,
                color=colour,
                value=round(values[node], 3),
                x=x,
                y=y,
            ).options
        )
        own_papers = sorted(bipartite[node], key=lambda p: (str(bipartite.nodes[p].get("date", "")), p), reverse=True)
        record: dict[str, Any] = {
            "iri": node,
            "label": label,
            "kind": kind,
            "papers": count,
            "typeColor": type_colour,
            "community": community if community in rank_colour else None,
        }
        if kind == "paper":
            record["paper"] = paper_index(node)
        else:
            record["aliases"] = list(selection.aliases.get(node, ()))
            record["p"] = [paper_index(p) for p in own_papers]
            record["ev"] = [[paper_index(p), sentence, surface] for p, sentence, surface in evidence.get(node, ())]
        info.append(record)

    edges = [
        Edge(index[a], index[b], value=data.get("count", 1)).options
        if community_of[a] == community_of[b]
        else Edge(index[a], index[b], value=data.get("count", 1), color=_BETWEEN_COMMUNITIES).options
        for a, b, data in graph.edges(data=True)
    ]
    total_papers = sum(1 for _, kind in bipartite.nodes(data="kind") if kind == "paper")
    kinds_drawn = sorted({str(k) for _, k in graph.nodes(data="kind")}, key=list(TYPE_STYLE).index)
    return {
        "title": options.title,
        "summary": {
            "concepts": sum(1 for r in info if r["kind"] != "paper"),
            "conceptsTotal": selection.concepts_total,
            "papersDrawn": sum(1 for r in info if r["kind"] == "paper"),
            "papersTotal": total_papers,
            "edges": len(edges),
        },
        "types": [
            {"kind": k, "name": TYPE_STYLE[k][0], "color": TYPE_STYLE[k][1], "shape": TYPE_STYLE[k][2]}
            for k in kinds_drawn
        ],
        "communities": [
            {"iri": c["iri"], "name": c["name"], "size": c["size"], "drawn": c["drawn"], "color": c["color"]}
            for c in drawn_communities
        ],
        "otherColor": OTHER_COLOUR,
        "colorBy": "community" if len(drawn_communities) > 1 else "type",
        "large": len(nodes) > LARGE_MAP,
        "nodes": nodes,
        "info": info,
        "edges": edges,
        "papers": paper_rows,
        "options": vis_options(options.physics, len(nodes) > LARGE_MAP, _extent(positions.values())),
    }


NODE_SIZE = (8.0, 44.0)  # drawn radius of the node with the fewest and the most papers (vis-network scaling)
_BETWEEN_COMMUNITIES = {"color": "#8a8f98", "opacity": 0.18}  # edges between regions stay in the background


def _drawn_radii(values: Mapping[str, float]) -> dict[str, float]:
    """The radius vis-network draws each node at: its `value` scaled linearly between NODE_SIZE."""
    low, high = min(values.values(), default=0.0), max(values.values(), default=0.0)
    span = high - low
    return {
        n: NODE_SIZE[0] + (NODE_SIZE[1] - NODE_SIZE[0]) * ((v - low) / span if span else 0.5) for n, v in values.items()
    }


def _community_table(selection: MapSelection, order: Sequence[str]) -> list[dict[str, Any]]:
    """The communities present on the map, largest on the map first; the first ones get palette colours."""
    drawn: dict[str, int] = {}
    for node in order:
        community = selection.community_of.get(node)
        if community is not None and community in selection.communities:
            drawn[community] = drawn.get(community, 0) + 1
    ordered = sorted(drawn, key=lambda iri: (-drawn[iri], selection.communities[iri].rank))
    return [
        {
            "iri": iri,
            "name": selection.communities[iri].name,
            "size": selection.communities[iri].size,
            "drawn": drawn[iri],
            "color": COMMUNITY_COLOURS[i] if i < len(COMMUNITY_COLOURS) else OTHER_COLOUR,
        }
        for i, iri in enumerate(ordered)
    ]


def _extent(points: Iterable[tuple[float, float]]) -> float:
    """The width of the square that holds every node, in vis-network units."""
    return 2 * max((max(abs(x), abs(y)) for x, y in points), default=0.0) + 2 * NODE_SIZE[1]


VIEWPORT = 1200  # pixels a map is typically shown at: the zoom at which the whole map fits is VIEWPORT / extent
TOP_LABEL_PIXELS = 24  # on-screen size of the largest node's label when the whole map is in view


def vis_options(physics: bool, large: bool, extent: float = 0.0) -> dict[str, Any]:
    """vis-network options: pyvis's `Network` defaults with physics, smoothing and edge hiding set for a laid-out
    map, and label scaling so that at low zoom only the labels of the nodes with most papers are drawn.

    Label sizes grow with a node's papers up to a maximum chosen so that, with the whole map in view, the
    largest labels are TOP_LABEL_PIXELS high and those of small nodes fall under the drawing threshold; zooming
    in brings the others above it, and no label is ever drawn larger than `maxVisible` pixels."""
    fit_scale = VIEWPORT / extent if extent > 0 else 1.0
    label_max = min(600.0, max(34.0, TOP_LABEL_PIXELS / fit_scale))
    from pyvis.network import Network

    network = Network(directed=False, cdn_resources="in_line")
    network.toggle_physics(physics)
    network.toggle_hide_edges_on_drag(large)
    network.toggle_drag_nodes(True)
    options: dict[str, Any] = json.loads(network.options.to_json())
    options["edges"] = {
        "smooth": False,
        "color": {"color": "#8a8f98", "highlight": "#1a1a1a", "hover": "#1a1a1a", "opacity": 0.45},
        "scaling": {"min": 0.6, "max": 5},
        "selectionWidth": 2,
    }
    options["interaction"].update(
        {"hover": True, "tooltipDelay": 150, "hideEdgesOnZoom": large, "keyboard": {"enabled": True}}
    )
    options["nodes"] = {
        "borderWidth": 1,
        "borderWidthSelected": 3,
        "scaling": {
            "min": NODE_SIZE[0],
            "max": NODE_SIZE[1],
            "label": {"enabled": True, "min": 14, "max": round(label_max), "maxVisible": 30, "drawThreshold": 9},
        },
        "font": {
            "size": 14,
            "face": "system-ui, sans-serif",
            "color": "#1a1a1a",
            "strokeWidth": 4,
            "strokeColor": "#ffffff",
        },
    }
    options["layout"] = {"improvedLayout": False, "randomSeed": 0}
    if physics:
        options["physics"].update({"stabilization": {"enabled": True, "iterations": 200, "fit": True}})
    return options


def _paper_link(attrs: Mapping[str, Any]) -> str | None:
    if attrs.get("arxiv_id"):
        return f"https://arxiv.org/abs/{attrs['arxiv_id']}"
    return str(attrs["url"]) if attrs.get("url") else None


def safe_url(url: str | None) -> str | None:
    """`url` if it is an http(s) URL without characters that could leave an attribute; None otherwise
    (javascript:, data:, relative or malformed URLs never become links)."""
    return url if url is not None and _SAFE_URL.match(url) else None


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _evidence(store: ox.Store, concepts: Sequence[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Up to `EVIDENCE_PER_CONCEPT` (paper, sentence, surface text) per concept, one per paper, from its first
    mentions in the store's index order (the same for the same data); read by index lookups, concept by concept,
    stopping as soon as enough are found (a concept in 3,000 papers has over 10,000 mentions)."""
    denotes = ox.NamedNode("https://w3id.org/kg-ml/ontology#denotes")
    sentence_p = ox.NamedNode("https://w3id.org/kg-ml/ontology#sentence")
    surface_p = ox.NamedNode("https://w3id.org/kg-ml/ontology#surfaceText")
    derived = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    found: dict[str, list[tuple[str, str, str]]] = {}
    for concept in concepts:
        rows: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for denoting in store.quads_for_pattern(None, denotes, ox.NamedNode(concept)):
            node = denoting.subject
            if not isinstance(node, ox.NamedNode):
                continue
            values = {}
            for predicate in (sentence_p, surface_p, derived):
                quad = next(store.quads_for_pattern(node, predicate, None), None)
                if quad is not None and isinstance(quad.object, ox.NamedNode | ox.Literal):
                    values[predicate.value] = quad.object.value
            paper = values.get(derived.value)
            if paper is None or paper in seen or sentence_p.value not in values:
                continue
            seen.add(paper)
            rows.append((paper, values[sentence_p.value], values.get(surface_p.value, "")))
            if len(rows) == EVIDENCE_PER_CONCEPT:
                break
        if rows:
            found[concept] = rows
    return found


def render_page(data: Mapping[str, Any], title: str) -> str:
    """Fill the page template: escaped title, inlined styles and scripts, the data block, and a CSP that allows
    exactly these scripts and no network access."""
    assets = importlib.resources.files("kg.export") / "map"
    template = (assets / "template.html").read_text(encoding="utf-8")
    style = (assets / "map.css").read_text(encoding="utf-8")
    app = (assets / "map.js").read_text(encoding="utf-8")
    vis = _vis_bundle()
    payload = json_for_script(data)
    scripts = " ".join(f"'sha256-{_sha256(s)}'" for s in (vis, app))
    csp = (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; "
        "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    values = {
        "TITLE": html.escape(title),
        "CSP": csp,  # constants and base64 digests: nothing to escape in a double-quoted attribute
        "STYLE": style.replace("</", "<\\/"),
        "VIS": vis,
        "DATA": payload,
        "APP": app,
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def json_for_script(data: object) -> str:
    """JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` (and the JavaScript line
    separators) are written as \\u escapes, so no string can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _vis_bundle() -> str:
    """vis-network as shipped in the pyvis wheel, without its source-map comment (nothing to fetch)."""
    try:
        text = (importlib.resources.files("pyvis") / VIS_ASSET).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as error:
        raise KgError(f"the vis-network bundle is missing from the installed pyvis ({VIS_ASSET}): {error}") from None
    text = re.sub(r"//# sourceMappingURL=\S*\s*$", "", text)
    if "</script" in text.lower():
        raise KgError("the vis-network bundle contains '</script' and cannot be inlined")
    return text


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


__all__ = [
    "DEFAULT_TOP",
    "MapOptions",
    "MapSelection",
    "json_for_script",
    "map_data",
    "render_map",
    "render_page",
    "safe_url",
    "select",
    "strongest_edges",
    "write_map",
]
