"""Regenerate `ontology/vocabulary.ttl` and `ontology/lexicon.tsv` from the lists in `ontology/sources/`.

Two steps, so that the shipped vocabulary can be rebuilt from the repository alone:

* ``python -m kg.vocabulary_build --import-data ../shared/data`` refreshes the *frozen imports* in
  `ontology/sources/` from the annotated data: `pwc_methods.tsv` (Papers with Code method catalogue) and
  `scierc_train_heads.tsv` / `scierc_train_terms.tsv` (statistics mined from SciERC **train** only; dev and other
  evaluation sets are never read here);
* ``python -m kg.vocabulary_build`` (the default) merges the frozen imports with the hand-curated lists, applies the
  curation rules and the reviewed deny list, and writes the two ontology files.  The output is byte-for-byte
  deterministic, so a test can check that the committed files are up to date.

``--suggest-deny CORPUS`` prints deny-list candidates (see `suggest_denials`) for a human to review.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

from kg.atomic import atomic_write_bytes, atomic_write_text
from kg.errors import KgError
from kg.evaluation import Document, load_scierc
from kg.paths import ONTOLOGY_DIR, PROJECT_ROOT
from kg.records import CONCEPT_TYPES
from kg.terms import BASE, CONCEPT_CLASS, ID, KG, PREFIXES, concept_iri
from kg.vocabulary import ANY_TYPE, LEXICON_COLUMNS, VocabularyEntry, entry_order, read_tsv

SOURCES_DIR = ONTOLOGY_DIR / "sources"
DEFAULT_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"

SCHEME_IRI = ID["vocabulary"]
PWC_LICENSE = "https://creativecommons.org/licenses/by-sa/4.0/"
APACHE_LICENSE = "https://www.apache.org/licenses/LICENSE-2.0"

# Curated lists, one per concept type; they win every label conflict (see `resolve_conflicts`).
CURATED_LISTS: tuple[tuple[str, str], ...] = (
    ("method", "methods.tsv"),
    ("dataset", "datasets.tsv"),
    ("hardware", "hardware.tsv"),
    ("metric", "metrics.tsv"),
    ("task", "tasks.tsv"),
)
PWC_FILE = "pwc_methods.tsv"
SCIERC_TERMS_FILE = "scierc_train_terms.tsv"
SCIERC_HEADS_FILE = "scierc_train_heads.tsv"
DENY_FILE = "deny.tsv"
LEXICON_SEED_FILE = "lexicon_seed.tsv"

# Lower number = higher priority when two sources claim the same label.
PRIORITY_CURATED, PRIORITY_SCIERC, PRIORITY_PWC = 0, 1, 2

# SciERC labels and the concept types they stand for.  Material only approximates dataset, so terms mined from it
# must also look like a name (see `_looks_like_name`).
SCIERC_TYPES: dict[str, str] = {"Method": "method", "Task": "task", "Metric": "metric", "Material": "dataset"}

ALT_SEPARATOR = " | "
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2212]")


@dataclass(frozen=True)
class SourceInfo:
    """A source of vocabulary entries, described in the scheme so every concept's dcterms:source resolves."""

    iri: str
    label: str
    license: str | None = None
    see_also: str | None = None


SOURCES: dict[str, SourceInfo] = {
    "curated": SourceInfo(str(ID["source/curated"]), "kg curated lists (ontology/sources/*.tsv), MIT"),
    "pwc": SourceInfo(
        "https://paperswithcode.com/methods",
        "Papers with Code method catalogue (data dump), CC BY-SA 4.0",
        PWC_LICENSE,
        "https://paperswithcode.com/about",
    ),
    "scierc": SourceInfo(
        str(ID["source/scierc-train"]),
        "Terms mined from the SciERC training split (Luan et al., 2018) as distributed in allenai/scibert, Apache-2.0",
        APACHE_LICENSE,
        "https://github.com/allenai/scibert",
    ),
}


@dataclass(frozen=True)
class Candidate:
    """A concept as one source lists it, before curation and merging."""

    type: str
    label: str
    alt_labels: tuple[str, ...]
    source: str  # IRI for dcterms:source
    priority: int
    weight: int = 0  # popularity within its source (PwC num_papers, SciERC span count): breaks ties
    vendor: str | None = None


