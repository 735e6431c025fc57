"""RDF exports (Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML): deterministic, streamed, bounded in memory.

Oxigraph reads the store directly (no rdflib graph to build) and its Turtle and JSON-LD writers are several
times faster than rdflib's (bench/bench_export.py), but it writes triples in its index order, which depends on
how the store was filled.  So every export starts from the store's canonical N-Triples (or N-Quads) dump, sorted
line by line: N-Triples and N-Quads are those sorted lines; Turtle and RDF/XML are Oxigraph re-serialising them
in that order, which groups each subject's triples once, in sorted-subject order; JSON-LD is written here from
the same sorted stream, one node object per subject.  The same store therefore always gives the same bytes (the
graph shape mints an IRI for every node, so no blank-node label can vary between runs).

The sort is external: runs of at most `SORT_CHUNK_LINES` lines are sorted in memory and merged from temporary
files beside the output, so memory stays bounded whatever the store's size.

Triple formats (everything but N-Quads) hold the union of the store's graphs; N-Quads keeps graph names.

Oxigraph's output is corrected where it falls short:
- JSON-LD: Oxigraph writes it expanded, with full IRIs everywhere; here it is compact, with an embedded
  ``@context`` of `kg.terms.PREFIXES`, which any JSON-LD 1.1 processor expands back to the same triples.
- RDF/XML: Oxigraph writes raw control characters (not allowed in XML 1.0) and raw carriage returns (which XML
  parsers turn into line feeds), and ``<oxprefix:>`` for a predicate it cannot split into namespace and name.
  Carriage returns become ``&#13;``; characters XML 1.0 cannot carry at all become U+FFFD (the only lossy step
  in any export; the real corpus has none); such predicates are refused with an error naming them.
"""

from __future__ import annotations

import heapq
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from itertools import groupby, islice
from pathlib import Path
from typing import IO, Any, cast

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
# Lines sorted in memory at most: a 10k-paper store (3.1M triples) sorts in one run, with a peak of about 1 GB.
SORT_CHUNK_LINES = 4_000_000

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Longest namespace first in the alternation, so an IRI is compacted with the most specific prefix.
_NAMESPACE = re.compile("|".join(re.escape(ns) for ns in sorted(PREFIXES.values(), key=len, reverse=True)))
_PREFIX_OF = {namespace: prefix for prefix, namespace in PREFIXES.items()}
_WRITE_BATCH = 65536  # lines joined per write
Progress = Callable[[int], None]  # triples written so far


def export_rdf(
    store: ox.Store, fmt: str, output: Path, *, chunk_lines: int = SORT_CHUNK_LINES, progress: Progress | None = None
) -> None:
    """Write the whole store to `output` in `fmt` (one of `RDF_FORMATS`), atomically."""
    if fmt not in RDF_FORMATS:
        raise UsageError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
    output = Path(output)
    with (
        atomic_open(output, "wb", encoding=None) as handle,
        tempfile.TemporaryDirectory(prefix=f".{output.name}.", dir=output.parent) as work,
    ):
        try:
            write_rdf(store, fmt, handle, Path(work), chunk_lines=chunk_lines, progress=progress)
        except ValueError as error:
            raise KgError(f"{output}: cannot write the store as {fmt}: {error}") from error


def write_rdf(
    store: ox.Store,
    fmt: str,
    handle: IO[bytes],
    work: Path,
    *,
    chunk_lines: int = SORT_CHUNK_LINES,
    progress: Progress | None = None,
) -> None:
    """Write the store to `handle` as `fmt`, using the folder `work` for the sort's temporary files;
    `progress(n)` follows the triples written."""
    if fmt == "xml":
        _check_xml_predicates(store)
    raw = work / "dump"
    _dump(store, raw, quads=fmt == "nq")
    if fmt in ("nt", "nq"):
        sort_lines(raw, handle, work, chunk_lines, progress)
        return
    ordered = work / "sorted.nt"
    with ordered.open("wb") as sink:
        sort_lines(raw, sink, work, chunk_lines)
    raw.unlink()
    quads = _counted(ox.parse(path=str(ordered), format=ox.RdfFormat.N_TRIPLES), progress)
    if fmt == "jsonld":
        write_jsonld(quads, handle)
    elif fmt == "xml":
        safe = _XmlSafeWriter(handle)
        xml_sink = cast("IO[bytes]", safe)  # Oxigraph calls only write() and flush()
        ox.serialize((quad.triple for quad in quads), xml_sink, format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)
        safe.finish()
    else:
        ox.serialize((quad.triple for quad in quads), handle, format=RDF_FORMATS[fmt], prefixes=PREFIXES)


