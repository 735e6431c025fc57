"""The known-concept vocabulary (SKOS) and the cue lexicon, as read by the extractor.

The vocabulary is the project's gazetteer: `ontology/vocabulary.ttl`, generated from the curated lists in
`ontology/sources/` by `python -m kg.vocabulary_build`.  The lexicon (`ontology/lexicon.tsv`) holds the head nouns
that end a mention of each type ("... recognition" is a task, "... network" a method) and the generic phrases that
are never concepts ("our method").  Both are loaded once per process, so parsing goes through pyoxigraph rather than
rdflib (about 20x faster on a vocabulary of thousands of concepts) and the result is immutable and sorted, so every
run sees the same order.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import pyoxigraph as ox

from kg.errors import KgError
from kg.paths import ONTOLOGY_DIR
from kg.records import CONCEPT_TYPES
from kg.terms import CONCEPT_CLASS, KG

DEFAULT_VOCABULARY = ONTOLOGY_DIR / "vocabulary.ttl"
DEFAULT_LEXICON = ONTOLOGY_DIR / "lexicon.tsv"

LEXICON_COLUMNS: tuple[str, ...] = ("type", "kind", "term", "source")
LEXICON_KINDS: tuple[str, ...] = ("head", "generic")
ANY_TYPE = "any"  # the type column of a generic phrase: it is never a concept of any type

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_PREF_LABEL = _SKOS + "prefLabel"
_ALT_LABEL = _SKOS + "altLabel"
_SOURCE = "http://purl.org/dc/terms/source"
_VENDOR = str(KG.vendor)
_TYPE_OF_CLASS: dict[str, str] = {str(iri): name for name, iri in CONCEPT_CLASS.items()}


@dataclass(frozen=True)
class VocabularyEntry:
    """One known concept: its type, preferred label, alternative labels, where it comes from, and its vendor.

    `source` is the IRI of the entry's origin (a Papers with Code page, or one of the curated lists).
    `vendor` is set for hardware only ("NVIDIA" for an A100).
    """

    type: str
    label: str
    alt_labels: tuple[str, ...]
    source: str
    vendor: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label of the concept, the preferred one first."""
        return (self.label, *self.alt_labels)


@dataclass(frozen=True)
class Lexicon:
    """Cue words for mentions that no vocabulary lists.

    `heads` maps a concept type to the lower-cased head nouns (one or more words) that end a mention of that type.
    `generic` holds lower-cased phrases that are never concepts, whatever their head says.
    """

    heads: Mapping[str, frozenset[str]]
    generic: frozenset[str]

    @cached_property
    def _heads_by_last_word(self) -> dict[str, list[tuple[str, int, str]]]:
        """(head, type order, type) by the head's last word: a phrase can only end with heads ending in its own
        last word (or in the part of it after a hyphen)."""
        index: dict[str, list[tuple[str, int, str]]] = {}
        for order, kind in enumerate(CONCEPT_TYPES):
            for head in self.heads.get(kind, frozenset()):
                index.setdefault(head.rsplit(" ", 1)[-1], []).append((head, order, kind))
        return index

    def types_of_head(self, phrase: str) -> tuple[str, ...]:
        """The types whose heads end `phrase` (case-insensitive), longest head first, then in CONCEPT_TYPES order."""
        lowered = " ".join(phrase.lower().split())
        last = lowered.rsplit(" ", 1)[-1]
        after_hyphen = last.rsplit("-", 1)[-1]
        index = self._heads_by_last_word
        possible = index.get(last, []) + (index.get(after_hyphen, []) if after_hyphen != last else [])
        found: list[tuple[int, int, str]] = []
        for head, order, kind in possible:
            if lowered == head or lowered.endswith(" " + head) or lowered.endswith("-" + head):
                found.append((-len(head), order, kind))
        seen: dict[str, None] = {}
        for _, _, kind in sorted(found):
            seen.setdefault(kind, None)
        return tuple(seen)

    def is_generic(self, phrase: str) -> bool:
        return " ".join(phrase.lower().split()) in self.generic


def load_vocabulary(path: Path | None = None) -> tuple[VocabularyEntry, ...]:
    """Read the SKOS vocabulary: every concept typed with one of the kg concept classes, sorted by type and label.

    Raises KgError (naming the file, and the line for syntax errors) when the file is missing or malformed.
    """
    path = Path(path) if path is not None else DEFAULT_VOCABULARY
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KgError(f"{path}: cannot read the vocabulary ({error.strerror or error})") from error
    try:
        triples = list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()))
    except SyntaxError as error:
        raise KgError(f"{path}: not valid Turtle: {_one_line(str(error))}") from error
    return _entries(triples, path)