@dataclass(frozen=True)
class Lexeme:
    type: str
    kind: str
    term: str
    source: str


@dataclass(frozen=True)
class BuildResult:
    entries: tuple[VocabularyEntry, ...]
    lexicon: tuple[Lexeme, ...]
    dropped: tuple[tuple[str, str, str], ...] = field(default=())  # (type, label, reason)
    conflicts: tuple[tuple[str, str, str, str], ...] = field(default=())  # (type, label, kept in, removed from)


# ---------------------------------------------------------------------------------------------------------- reading


def normalise(label: str) -> str:
    """The comparison key of a label: case-folded, unified dashes, collapsed whitespace."""
    return " ".join(_DASHES.sub("-", label).casefold().split())


def _split_alts(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(ALT_SEPARATOR.strip()) if part.strip())


def read_curated(path: Path, concept_type: str) -> list[Candidate]:
    """A curated list: columns label, alt_labels and (hardware) vendor."""
    source = SOURCES["curated"].iri
    return [
        Candidate(
            type=concept_type,
            label=row["label"],
            alt_labels=_split_alts(row.get("alt_labels", "")),
            source=source,
            priority=PRIORITY_CURATED,
            vendor=row.get("vendor") or None,
        )
        for _, row in read_tsv(path, ("label",))
        if row["label"]
    ]


def read_pwc(path: Path) -> list[Candidate]:
    """The frozen PwC import: columns label, alt_labels, source (the method's page), num_papers."""
    candidates = []
    for line_no, row in read_tsv(path, ("label", "alt_labels", "source", "num_papers")):
        try:
            weight = int(row["num_papers"] or 0)
        except ValueError as error:
            raise KgError(f"{path}:{line_no}: num_papers is not a number: {row['num_papers']!r}") from error
        if not row["source"].startswith(("https://", "http://")) or " " in row["source"]:
            raise KgError(f"{path}:{line_no}: source is not an http(s) IRI: {row['source']!r}")
        candidates.append(
            Candidate("method", row["label"], _split_alts(row["alt_labels"]), row["source"], PRIORITY_PWC, weight)
        )
    return candidates


def read_scierc_terms(
    path: Path,
    generic: frozenset[str] = frozenset(),
    min_count: int = 2,
    min_share: float = 0.8,
    min_rate: float = 0.5,
    min_documents: int = 2,
) -> list[Candidate]:
    """Vocabulary candidates from the SciERC-train term statistics (columns type, label, count, share, occurrences).

    A term qualifies when annotated at least `min_count` times in at least `min_documents` abstracts (a term one
    abstract repeats is that abstract's phrasing, not the field's), with its type holding at least `min_share` of its
    annotations and its annotations covering at least `min_rate` of its occurrences (so "robustness", annotated
    now and then, stays out), when it has no brackets (an abbreviation inside a span), and when it looks like a
    name or has several words: a single ordinary word ("clustering", "parser") is annotated or not depending on
    context, which a gazetteer cannot see.  Terms ending in a generic word ("statistical methods", "NLP tasks") are
    descriptions the lexicon's heads already cover, not concepts.  Material (dataset) terms must look like a name.
    """
    source = SOURCES["scierc"].iri
    candidates = []
    for line_no, row in read_tsv(path, ("type", "label", "count", "share", "occurrences", "documents")):
        try:
            count, share, seen = int(row["count"]), float(row["share"]), int(row["occurrences"])
            spread = int(row["documents"])
        except ValueError as error:
            raise KgError(f"{path}:{line_no}: count, share, occurrences and documents must be numbers") from error
        label = row["label"]
        if count < min_count or spread < min_documents or share < min_share or count < min_rate * seen:
            continue
        if any(c in label for c in "()[]+") or normalise(label).split(" ")[-1] in generic:
            continue
        if not _looks_like_name(label) and (row["type"] == "dataset" or " " not in label):
            continue
        candidates.append(Candidate(row["type"], label, (), source, PRIORITY_SCIERC, count))
    return candidates


