"""RDF exports (Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML), deterministic and fast.

Oxigraph serialises about eight times faster than rdflib, so it writes every format; what it does not do is
sort, so every export starts from the store's canonical N-Triples lines, sorted.  N-Triples and N-Quads are
those sorted lines; Turtle and RDF/XML re-serialise them in that order, which groups each subject's triples in
sorted-subject order.  The same store therefore always gives the same bytes (the graph shape mints an IRI for
every node, so no blank-node label can vary between runs).

Triple formats (everything but N-Quads) hold the union of the store's graphs; N-Quads keeps graph names.

Two gaps in Oxigraph's output are closed here:
- JSON-LD comes out expanded, with full IRIs everywhere; it is compacted against an embedded ``@context`` of
  `kg.terms.PREFIXES`, which any JSON-LD 1.1 processor expands back to the same triples.
- RDF/XML is written with raw control characters (not allowed in XML 1.0) and raw carriage returns (which XML
  parsers turn into line feeds).  Carriage returns become ``&#13;``; the characters XML 1.0 cannot carry at all
  become U+FFFD, the only lossy step in any export (the real corpus has none of them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.atomic import atomic_open
from kg.errors import KgError, UsageError
from kg.export.xml import LOCAL_NAME, NOT_XML_BYTES, REPLACEMENT
from kg.terms import PREFIXES

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}

# Longest namespace first in the alternation, so an IRI is compacted with the most specific prefix.
_NAMESPACE = re.compile("|".join(re.escape(ns) for ns in sorted(PREFIXES.values(), key=len, reverse=True)))
_PREFIX_OF = {namespace: prefix for prefix, namespace in PREFIXES.items()}


def export_rdf(store: ox.Store, fmt: str, output: Path) -> None:
    """Write the whole store to `output` in `fmt` (one of `RDF_FORMATS`), atomically."""
    if fmt not in RDF_FORMATS:
        raise UsageError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
    with atomic_open(output, "wb", encoding=None) as handle:
        try:
            write_rdf(store, fmt, handle)
        except ValueError as error:
            raise KgError(f"{output}: cannot write the store as {fmt}: {error}") from error


def write_rdf(store: ox.Store, fmt: str, handle: IO[bytes]) -> None:
    """Write the store to `handle` as `fmt`, deterministically (see the module docstring)."""
    if fmt == "nq":
        _write_lines(handle, _sorted_lines(store.dump(format=ox.RdfFormat.N_QUADS), unique=True))
        return
    lines = sorted_ntriples(store)
    if fmt == "nt":
        _write_lines(handle, lines)
    elif fmt == "jsonld":
        handle.write(_compact_jsonld(_reserialize(_joined(lines), ox.RdfFormat.JSON_LD)))
    elif fmt == "xml":
        _check_xml_predicates(store)
        handle.write(_xml_safe(_reserialize(_joined(lines), ox.RdfFormat.RDF_XML)))
    else:
        _reserialize(_joined(lines), RDF_FORMATS[fmt], handle)


def sorted_ntriples(store: ox.Store) -> list[bytes]:
    """Canonical N-Triples lines of the union of all graphs in the store, sorted, without duplicates."""
    if next(iter(store.named_graphs()), None) is None:
        return _sorted_lines(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), unique=True)
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    assert isinstance(triples, ox.QueryTriples), "a CONSTRUCT query yields triples"
    return _sorted_lines(triples.serialize(format=ox.RdfFormat.N_TRIPLES), unique=False)


def _sorted_lines(data: bytes | None, *, unique: bool) -> list[bytes]:
    """Lines of `data`, sorted; `unique` says they are known distinct (a dump), else duplicates are dropped."""
    lines = (data or b"").splitlines()
    del data  # the lines hold the content now; keep one copy in memory, not two
    if not unique:
        lines = list(set(lines))
    lines.sort()
    return lines


def _joined(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n" if lines else b""


def _write_lines(handle: IO[bytes], lines: list[bytes], chunk: int = 65536) -> None:
    """Write `lines` newline-terminated, a chunk at a time, rather than joining a second copy of the file."""
    for start in range(0, len(lines), chunk):
        handle.write(b"\n".join(lines[start : start + chunk]) + b"\n")


def _reserialize(ntriples: bytes, fmt: ox.RdfFormat, output: IO[bytes] | None = None) -> bytes:
    """Re-serialise sorted N-Triples in `fmt`, keeping their order (Oxigraph groups consecutive subjects).

    Returns the bytes, or writes them to `output` and returns nothing when one is given.
    """
    triples = (quad.triple for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    return ox.serialize(triples, output, format=fmt, prefixes=PREFIXES) or b""


def _check_xml_predicates(store: ox.Store) -> None:
    """Refuse predicates RDF/XML cannot write as element names (Oxigraph would write ``<oxprefix:>``, not XML)."""
    query = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
    bad = sorted(p.value for (p,) in _rows(store, query) if not LOCAL_NAME.search(p.value))
    if bad:
        raise ValueError(f"RDF/XML cannot name predicate <{bad[0]}> (it must end in an XML name); use ttl or nt")


def _rows(store: ox.Store, query: str) -> list[tuple[Any, ...]]:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions), "a SELECT query yields solutions"
    return [tuple(solution) for solution in solutions]


def _xml_safe(data: bytes) -> bytes:
    """RDF/XML that parses back to the same literals: CR as a character reference, XML-forbidden chars as U+FFFD.

    Oxigraph indents with LF and tabs only, so every CR or control byte in its output comes from a literal.
    """
    if b"\r" in data:
        data = data.replace(b"\r", b"&#13;")
    if NOT_XML_BYTES.search(data):
        data = NOT_XML_BYTES.sub(REPLACEMENT.encode(), data)
    return data


def _compact_jsonld(expanded: bytes) -> bytes:
    """Expanded JSON-LD as a document with an embedded prefix ``@context``, one node object per line."""
    nodes: list[dict[str, Any]] = json.loads(expanded) if expanded.strip() else []
    del expanded
    compactor = _Compactor()
    context = json.dumps(PREFIXES, ensure_ascii=False, sort_keys=True)
    body = ",\n".join(json.dumps(compactor.node(node), ensure_ascii=False) for node in nodes)
    return f'{{"@context": {context},\n"@graph": [\n{body}\n]}}\n'.encode()


class _Compactor:
    """Compacts the IRIs of expanded node objects; predicates and datatypes repeat, so they are memoised."""

    def __init__(self) -> None:
        self._vocabulary: dict[str, str] = {}

    def term(self, iri: str) -> str:
        compact = self._vocabulary.get(iri)
        if compact is None:
            compact = self._vocabulary[iri] = compact_iri(iri)
        return compact

    def node(self, node: dict[str, Any]) -> dict[str, Any]:
        compacted: dict[str, Any] = {}
        for key, value in node.items():
            if key == "@id":
                compacted[key] = compact_iri(value)
            elif key.startswith("@"):
                compacted[key] = value
            else:
                compacted[self.term(key)] = [self.value(item) for item in value]
        return compacted

    def value(self, value: dict[str, Any]) -> dict[str, Any]:
        if "@id" in value:
            return {**value, "@id": compact_iri(value["@id"])}
        if "@type" in value:
            return {**value, "@type": self.term(value["@type"])}
        return value


def compact_iri(iri: str) -> str:
    """``https://w3id.org/kg-ml/ontology#Paper`` -> ``kg:Paper``, using the longest matching prefix.

    An IRI is left whole where its compact form would read as an absolute IRI (a suffix starting with ``//``).
    """
    match = _NAMESPACE.match(iri)
    if match is None:
        return iri
    suffix = iri[match.end() :]
    return iri if suffix.startswith("//") else f"{_PREFIX_OF[match.group()]}:{suffix}"
