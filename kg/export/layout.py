"""Positions for the concept map, computed before the browser sees it, so a map of any size opens laid out.

Why not let vis-network's physics do it: it needs about two minutes to settle 2,000 nodes in Chromium, and a
force layout of 10,000 nodes (networkx's `spring_layout`: 3 minutes) still draws one hairball. Here the layout
follows the communities instead, so that they show as regions:

1. each community is laid out on its own by Fruchterman-Reingold (igraph, in C), started from a spiral that puts
   its concepts with the most papers in the middle;
2. the communities themselves are laid out as one node each, weighted by the edges between them, and given a disc
   whose area grows with their number of nodes;
3. overlapping discs are pushed apart until none overlaps, and every community is drawn inside its disc.

Every start position is computed, not drawn at random, so the same graph always gets the same picture.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

import networkx as nx

from kg.analytics import igraph_seeded, to_igraph

Point = tuple[float, float]

SPACING = 30.0  # room around each node inside a community, in vis-network units
GAP = 1.5  # space left between community discs, in multiples of SPACING
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def community_layout(
    graph: nx.Graph,
    community: Mapping[str, Hashable],
    importance: Mapping[str, float] | None = None,
    sizes: Mapping[str, float] | None = None,
) -> dict[str, Point]:
    """Positions for every node of `graph`: each community (`community[node]`; nodes without one are grouped
    together) fills a disc, and discs of communities that share edges lie near each other.

    `importance` orders nodes from the middle of their disc outwards (default: degree); `sizes` are the nodes'
    drawn radii (default: all equal), which set each disc's area. Edges pull nodes together.
    """
    if graph.number_of_nodes() == 0:
        return {}
    weight_of = importance if importance is not None else dict(graph.degree())
    groups: dict[Hashable, list[str]] = defaultdict(list)
    for node in sorted(graph):
        groups[community.get(node)].append(node)
    keys = sorted(groups, key=lambda key: (-len(groups[key]), groups[key][0]))
    inner = {key: _inner_layout(graph, groups[key], weight_of) for key in keys}
    radius = {key: _disc_radius(groups[key], sizes) for key in keys}
    centres = _place_discs(graph, keys, groups, community, radius)
    positions: dict[str, list[float]] = {}
    for key in keys:
        cx, cy = centres[key]
        for node, (x, y) in inner[key].items():
            positions[node] = [cx + radius[key] * x, cy + radius[key] * y]
    if sizes:
        _remove_overlaps(positions, sizes, rounds=12 if len(positions) <= 2000 else 2)
    return {node: (round(x, 1), round(y, 1)) for node, (x, y) in sorted(positions.items())}


def _remove_overlaps(positions: dict[str, list[float]], sizes: Mapping[str, float], rounds: int = 12) -> None:
    """Push apart nodes whose drawn discs overlap (plus a margin), a few rounds, looking only at nodes in nearby
    cells of a grid so that 10,000 nodes cost milliseconds per round rather than 50 million comparisons."""
    margin = SPACING / 3
    cell = 2 * max(sizes.values(), default=1.0) + margin
    order = sorted(positions)
    for _ in range(rounds):
        grid: dict[tuple[int, int], list[str]] = defaultdict(list)
        for node in order:
            x, y = positions[node]
            grid[int(x // cell), int(y // cell)].append(node)
        moved = False
        for (gx, gy), members in sorted(grid.items()):
            nearby = [n for dx, dy in _LATER_CELLS for n in grid.get((gx + dx, gy + dy), ())]
            for i, a in enumerate(members):
                for b in members[i + 1 :] + nearby:
                    moved |= _separate_pair(positions[a], positions[b], sizes.get(a, 0.0) + sizes.get(b, 0.0) + margin)
        if not moved:
            break


_LATER_CELLS = ((1, -1), (1, 0), (1, 1), (0, 1))  # each pair of neighbouring cells is compared once


def _separate_pair(a: list[float], b: list[float], need: float) -> bool:
    dx, dy = b[0] - a[0], b[1] - a[1]
    distance = math.hypot(dx, dy)
    if distance >= need:
        return False
    if distance == 0:
        dx, dy, distance = 1.0, 0.0, 1.0
    push = (need - distance) / 2
    a[0] -= dx / distance * push
    a[1] -= dy / distance * push
    b[0] += dx / distance * push
    b[1] += dy / distance * push
    return True


def _disc_radius(nodes: Sequence[str], sizes: Mapping[str, float] | None) -> float:
    """A disc with room for the nodes: each takes a square of its diameter plus SPACING, packed loosely."""
    area = sum((2 * (sizes.get(n, 0.0) if sizes else 0.0) + SPACING) ** 2 for n in nodes)
    return max(SPACING, 1.2 * math.sqrt(area / math.pi))


def spiral(count: int) -> list[Point]:
    """`count` points spread evenly over the unit disc (Vogel's sunflower spiral), the first at the centre."""
    if count == 1:
        return [(0.0, 0.0)]
    return [
        (math.sqrt(i / count) * math.cos(i * _GOLDEN_ANGLE), math.sqrt(i / count) * math.sin(i * _GOLDEN_ANGLE))
        for i in range(count)
    ]


def _inner_layout(graph: nx.Graph, nodes: Sequence[str], weight_of: Mapping[str, float]) -> dict[str, Point]:
    """The nodes of one community inside the unit disc: Fruchterman-Reingold from a spiral, then scaled."""
    ordered = sorted(nodes, key=lambda n: (-weight_of.get(n, 0.0), n))
    start = spiral(len(ordered))
    if len(ordered) < 3:
        return {n: (0.5 * x, 0.5 * y) for n, (x, y) in zip(ordered, start, strict=True)}
    sub = graph.subgraph(ordered)
    names, converted = to_igraph(sub)
    seed = dict(zip(ordered, start, strict=True))
    with igraph_seeded(0):
        coords = converted.layout_fruchterman_reingold(
            seed=[list(seed[n]) for n in names], niter=_iterations(len(ordered)), grid=len(ordered) > 300
        ).coords
    return _to_unit_disc(dict(zip(names, ((float(x), float(y)) for x, y in coords), strict=True)))


def _iterations(size: int) -> int:
    """Fewer iterations for larger communities, whose spiral start is already close to the result."""
    return max(30, min(300, 20_000 // size))


def _to_unit_disc(points: dict[str, Point]) -> dict[str, Point]:
    """Centre the points on their median and scale them so that 95% lie inside the unit circle; the few that FR
    left far out (nodes with no edge inside the community) are drawn onto its rim."""
    xs, ys = sorted(x for x, _ in points.values()), sorted(y for _, y in points.values())
    cx, cy = xs[len(xs) // 2], ys[len(ys) // 2]
    polar = {n: (math.hypot(x - cx, y - cy), math.atan2(y - cy, x - cx)) for n, (x, y) in points.items()}
    distances = sorted(r for r, _ in polar.values())
    far = distances[min(len(distances) - 1, int(0.95 * len(distances)))] or 1.0
    return {n: (min(r / far, 1.0) * math.cos(a), min(r / far, 1.0) * math.sin(a)) for n, (r, a) in polar.items()}


def _place_discs(
    graph: nx.Graph,
    keys: Sequence[Hashable],
    groups: Mapping[Hashable, Sequence[str]],
    community: Mapping[str, Hashable],
    radius: Mapping[Hashable, float],
) -> dict[Hashable, Point]:
    """Centres for the community discs: FR on the graph of communities, then overlaps pushed apart."""
    if len(keys) == 1:
        return {keys[0]: (0.0, 0.0)}
    index = {key: i for i, key in enumerate(keys)}
    between: dict[tuple[int, int], float] = defaultdict(float)
    for a, b, w in graph.edges(data="weight", default=1.0):
        ka, kb = index[community.get(a)], index[community.get(b)]
        if ka != kb and w > 0:
            between[min(ka, kb), max(ka, kb)] += float(w)
    meta = nx.Graph()
    meta.add_nodes_from(range(len(keys)))
    meta.add_weighted_edges_from((a, b, w) for (a, b), w in between.items())
    total = sum(radius[k] for k in keys)
    start = [(total * x, total * y) for x, y in spiral(len(keys))]
    names, converted = to_igraph(meta)
    with igraph_seeded(0):
        coords = converted.layout_fruchterman_reingold(
            weights="weight" if converted.ecount() else None, seed=[list(start[n]) for n in names], niter=500
        ).coords
    placed = {keys[n]: (float(x), float(y)) for n, (x, y) in zip(names, coords, strict=True)}
    return _separate(placed, radius, keys)


def _separate(
    centres: dict[Hashable, Point], radius: Mapping[Hashable, float], keys: Sequence[Hashable]
) -> dict[Hashable, Point]:
    """Scale the centres so the discs roughly fit, then push overlapping pairs apart until none overlaps."""
    gap = GAP * SPACING
    # FR positions are in arbitrary units: scale them so that a typical disc just touches its nearest neighbour
    # (the median over discs), then remove the remaining overlaps.
    nearest = sorted(
        max((radius[a] + radius[b] + gap) / (math.dist(centres[a], centres[b]) or 1e-9) for b in keys if b != a)
        for a in keys
    )
    scale = nearest[len(nearest) // 2]
    points = {k: [centres[k][0] * scale, centres[k][1] * scale] for k in keys}
    for _ in range(300):
        moved = False
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                pa, pb = points[a], points[b]
                dx, dy = pb[0] - pa[0], pb[1] - pa[1]
                d = math.hypot(dx, dy)
                need = radius[a] + radius[b] + gap
                if d < need:
                    if d == 0:
                        dx, dy, d = 1.0, 0.0, 1.0
                    push = (need - d) / 2
                    ux, uy = dx / d, dy / d
                    # the smaller disc moves more, so big regions stay where the layout put them
                    share = radius[a] / (radius[a] + radius[b])
                    pa[0] -= ux * push * 2 * (1 - share)
                    pa[1] -= uy * push * 2 * (1 - share)
                    pb[0] += ux * push * 2 * share
                    pb[1] += uy * push * 2 * share
                    moved = True
        if not moved:
            break
    return {k: (points[k][0], points[k][1]) for k in keys}