def read_deny(path: Path) -> dict[str, set[str]]:
    """Denied labels per type (normalised); type '*' denies in every type."""
    denied: dict[str, set[str]] = defaultdict(set)
    for line_no, row in read_tsv(path, ("type", "label", "reason")):
        if row["type"] not in (*CONCEPT_TYPES, "*"):
            raise KgError(f"{path}:{line_no}: unknown type {row['type']!r}")
        denied[row["type"]].add(normalise(row["label"]))
    return denied


def read_lexicon_seed(path: Path) -> list[Lexeme]:
    return [
        Lexeme(row["type"], row["kind"], row["term"].lower(), "curated")
        for _, row in read_tsv(path, ("type", "kind", "term"))
    ]


# --------------------------------------------------------------------------------------------------------- curation


def curate(
    candidates: Iterable[Candidate], denied: dict[str, set[str]], generic: frozenset[str]
) -> tuple[list[Candidate], list[tuple[str, str, str]]]:
    """Apply the curation rules label by label; a candidate whose preferred label goes promotes its first alt.

    Rules (in order): a label needs two characters and a letter; it must not be a generic phrase of the lexicon
    ("neural networks"); it must not be on the deny list for its type.
    """
    kept: list[Candidate] = []
    dropped: list[tuple[str, str, str]] = []
    for candidate in candidates:
        labels = []
        for label in (candidate.label, *candidate.alt_labels):
            reason = _drop_reason(label, candidate.type, denied, generic)
            if reason is None:
                labels.append(label)
            else:
                dropped.append((candidate.type, label, reason))
        if labels:
            kept.append(replace(candidate, label=labels[0], alt_labels=tuple(labels[1:])))
    return kept, dropped


def _drop_reason(label: str, concept_type: str, denied: dict[str, set[str]], generic: frozenset[str]) -> str | None:
    key = normalise(label)
    if len(key) < 2 or not any(ch.isalpha() for ch in key):
        return "too short or no letter"
    if key in generic:
        return "generic phrase"
    if key in denied.get(concept_type, set()) or key in denied.get("*", set()):
        return "deny list"
    return None


@dataclass
class _Group:
    """A concept being assembled: the candidates merged into it, best first."""

    members: list[Candidate]

    @property
    def head(self) -> Candidate:
        return self.members[0]

    def normalised(self) -> set[str]:
        """The normalised forms of every label."""
        return {normalise(label) for member in self.members for label in (member.label, *member.alt_labels)}

    def labels(self) -> list[str]:
        seen: dict[str, str] = {}
        for member in self.members:
            for label in (member.label, *member.alt_labels):
                seen.setdefault(normalise(label), label)
        return list(seen.values())


def _candidate_order(candidate: Candidate) -> tuple[int, int, str, str]:
    return (candidate.priority, -candidate.weight, candidate.label.casefold(), candidate.label)


def merge(candidates: Iterable[Candidate]) -> list[_Group]:
    """Merge candidates of one type that name the same concept.

    Two candidates merge when their preferred labels are equal (normalised); when each one's preferred label is
    among the other's labels ("GAN" / "Generative Adversarial Network" listed both ways round); or when all labels
    of the later one are labels of the earlier one (SciERC's bare "HMMs" joins "Hidden Markov Model").  Any other
    one-way match does not merge: "SAM" is Segment Anything for one source and Sharpness-Aware Minimization for
    another, and `resolve_conflicts` gives the shared label to one of them.
    """
    by_key: dict[tuple[str, str], _Group] = {}
    for candidate in sorted(candidates, key=_candidate_order):
        key = (candidate.type, normalise(candidate.label))
        if key in by_key:
            by_key[key].members.append(candidate)
        else:
            by_key[key] = _Group([candidate])
    groups = sorted(by_key.values(), key=lambda group: _candidate_order(group.head))
    merged: list[_Group] = []
    by_pref: dict[tuple[str, str], _Group] = {}  # (type, normalised pref label) -> group it now lives in
    by_label: dict[tuple[str, str], list[_Group]] = defaultdict(list)  # (type, any normalised label) -> groups
    for group in groups:
        kind = group.head.type
        target = _merge_target(group, by_pref, by_label)
        if target is None:
            merged.append(group)
            target = group
        else:
            target.members.extend(group.members)
        by_pref[(kind, normalise(group.head.label))] = target
        for label in group.normalised():
            if target not in by_label[(kind, label)]:
                by_label[(kind, label)].append(target)
    return merged


