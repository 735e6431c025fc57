"""One paper's share of the graph, mapped once and ready for the store.

`map_extraction` is the step between extraction and the store: the N-Triples document of the paper (`kg.rdf`), its
digest, and the few facts the store's writer needs about it (which concepts and labelled nodes it touches, which
concepts it proposes or uses, its label lines and the label keys they derive). It is a pure function of the
extraction, so it runs wherever extraction runs (a pool worker, a Dask worker) and only this compact record, one
string per paper, travels back to the one process that writes the store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyoxigraph as ox

from kg import derived, rdf
from kg.records import Extraction

_CONCEPT_CLASS_TERMS = frozenset(rdf.CONCEPT_CLASS.values())
_LABEL_TERMS = frozenset((rdf.PREF_LABEL, rdf.ALT_LABEL))
_LINK_TERMS = frozenset((rdf.PROPOSES, *rdf.USES_PROPERTY.values()))
_LABEL_KEY = str(derived.LABEL_KEY)  # "<iri>"


@dataclass(frozen=True)
class MappedPaper:
    """What the store needs to write one paper.

    `data` is an N-Triples document (one `<s> <p> o .` line per triple, the first `paper a kg:Paper`); `digest`
    hashes its lines, so an unchanged paper is recognised without reading the database.
    """

    iri: str
    data: bytes
    digest: str
    labels: tuple[str, ...]  # the label lines (skos:prefLabel/altLabel), sorted, without repeats
    concepts: tuple[str, ...]  # IRIs of the concepts typed in `text`: their paper counts may change
    labelled: tuple[str, ...]  # IRIs of the nodes `text` labels: their label keys may change
    linked: tuple[str, ...]  # IRIs of the concepts the paper proposes or uses, sorted, without repeats
    keys: tuple[str, ...]  # kg:labelKey lines derived from `labels`, sorted, without repeats


def map_extraction(extraction: Extraction) -> MappedPaper:
    """The paper's triples and what the writer needs to know about them.

    `rdf.paper_ntriples` writes every line as `<subject> <predicate> object .` with IRIs without spaces, so a
    line's subject and predicate are its first two words.
    """
    lines = rdf.paper_ntriples(extraction)
    paper = lines[0].split(" ", 1)[0]
    concepts: set[str] = set()
    labelled: set[str] = set()
    linked: set[str] = set()
    labels: set[str] = set()
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        if predicate == rdf.TYPE:
            if rest[:-2] in _CONCEPT_CLASS_TERMS:
                concepts.add(subject[1:-1])
        elif predicate in _LABEL_TERMS:
            labelled.add(subject[1:-1])
            labels.add(line)
        elif predicate in _LINK_TERMS and subject == paper:
            linked.add(rest[1:-3])
    label_lines = tuple(sorted(labels))
    data = rdf.ntriples_bytes(lines)
    return MappedPaper(
        iri=paper[1:-1],
        data=data,
        digest=hashlib.sha1(data[:-1]).hexdigest(),  # the lines joined by newlines, as papers.tsv always recorded
        labels=label_lines,
        concepts=tuple(sorted(concepts)),
        labelled=tuple(sorted(labelled)),
        linked=tuple(sorted(linked)),
        keys=_key_lines(label_lines),
    )


def _key_lines(label_lines: tuple[str, ...]) -> tuple[str, ...]:
    """The kg:labelKey line of each label (`derived.label_key` of the parsed literal, not of its escaped form)."""
    if not label_lines:
        return ()
    keys = {
        f"{quad.subject} {_LABEL_KEY} {ox.Literal(derived.label_key(quad.object.value))} ."
        for quad in ox.parse(rdf.ntriples_bytes(label_lines), format=ox.RdfFormat.N_TRIPLES)
        if isinstance(quad.object, ox.Literal)
    }
    return tuple(sorted(keys))