def _dump(store: ox.Store, path: Path, *, quads: bool) -> None:
    """The store's canonical N-Quads (`quads`) or N-Triples of the union of its graphs, unsorted, to `path`."""
    if quads:
        store.dump(str(path), ox.RdfFormat.N_QUADS)
    elif next(iter(store.named_graphs()), None) is None:
        store.dump(str(path), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    else:  # a triple in several graphs comes out several times; the sort drops the copies
        triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        assert isinstance(triples, ox.QueryTriples), "a CONSTRUCT query yields triples"
        triples.serialize(str(path), ox.RdfFormat.N_TRIPLES)


def _counted(quads: Iterator[ox.Quad], progress: Progress | None, every: int = 65536) -> Iterator[ox.Quad]:
    if progress is None:
        yield from quads
        return
    done = 0
    for done, quad in enumerate(quads, start=1):
        if done % every == 0:
            progress(done)
        yield quad
    progress(done)


def sort_lines(
    source: Path, sink: IO[bytes], work: Path, chunk_lines: int = SORT_CHUNK_LINES, progress: Progress | None = None
) -> None:
    """Write the lines of `source` to `sink` sorted and without duplicates, holding `chunk_lines` at most.

    Lines are compared as bytes, which for canonical N-Triples orders by subject, then predicate, then object.
    Input that fits in one chunk is sorted in memory; larger input is sorted in runs written beside `work` and
    merged.
    """
    runs: list[Path] = []
    with source.open("rb") as lines:
        while chunk := list(islice(lines, chunk_lines)):
            if not chunk[-1].endswith(b"\n"):  # only the file's last line can lack its newline
                chunk[-1] += b"\n"
            chunk.sort()
            if not runs and len(chunk) < chunk_lines:  # the whole input fits in one run: no merge needed
                _write_unique(sink, chunk, progress)
                return
            runs.append(work / f"run-{len(runs)}")
            with runs[-1].open("wb") as run:
                run.writelines(chunk)
            del chunk
    with ExitStack() as files:
        _write_unique(sink, heapq.merge(*(files.enter_context(run.open("rb")) for run in runs)), progress)
    for path in runs:
        path.unlink()


def _write_unique(sink: IO[bytes], lines: Iterable[bytes], progress: Progress | None = None) -> None:
    """Write sorted `lines`, dropping repeats (a triple held in several graphs), in batches."""
    unique = (line for line, _ in groupby(lines))
    written = 0
    while batch := list(islice(unique, _WRITE_BATCH)):
        sink.write(b"".join(batch))
        written += len(batch)
        if progress is not None:
            progress(written)


# ---------------------------------------------------------------------------------------------------- JSON-LD


def write_jsonld(quads: Iterable[ox.Quad], handle: IO[bytes]) -> None:
    """Compact JSON-LD of `quads` (sorted by subject): the prefix context, then one node object per line."""
    context = json.dumps(PREFIXES, ensure_ascii=False, sort_keys=True)
    handle.write(f'{{"@context": {context},\n"@graph": [\n'.encode())
    compactor = _Compactor()
    separator = b""
    for subject, group in groupby(quads, key=lambda quad: quad.subject):
        node: dict[str, Any] = {"@id": compactor.node_id(subject)}
        for quad in group:
            node.setdefault(compactor.term(quad.predicate.value), []).append(compactor.value(quad.object))
        handle.write(separator + json.dumps(node, ensure_ascii=False).encode())
        separator = b",\n"
    handle.write(b"\n]}\n")


class _Compactor:
    """JSON-LD values with compact IRIs; predicates and datatypes repeat, so their compact forms are memoised."""

    def __init__(self) -> None:
        self._vocabulary: dict[str, str] = {}

    def term(self, iri: str) -> str:
        compact = self._vocabulary.get(iri)
        if compact is None:
            compact = self._vocabulary[iri] = compact_iri(iri)
        return compact

    @staticmethod
    def node_id(node: Any) -> str:
        if isinstance(node, ox.BlankNode):
            return f"_:{node.value}"
        if isinstance(node, ox.NamedNode):
            return compact_iri(node.value)
        raise ValueError(f"JSON-LD cannot hold the RDF-star term {node}")

    def value(self, term: Any) -> dict[str, str]:
        if not isinstance(term, ox.Literal):
            return {"@id": self.node_id(term)}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": self.term(datatype)}


def compact_iri(iri: str) -> str:
    """``https://w3id.org/kg-ml/ontology#Paper`` -> ``kg:Paper``, using the longest matching prefix.

    An IRI is left whole where its compact form would read as an absolute IRI (a suffix starting with ``//``).
    """
    match = _NAMESPACE.match(iri)
    if match is None:
        return iri
    suffix = iri[match.end() :]
    return iri if suffix.startswith("//") else f"{_PREFIX_OF[match.group()]}:{suffix}"


# ---------------------------------------------------------------------------------------------------- RDF/XML


def _check_xml_predicates(store: ox.Store) -> None:
    """Refuse predicates RDF/XML cannot write as element names (Oxigraph would write ``<oxprefix:>``)."""
    solutions = store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions), "a SELECT query yields solutions"
    bad = sorted(predicate.value for (predicate,) in solutions if not LOCAL_NAME.search(predicate.value))
    if bad:
        raise ValueError(f"RDF/XML cannot name predicate <{bad[0]}> (it must end in an XML name); use ttl or nt")


class _XmlSafeWriter:
    """A binary sink for Oxigraph's RDF/XML: CR as ``&#13;``, XML-forbidden characters as U+FFFD.

    Oxigraph indents with LF and tabs only, so every CR or control byte in its output comes from a literal.  A
    forbidden character can be three UTF-8 bytes (U+FFFE), so a chunk's incomplete tail waits for the next one.
    """

    def __init__(self, sink: IO[bytes]) -> None:
        self._sink = sink
        self._held = b""

    def write(self, data: bytes) -> int:
        chunk = self._held + bytes(data)
        keep = 2 if chunk.endswith(b"\xef\xbf") else 1 if chunk.endswith(b"\xef") else 0
        self._held = chunk[len(chunk) - keep :]
        self._sink.write(_xml_safe(chunk[: len(chunk) - keep]))
        return len(data)

    def flush(self) -> None:
        self._sink.flush()

    def finish(self) -> None:
        self._sink.write(self._held)
        self._held = b""


def _xml_safe(data: bytes) -> bytes:
    if b"\r" in data:
        data = data.replace(b"\r", b"&#13;")
    if NOT_XML_BYTES.search(data):
        data = NOT_XML_BYTES.sub(REPLACEMENT.encode(), data)
    return data