def _merge_target(
    group: _Group, by_pref: dict[tuple[str, str], _Group], by_label: dict[tuple[str, str], list[_Group]]
) -> _Group | None:
    """The placed group `group` should join, if any (the rules of `merge`)."""
    kind = group.head.type
    own = group.normalised()
    pref = normalise(group.head.label)
    for label in sorted(own - {pref}):
        other = by_pref.get((kind, label))
        if other is not None and pref in other.normalised():
            return other
    for other in by_label.get((kind, pref), []):
        if own <= other.normalised():
            return other
    return None


def resolve_conflicts(groups: list[_Group]) -> tuple[list[VocabularyEntry], list[tuple[str, str, str, str]]]:
    """Give every label of a type to one concept only, so a gazetteer hit is never ambiguous within a type.

    The owner is the best-ranked source (curated before SciERC before PwC: the curated lists encode current usage,
    so "SAM" is Segment Anything rather than PwC's Sharpness-Aware Minimization); within one rank, the concept whose
    preferred label it is, then the one with more papers.  A concept that loses its preferred label promotes its
    next label ("Sharpness-Aware Minimization"), and one left without labels disappears.
    """
    owner: dict[tuple[str, str], int] = {}
    claims = sorted(
        (groups[i].head.priority, position, _candidate_order(groups[i].head), i, label)
        for i in range(len(groups))
        for position, label in enumerate(groups[i].labels())
    )
    for _, _, _, i, label in claims:
        owner.setdefault((groups[i].head.type, normalise(label)), i)
    entries: list[VocabularyEntry] = []
    conflicts: list[tuple[str, str, str, str]] = []
    for i, group in enumerate(groups):
        head = group.head
        labels = []
        for label in group.labels():
            winner = owner[(head.type, normalise(label))]
            if winner == i:
                labels.append(label)
            else:
                conflicts.append((head.type, label, groups[winner].head.label, head.label))
        if not labels:
            continue
        vendor = next((member.vendor for member in group.members if member.vendor), None)
        entries.append(
            VocabularyEntry(
                type=head.type,
                label=labels[0],
                alt_labels=tuple(sorted(labels[1:], key=lambda s: (s.casefold(), s))),
                source=head.source,
                vendor=vendor,
            )
        )
    return sorted(entries, key=entry_order), sorted(conflicts)


# --------------------------------------------------------------------------------------------------------- lexicon


def mined_heads(path: Path, min_spans: int = 5, min_share: float = 0.75) -> list[Lexeme]:
    """Heads from the SciERC-train statistics: a head qualifies for a type when at least `min_spans` annotated
    spans of that type end in it and that type has at least `min_share` of all annotated spans ending in it.

    Dataset heads are never mined: SciERC's Material ends in "speech", "text", "images", which are not datasets.
    """
    lexemes = []
    for _, row in read_tsv(path, ("type", "head", "spans", "share")):
        if row["type"] != "dataset" and int(row["spans"]) >= min_spans and float(row["share"]) >= min_share:
            lexemes.append(Lexeme(row["type"], "head", row["head"], "scierc-train"))
    return lexemes


def contradicted_heads(
    seed: Iterable[Lexeme], stats_path: Path, min_spans: int = 5, max_share: float = 0.5
) -> list[tuple[str, str, int, float]]:
    """Curated heads that SciERC train contradicts: the head ends at least `min_spans` annotated spans of that type,
    yet the type holds less than `max_share` of the spans ending in it ("analysis" ends more methods than tasks).

    Returns (type, head, spans, share) rows; the build prints them and a test keeps the list empty.
    """
    stats = {
        (row["type"], row["head"]): (int(row["spans"]), float(row["share"]))
        for _, row in read_tsv(stats_path, ("type", "head", "spans", "share"))
    }
    rows = []
    for lexeme in seed:
        spans, share = stats.get((lexeme.type, lexeme.term), (0, 1.0))
        if lexeme.kind == "head" and lexeme.type != "dataset" and spans >= min_spans and share < max_share:
            rows.append((lexeme.type, lexeme.term, spans, share))
    return rows


