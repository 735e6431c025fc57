"""GraphML export of a networkx view: typed keys, no null values, schema-valid ids, deterministic output.

networkx's own writer is not used: it writes node keys verbatim as ids (an IRI is not an XML NMTOKEN, so the
file fails the GraphML schema), writes None as the string "None", and reuses the edge key as the id of parallel
edges, so ids repeat.  Here:

- each attribute gets one ``<key>`` per domain (graph, node, edge) with the narrowest ``attr.type`` that holds
  all its values: boolean, int, long, double or string;
- a missing, None or NaN value is omitted for that element; no placeholder is ever written;
- node ids are NMTOKENs derived from the node key (``https://w3id.org/kg-ml/id/paper/arxiv-2401.00001`` becomes
  ``paper:arxiv-2401.00001``; anything else that is not already a NMTOKEN becomes ``n<hash>``), and edges are
  numbered ``e0, e1, ...`` so parallel edges of a multigraph stay distinct;
- elements are written in the graph's own order, which the views make sorted.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import atomic_open
from kg.export.xml import NMTOKEN, NOT_XML, REPLACEMENT
from kg.terms import ID, digest

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
SCHEMA_LOCATION = f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd"
DOMAINS: tuple[str, ...] = ("graph", "node", "edge")

_INT32 = range(-(2**31), 2**31)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;",
                               "\n": "&#10;", "\t": "&#9;"})  # fmt: skip


@dataclass(frozen=True)
class Key:
    """One GraphML ``<key>``: an attribute `name` of a `domain`, with its value type."""

    id: str
    domain: str
    name: str
    type: str


def write_graphml(graph: nx.Graph, output: Path) -> None:
    """Write `graph` (any networkx graph: directed or not, multi or not) to `output` as GraphML, atomically."""
    with atomic_open(output, "w") as handle:
        handle.writelines(graphml_lines(graph))


def graphml_lines(graph: nx.Graph) -> Iterator[str]:
    """The GraphML document for `graph`, as lines of text."""
    node_attrs = [(node, attrs) for node, attrs in graph.nodes(data=True)]
    edge_attrs = [(u, v, attrs) for u, v, attrs in graph.edges(data=True)]
    keys = _keys(
        {
            "graph": [graph.graph],
            "node": [attrs for _, attrs in node_attrs],
            "edge": [attrs for _, _, attrs in edge_attrs],
        }
    )
    ids = node_ids(node for node, _ in node_attrs)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="{SCHEMA_LOCATION}">\n'
    )
    for key in keys:
        yield (f'  <key id="{key.id}" for="{key.domain}" attr.name="{_attr(key.name)}" attr.type="{key.type}"/>\n')
    edgedefault = "directed" if graph.is_directed() else "undirected"
    yield f'  <graph id="G" edgedefault="{edgedefault}">\n'
    yield from _data(graph.graph, keys, "graph", "    ")
    for node, attrs in node_attrs:
        yield from _element(f'<node id="{ids[node]}"', "node", attrs, keys)
    for index, (u, v, attrs) in enumerate(edge_attrs):
        yield from _element(f'<edge id="e{index}" source="{ids[u]}" target="{ids[v]}"', "edge", attrs, keys)
    yield "  </graph>\n</graphml>\n"


def node_ids(nodes: Iterable[Hashable]) -> dict[Hashable, str]:
    """A unique NMTOKEN id for each node, readable where the node key allows it (see the module docstring)."""
    ids: dict[Hashable, str] = {}
    used: set[str] = set()
    for node in nodes:
        text = str(node)
        readable = text[len(ID) :].replace("/", ":") if text.startswith(str(ID)) else text
        for candidate in (readable, f"n{digest(text, size=16)}"):
            if NMTOKEN.fullmatch(candidate) and candidate not in used:
                break
        else:
            candidate = f"n{digest(text, size=16)}-{len(ids)}"
        ids[node] = candidate
        used.add(candidate)
    return ids


def _keys(domains: Mapping[str, list[Mapping[str, Any]]]) -> tuple[Key, ...]:
    """One key per (domain, attribute name) that has at least one writable value, sorted by domain then name."""
    keys = []
    for domain in DOMAINS:
        types: dict[str, set[str]] = {}
        for attrs in domains[domain]:
            for name, value in attrs.items():
                kind = _value_type(value, name, domain)
                if kind is not None:
                    types.setdefault(name, set()).add(kind)
        for name in sorted(types):
            if not NMTOKEN.fullmatch(name):
                raise ValueError(f"{domain} attribute name {name!r} is not an XML name token (GraphML attr.name)")
            keys.append(Key(f"{domain[0]}_{name}", domain, name, _common_type(types[name])))
    return tuple(keys)


def _value_type(value: Any, name: str, domain: str) -> str | None:
    """The GraphML type of one value, or None for a value that is written as absent."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int" if value in _INT32 else "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    raise TypeError(f"{domain} attribute {name!r} holds a {type(value).__name__}; GraphML holds scalars only")


def _common_type(types: set[str]) -> str:
    """The narrowest type that holds values of all `types`: int < long < double; anything mixed is a string."""
    if len(types) == 1:
        return next(iter(types))
    for numeric in (("int", "long"), ("int", "long", "double")):
        if types <= set(numeric):
            return numeric[-1]
    return "string"


def _element(opening: str, domain: str, attrs: Mapping[str, Any], keys: tuple[Key, ...]) -> Iterator[str]:
    data = list(_data(attrs, keys, domain, "      "))
    if not data:
        yield f"    {opening}/>\n"
        return
    yield f"    {opening}>\n"
    yield from data
    yield f"    </{domain}>\n"


def _data(attrs: Mapping[str, Any], keys: tuple[Key, ...], domain: str, indent: str) -> Iterator[str]:
    for key in keys:
        if key.domain == domain and key.name in attrs:
            value = attrs[key.name]
            if _value_type(value, key.name, domain) is not None:
                yield f'{indent}<data key="{key.id}">{_format(value, key.type)}</data>\n'


def _format(value: Any, kind: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "double":
        number = float(value)
        return repr(number) if math.isfinite(number) else ("INF" if number > 0 else "-INF")
    if kind in ("int", "long"):
        return str(value)
    return _text(str(value))


def _text(value: str) -> str:
    """Element content: escaped, with characters XML 1.0 cannot carry replaced by U+FFFD."""
    return NOT_XML.sub(REPLACEMENT, value).translate(_TEXT_ESCAPES)


def _attr(value: str) -> str:
    return NOT_XML.sub(REPLACEMENT, value).translate(_ATTR_ESCAPES)