def _entries(triples: Iterable[ox.Triple | ox.Quad], path: Path) -> tuple[VocabularyEntry, ...]:
    """Group triples by subject and turn every concept-typed subject into an entry."""
    types: dict[str, list[str]] = {}
    pref: dict[str, list[str]] = {}
    alts: dict[str, list[str]] = {}
    sources: dict[str, list[str]] = {}
    vendors: dict[str, list[str]] = {}
    slots = {_PREF_LABEL: pref, _ALT_LABEL: alts, _SOURCE: sources, _VENDOR: vendors}
    for triple in triples:
        subject = str(triple.subject.value) if isinstance(triple.subject, ox.NamedNode) else str(triple.subject)
        predicate = triple.predicate.value
        if predicate == _RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            kind = _TYPE_OF_CLASS.get(triple.object.value)
            if kind is not None:
                types.setdefault(subject, []).append(kind)
        elif predicate in slots and isinstance(triple.object, ox.Literal | ox.NamedNode):
            slots[predicate].setdefault(subject, []).append(triple.object.value)
    entries = []
    for subject, kinds in types.items():
        labels = sorted(set(pref.get(subject, [])))
        if len(labels) != 1:
            raise KgError(f"{path}: concept <{subject}> has {len(labels)} skos:prefLabel values, expected exactly 1")
        for kind in sorted(set(kinds), key=CONCEPT_TYPES.index):
            entries.append(
                VocabularyEntry(
                    type=kind,
                    label=labels[0],
                    alt_labels=tuple(sorted(set(alts.get(subject, [])) - {labels[0]}, key=_label_order)),
                    source=min(sources.get(subject, [""])),
                    vendor=min(vendors[subject]) if subject in vendors else None,
                )
            )
    return tuple(sorted(entries, key=entry_order))


def entry_order(entry: VocabularyEntry) -> tuple[int, str, str]:
    """Deterministic order of entries: by type (CONCEPT_TYPES order), then label case-insensitively."""
    return (CONCEPT_TYPES.index(entry.type), entry.label.casefold(), entry.label)


def _label_order(label: str) -> tuple[str, str]:
    return (label.casefold(), label)


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read the cue lexicon TSV (columns: type, kind, term, source); bad rows raise KgError naming file and line."""
    path = Path(path) if path is not None else DEFAULT_LEXICON
    heads: dict[str, set[str]] = {kind: set() for kind in CONCEPT_TYPES}
    generic: set[str] = set()
    for line_no, row in read_tsv(path, LEXICON_COLUMNS):
        kind_of_row, kind, term = row["type"], row["kind"], " ".join(row["term"].lower().split())
        if not term:
            raise KgError(f"{path}:{line_no}: empty term")
        if kind == "head":
            if kind_of_row not in heads:
                raise KgError(f"{path}:{line_no}: unknown type {kind_of_row!r} (expected one of {CONCEPT_TYPES})")
            heads[kind_of_row].add(term)
        elif kind == "generic":
            generic.add(term)
        else:
            raise KgError(f"{path}:{line_no}: unknown kind {kind!r} (expected one of {LEXICON_KINDS})")
    return Lexicon(
        heads=MappingProxyType({kind: frozenset(terms) for kind, terms in heads.items()}),
        generic=frozenset(generic),
    )


def read_tsv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a TSV whose first non-comment line is a header containing `columns`.

    Lines starting with '#' are comments, blank lines are skipped, short rows are padded with empty cells; a row
    with more cells than the header, a missing column or an unreadable file raises KgError naming file and line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise KgError(f"{path}: cannot read ({error})") from error
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if header is None:
            header = [cell.strip() for cell in cells]
            missing = [column for column in columns if column not in header]
            if missing:
                raise KgError(f"{path}:{line_no}: header lacks column(s) {', '.join(missing)}")
            continue
        if len(cells) > len(header):
            raise KgError(f"{path}:{line_no}: {len(cells)} cells, but the header has {len(header)} columns")
        cells += [""] * (len(header) - len(cells))
        rows.append((line_no, {name: cell.strip() for name, cell in zip(header, cells, strict=True)}))
    if header is None:
        raise KgError(f"{path}: empty file, expected a header with columns {', '.join(columns)}")
    return rows


def _one_line(message: str) -> str:
    return " ".join(message.split())