def build_lexicon(seed: Iterable[Lexeme], mined: Iterable[Lexeme]) -> tuple[Lexeme, ...]:
    """Curated rows first, mined rows only where they add a (type, kind, term) the curated list lacks."""
    rows: dict[tuple[str, str, str], Lexeme] = {}
    for lexeme in (*seed, *mined):
        rows.setdefault((lexeme.type, lexeme.kind, lexeme.term), lexeme)
    kind_order = {"head": 0, "generic": 1}
    type_order = {name: i for i, name in enumerate((*CONCEPT_TYPES, ANY_TYPE))}
    return tuple(sorted(rows.values(), key=lambda x: (kind_order[x.kind], type_order[x.type], x.term)))


def lexicon_text(lexemes: Iterable[Lexeme]) -> str:
    lines = [
        "# Cue lexicon for the extractor, generated by `python -m kg.vocabulary_build` from ontology/sources/",
        "# (lexicon_seed.tsv: curated; scierc_train_heads.tsv: mined from SciERC train).  Do not edit by hand.",
        "\t".join(LEXICON_COLUMNS),
    ]
    lines += [f"{x.type}\t{x.kind}\t{x.term}\t{x.source}" for x in lexemes]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------------------- RDF

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def vocabulary_triples(entries: Sequence[VocabularyEntry]) -> Iterator[ox.Triple]:
    """The scheme, its sources, then one block per concept (entries are already in deterministic order)."""
    scheme = _n(str(SCHEME_IRI))
    yield ox.Triple(scheme, _RDF_TYPE, _n(_SKOS + "ConceptScheme"))
    yield ox.Triple(scheme, _n(_DCT + "title"), _en("kg-ml vocabulary of known ML concepts"))
    yield ox.Triple(
        scheme,
        _n(_DCT + "description"),
        _en(
            "Methods, datasets, hardware, metrics and tasks with preferred and alternative labels, used as the "
            "gazetteer of the kg extractor. Generated by `python -m kg.vocabulary_build` from ontology/sources/."
        ),
    )
    yield ox.Triple(scheme, _n(_DCT + "license"), _n(PWC_LICENSE))
    yield ox.Triple(
        scheme,
        _n(_DCT + "rights"),
        _en(
            "Method entries derive from the Papers with Code method catalogue (https://paperswithcode.com/methods), "
            "licensed CC BY-SA 4.0; this vocabulary is therefore shared under CC BY-SA 4.0. Some task, method and "
            "metric terms were mined from the SciERC training split (Apache-2.0). The other lists were written for "
            "this project."
        ),
    )
    infos = sorted(SOURCES.values(), key=lambda s: s.iri)
    for info in infos:
        yield ox.Triple(scheme, _n(_DCT + "source"), _n(info.iri))
    for info in infos:
        yield ox.Triple(_n(info.iri), _RDFS_LABEL, _en(info.label))
        if info.license:
            yield ox.Triple(_n(info.iri), _n(_DCT + "license"), _n(info.license))
        if info.see_also:
            yield ox.Triple(_n(info.iri), _RDFS_SEE_ALSO, _n(info.see_also))
    for entry in entries:
        node = _n(str(concept_iri(entry.type, entry.label)))
        yield ox.Triple(node, _RDF_TYPE, _n(_SKOS + "Concept"))
        yield ox.Triple(node, _RDF_TYPE, _n(str(CONCEPT_CLASS[entry.type])))
        yield ox.Triple(node, _n(_SKOS + "prefLabel"), _en(entry.label))
        for alt in entry.alt_labels:
            yield ox.Triple(node, _n(_SKOS + "altLabel"), _en(alt))
        if entry.vendor:
            yield ox.Triple(node, _n(str(KG.vendor)), ox.Literal(entry.vendor))
        yield ox.Triple(node, _n(_DCT + "source"), _n(entry.source))
        yield ox.Triple(node, _n(_SKOS + "inScheme"), scheme)


def vocabulary_turtle(entries: Sequence[VocabularyEntry]) -> bytes:
    prefixes = {name: PREFIXES[name] for name in ("kg", "rdfs", "skos", "dcterms")}
    prefixes.update({kind: f"{BASE}id/{kind}/" for kind in CONCEPT_TYPES})
    header = (
        b"# Generated by `python -m kg.vocabulary_build` from ontology/sources/ -- do not edit by hand.\n"
        b"# Licence: CC BY-SA 4.0 (method entries derive from the Papers with Code method catalogue).\n"
    )
    body = ox.serialize(vocabulary_triples(entries), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert body is not None
    return header + body


# ------------------------------------------------------------------------------------------------------------ build


def build(sources_dir: Path = SOURCES_DIR) -> BuildResult:
    """Everything `python -m kg.vocabulary_build` writes, computed from the files in `sources_dir`."""
    seed = read_lexicon_seed(sources_dir / LEXICON_SEED_FILE)
    generic = frozenset(normalise(x.term) for x in seed if x.kind == "generic")
    denied = read_deny(sources_dir / DENY_FILE)
    candidates: list[Candidate] = []
    for concept_type, name in CURATED_LISTS:
        candidates += read_curated(sources_dir / name, concept_type)
    if (sources_dir / SCIERC_TERMS_FILE).exists():
        candidates += read_scierc_terms(sources_dir / SCIERC_TERMS_FILE, generic)
    candidates += read_pwc(sources_dir / PWC_FILE)
    kept, dropped = curate(candidates, denied, generic)
    entries, conflicts = resolve_conflicts(merge(kept))
    mined = mined_heads(sources_dir / SCIERC_HEADS_FILE) if (sources_dir / SCIERC_HEADS_FILE).exists() else []
    return BuildResult(tuple(entries), build_lexicon(seed, mined), tuple(sorted(set(dropped))), tuple(conflicts))


def write(result: BuildResult, ontology_dir: Path = ONTOLOGY_DIR) -> tuple[Path, Path]:
    vocabulary, lexicon = ontology_dir / "vocabulary.ttl", ontology_dir / "lexicon.tsv"
    atomic_write_bytes(vocabulary, vocabulary_turtle(result.entries))
    atomic_write_text(lexicon, lexicon_text(result.lexicon))
    return vocabulary, lexicon


# ----------------------------------------------------------------------------------------------------------- import


def import_pwc(methods_json: Path, out: Path) -> int:
    """Freeze the PwC method catalogue as a TSV: name as label, full name as alt label where different."""
    try:
        methods = json.loads(methods_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise KgError(f"{methods_json}: cannot read the PwC method catalogue ({error})") from error
    rows = []
    for method in methods:
        name = " ".join((method.get("name") or "").split())
        full = " ".join((method.get("full_name") or "").split())
        if not name:
            continue
        alt = full if full and normalise(full) != normalise(name) else ""
        rows.append((name, alt, method.get("url") or "", str(method.get("num_papers") or 0)))
    rows.sort(key=lambda r: (r[0].casefold(), r[0], r[2]))
    lines = [
        "# Papers with Code method catalogue (https://paperswithcode.com/methods), CC BY-SA 4.0.",
        "# Frozen import of methods.json by `python -m kg.vocabulary_build --import-data`.",
        "label\talt_labels\tsource\tnum_papers",
    ]
    lines += ["\t".join(_tsv_cell(c) for c in row) for row in rows]
    atomic_write_text(out, "\n".join(lines) + "\n")
    return len(rows)


def _scierc_documents(train_json: Path) -> tuple[Document, ...]:
    """SciERC train with all six labels kept as span types, read with the evaluation's loader."""
    every_label = {label: label for label in ("Method", "Task", "Metric", "Material", "OtherScientificTerm", "Generic")}
    return load_scierc(train_json, labels=every_label).documents


def _occurrences(documents: Iterable[Document], terms: Iterable[str]) -> Counter[str]:
    """How often each (normalised, space-tokenised) term occurs as a token sequence in the documents' texts."""
    wanted: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for term in terms:
        words = tuple(term.split(" "))
        wanted[len(words)].add(words)
    found: Counter[str] = Counter()
    for document in documents:
        tokens = normalise(document.text).split(" ")
        for size, grams in wanted.items():
            for i in range(len(tokens) - size + 1):
                gram = tuple(tokens[i : i + size])
                if gram in grams:
                    found[" ".join(gram)] += 1
    return found


def _head(span: str) -> str | None:
    """The last word of a multi-word span (lower-cased), skipping closing punctuation; None for one-word spans."""
    words = [t for t in span.split() if any(ch.isalnum() for ch in t)]
    if len(words) < 2:
        return None
    return words[-1].lower()


def _looks_like_name(label: str) -> bool:
    """A capital after the first character or a digit: "Penn Treebank", "WSJ", "TREC-9" but not "speech data"."""
    return any(ch.isdigit() for ch in label) or any(ch.isupper() for ch in label[1:])


def mine_scierc_train(train_json: Path, sources_dir: Path, min_count: int = 2) -> tuple[int, int]:
    """Write head and term statistics mined from SciERC **train** into `sources_dir`; the build selects from them.

    Heads: for every multi-word annotated span, its last word; per (type, head) we record how many spans of the type
    end in it (`spans`) and that type's share of all annotated spans, of any label, ending in it (`share`).
    Terms: per span text (normalised) annotated at least `min_count` times, its majority type, how often it was
    annotated with it (`count`), that type's share of its annotations (`share`), and how often the text occurs in
    train at all, annotated or not (`occurrences`), and in how many abstracts it is annotated (`documents`).
    """
    documents = _scierc_documents(train_json)
    head_counts: dict[str, Counter[str]] = defaultdict(Counter)
    term_counts: dict[str, Counter[str]] = defaultdict(Counter)
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    spread: dict[str, set[str]] = defaultdict(set)  # normalised term -> documents annotating it
    for document in documents:
        for span in document.gold:
            text = document.text[span.start : span.end]
            head = _head(text)
            if head is not None:
                head_counts[head][span.type] += 1
            term_counts[normalise(text)][span.type] += 1
            surface[normalise(text)][text] += 1
            spread[normalise(text)].add(document.id)
    head_rows = []
    for head, counts in head_counts.items():
        total = sum(counts.values())
        for label, kind in SCIERC_TYPES.items():
            if counts[label] >= min_count:
                head_rows.append((kind, head, counts[label], f"{counts[label] / total:.3f}", total))
    head_rows.sort(key=lambda r: (CONCEPT_TYPES.index(r[0]), -r[2], r[1]))
    frequent = {key: counts for key, counts in term_counts.items() if counts.most_common(1)[0][1] >= min_count}
    occurrences = _occurrences(documents, frequent)
    term_rows = []
    for key, counts in frequent.items():
        label, count = counts.most_common(1)[0]
        if label in SCIERC_TYPES:
            share = f"{count / sum(counts.values()):.3f}"
            text = min(surface[key].items(), key=lambda item: (-item[1], item[0]))[0]
            seen = max(occurrences[key], count)
            term_rows.append((SCIERC_TYPES[label], text, count, share, seen, len(spread[key])))
    term_rows.sort(key=lambda r: (CONCEPT_TYPES.index(r[0]), r[1].casefold(), r[1]))
    note = "# Mined from SciERC train (Apache-2.0) by `python -m kg.vocabulary_build --import-data`; see README.md."
    atomic_write_text(
        sources_dir / SCIERC_HEADS_FILE,
        "\n".join([note, "type\thead\tspans\tshare\tall_spans", *("\t".join(map(str, r)) for r in head_rows)]) + "\n",
    )
    atomic_write_text(
        sources_dir / SCIERC_TERMS_FILE,
        "\n".join(
            [note, "type\tlabel\tcount\tshare\toccurrences\tdocuments", *("\t".join(map(str, r)) for r in term_rows)]
        )
        + "\n",
    )
    return len(head_rows), len(term_rows)


def suggest_denials(
    corpus_dir: Path, candidates: Sequence[Candidate], min_df: int = 3, max_ratio: float = 0.2
) -> list[tuple[str, int, int]]:
    """One-word labels that look like names but behave like ordinary words in a corpus of abstracts.

    For each one-word label we count the documents of `corpus_dir` (HF Daily Papers API dumps) containing it
    case-insensitively and as written; a label found at least `min_df` times case-insensitively but less than
    `max_ratio` of those times as written ("USE", "BASE", "ZeRO") is an ordinary word in disguise.
    Returns (label, df lower-cased, df as written) rows for a human to review; nothing is denied automatically.
    """
    words = {label for c in candidates for label in (c.label, *c.alt_labels) if re.fullmatch(r"[A-Za-z]+", label)}
    lower_df: Counter[str] = Counter()
    exact_df: Counter[str] = Counter()
    for text in _corpus_texts(corpus_dir):
        tokens = set(re.findall(r"[A-Za-z]+", text))
        lowered = {t.lower() for t in tokens}
        for word in words:
            if word.lower() in lowered:
                lower_df[word] += 1
                if word in tokens:
                    exact_df[word] += 1
    rows = [
        (w, lower_df[w], exact_df[w]) for w in words if lower_df[w] >= min_df and exact_df[w] < max_ratio * lower_df[w]
    ]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _corpus_texts(corpus_dir: Path) -> Iterator[str]:
    """Title and abstract of every item in the JSON dumps of `corpus_dir`; items that do not parse are skipped."""
    import ast

    for path in sorted(corpus_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        items = data.get("data", []) if isinstance(data, dict) else data
        for item in items:
            if isinstance(item, str):
                try:
                    item = ast.literal_eval(item)
                except (ValueError, SyntaxError):
                    continue
            paper = item.get("paper", item) if isinstance(item, dict) else {}
            yield f"{paper.get('title') or ''} {paper.get('summary') or ''}"


def _tsv_cell(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.vocabulary_build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--import-data", type=Path, metavar="DIR", help="refresh the frozen imports from DIR first")
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR, help="folder of source lists")
    parser.add_argument("--out", type=Path, default=ONTOLOGY_DIR, help="folder for vocabulary.ttl and lexicon.tsv")
    parser.add_argument("--suggest-deny", type=Path, metavar="CORPUS", help="print deny-list candidates and stop")
    parser.add_argument("--verbose", action="store_true", help="list dropped labels and label conflicts")
    args = parser.parse_args(argv)
    try:
        if args.import_data is not None:
            count = import_pwc(args.import_data / "pwc" / "methods.json", args.sources / PWC_FILE)
            print(f"imported {count} PwC methods", file=sys.stderr)
            heads, terms = mine_scierc_train(args.import_data / "scierc" / "train.json", args.sources)
            print(f"mined {heads} head statistics and {terms} terms from SciERC train", file=sys.stderr)
        if args.suggest_deny is not None:
            for row in suggest_denials(args.suggest_deny, read_pwc(args.sources / PWC_FILE)):
                print("\t".join(map(str, row)))
            return 0
        result = build(args.sources)
        vocabulary, lexicon = write(result, args.out)
    except KgError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    counts = Counter(entry.type for entry in result.entries)
    print(
        f"wrote {vocabulary} ({len(result.entries)} concepts: "
        + ", ".join(f"{counts[t]} {t}" for t in CONCEPT_TYPES)
        + f") and {lexicon} ({len(result.lexicon)} rows); {len(result.dropped)} labels dropped, "
        f"{len(result.conflicts)} label conflicts resolved",
        file=sys.stderr,
    )
    heads_stats = args.sources / SCIERC_HEADS_FILE
    if heads_stats.exists():
        seed = read_lexicon_seed(args.sources / LEXICON_SEED_FILE)
        for kind, head, spans, share in contradicted_heads(seed, heads_stats):
            print(
                f"warning: curated {kind} head {head!r} ends {spans} {kind} spans in SciERC train, share {share}",
                file=sys.stderr,
            )
    if args.verbose:
        for dropped in result.dropped:
            print("dropped\t" + "\t".join(dropped), file=sys.stderr)
        for conflict in result.conflicts:
            print("conflict\t" + "\t".join(conflict), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
