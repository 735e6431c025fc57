"""The persistent graph store: an embedded Oxigraph database, the single source of truth of the graph.

Layout of a store folder::

    <store>/CURRENT_VERSION        "v000007": the committed version readers open (replaced atomically)
    <store>/v000007/db/            the committed Oxigraph (RocksDB) database
    <store>/v000007/papers.tsv     paper IRI <TAB> digest of the triples its last extraction mapped to
    <store>/v000007/labels.tsv     paper IRI <TAB> one label line (N-Triples) its last extraction mapped
    <store>/v000006/               the version before it, kept for readers that opened it just before the swap
    <store>/writer.lock            flock'ed by the one writer; holds its pid for the "locked" message
    <store>/.staging-<pid>/        a writer's work in progress (removed by the next writer if the process died)

Why versions rather than writing in place: Oxigraph documents that opening a database read-only while another
process writes it is undefined behaviour, and a bulk load is not transactional. So a writer never touches the
committed version: `add` checkpoints it into a staging folder (RocksDB hard-links its immutable files, so this is
cheap), writes there with the fast non-transactional bulk loader, flushes, renames the folder to the next version
and only then atomically rewrites CURRENT_VERSION. A writer killed at any point leaves CURRENT_VERSION naming the
previous, complete version; readers never see a half-written graph and never share a database with a writer.

Incremental and idempotent adds: each paper owns its node's triples and the triples of its mentions and results.
Adding an extraction for a paper already in the store replaces what the paper owns by the new extraction (so a
changed extraction leaves no stale mentions, and single-valued properties stay single), except `kg:listedIn`
links, which accumulate: a paper read from two files in two builds was listed in both. Shared nodes (concepts,
authors, organisations, repositories, listings) are merged as sets, and one left unreferenced by a replacement is
deleted. Their labels are the union of the labels the papers state for them: labels.tsv records each paper's, so a
replaced paper takes back an alias no other paper states (a store written before labels.tsv existed lets labels
accumulate). Of several preferred labels minted to one IRI (case variants), one is kept by an order-independent
rule and the others become skos:altLabel. Derived data (paper counts, label keys: `kg.derived`) is recomputed at
each commit for the nodes it touched. Re-adding identical data changes nothing and commits no version; papers.tsv
makes that check cheap (a paper whose mapped triples hash as last time is skipped without reading the database),
and as it lives inside the version folder it can never disagree with the database beside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

import pyoxigraph as ox
import rdflib
from oxrdflib import OxigraphStore
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, SKOS

from kg import derived, rdf
from kg.atomic import atomic_write_text
from kg.errors import KgError, StoreLockedError
from kg.paths import DEFAULT_STORE
from kg.records import Extraction
from kg.stats import compute_stats
from kg.terms import KG, PREFIXES

POINTER = "CURRENT_VERSION"
LOCK_FILE = "writer.lock"
_STAGING_PREFIX = ".staging-"
_DB = "db"
_DIGESTS = "papers.tsv"
_LABELS = "labels.tsv"
_VERSION = re.compile(r"^v(\d{6})$")
_BATCH_PAPERS = 500  # papers mapped and written per batch: bounds memory whatever the input size


@dataclass(frozen=True)
class AddReport:
    """What one `GraphStore.add` did: triple counts before and after, and how the papers were treated."""

    triples_before: int
    triples_after: int
    papers: int
    papers_new: int = 0
    papers_replaced: int = 0
    papers_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return self.papers_new + self.papers_replaced > 0


# --------------------------------------------------------------------------------------------------------------
# Folder layout and the writer lock


@dataclass(frozen=True)
class _Layout:
    """Names inside a store folder; no I/O beyond listing and reading the pointer."""

    root: Path

    @property
    def pointer(self) -> Path:
        return self.root / POINTER

    @property
    def lock(self) -> Path:
        return self.root / LOCK_FILE

    def is_store(self) -> bool:
        return self.pointer.is_file()

    def current(self) -> Path:
        """The committed version's folder, checked: a pointer naming a missing folder is a damaged store."""
        name = self.pointer.read_text(encoding="utf-8").strip()
        if not _VERSION.match(name) or not (self.root / name / _DB).is_dir():
            raise KgError(f"store {self.root} is damaged: {self.pointer} names {name!r}, which is not a version")
        return self.root / name

    def versions(self) -> list[Path]:
        return sorted(p for p in self.root.iterdir() if p.is_dir() and _VERSION.match(p.name))

    def next_version(self) -> Path:
        numbers = [int(m.group(1)) for p in self.versions() if (m := _VERSION.match(p.name))]
        return self.root / f"v{max(numbers, default=0) + 1:06d}"

    def staging(self) -> Path:
        return self.root / f"{_STAGING_PREFIX}{os.getpid()}"

    def stale_staging(self) -> list[Path]:
        return [p for p in self.root.iterdir() if p.name.startswith(_STAGING_PREFIX)]

    def foreign(self) -> list[Path]:
        """Entries a kg store never creates: a folder holding any is someone else's, and is not written to."""
        ours = (LOCK_FILE, POINTER)
        return [
            p
            for p in self.root.iterdir()
            if p.name not in ours
            and not p.name.startswith((_STAGING_PREFIX, f".{POINTER}."))
            and not _VERSION.match(p.name)
        ]


class _WriterLock:
    """An exclusive flock on <store>/writer.lock: the kernel releases it when the holder dies, even by SIGKILL.

    flock locks belong to the open file, so a second writer in the same process is refused too.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle: IO[str] | None = None

    def acquire(self, store: Path) -> None:
        try:
            handle = open(self._path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        except OSError as error:
            raise KgError(f"cannot open the lock file of store {store}: {error}") from error
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise StoreLockedError(f"store {store} is locked by another kg process (pid {holder})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.seek(0)
                self._handle.truncate()
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def _open_read_only(version: Path) -> ox.Store:
    try:
        return ox.Store.read_only(str(version / _DB))
    except OSError as error:
        raise KgError(f"cannot open store version {version}: {error}") from error


def _digest(lines: list[str]) -> str:
    return hashlib.sha1("\n".join(lines).encode("utf-8", errors="replace")).hexdigest()


def _read_digests(version: Path) -> dict[str, str]:
    """The version's paper digests; none (every paper then compared triple by triple) if the file is unreadable."""
    try:
        text = (version / _DIGESTS).read_text(encoding="utf-8")
    except OSError:
        return {}
    return dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)


def _write_digests(version: Path, digests: dict[str, str]) -> None:
    atomic_write_text(version / _DIGESTS, "".join(f"{iri}\t{digests[iri]}\n" for iri in sorted(digests)))


def _read_labels(version: Path) -> dict[str, tuple[str, ...]] | None:
    """Paper IRI -> the label lines (N-Triples) its last extraction mapped, from labels.tsv; None when the version
    has no such file (a store written before labels were recorded: there, labels only accumulate)."""
    try:
        text = (version / _LABELS).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise KgError(f"cannot read {version / _LABELS}: {error}") from error
    labels: dict[str, list[str]] = {}
    for line in text.splitlines():
        iri, tab, triple = line.partition("\t")
        if tab:
            labels.setdefault(iri, []).append(triple)
    return {iri: tuple(lines) for iri, lines in labels.items()}


def _write_labels(version: Path, labels: dict[str, tuple[str, ...]]) -> None:
    atomic_write_text(version / _LABELS, "".join(f"{iri}\t{line}\n" for iri in sorted(labels) for line in labels[iri]))


# --------------------------------------------------------------------------------------------------------------
# Writing: per-paper replacement inside a staging database


def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


_TYPE = _node(str(RDF.type))
_PAPER = _node(str(KG.Paper))
_HAS_MENTION = _node(str(KG.hasMention))
_HAS_RESULT = _node(str(KG.hasResult))
_LISTED_IN = _node(str(KG.listedIn))
_PREF_LABEL = _node(str(SKOS.prefLabel))
_ALT_LABEL = _node(str(SKOS.altLabel))
_DEFAULT = ox.DefaultGraph()


def _owned_quads(db: ox.Store, paper: ox.NamedNode) -> set[ox.Quad]:
    """The quads a paper owns in `db`: its node's (but not kg:listedIn) and those of its mentions and results."""
    owned: set[ox.Quad] = set()
    parts: list[ox.NamedNode] = []
    for quad in db.quads_for_pattern(paper, None, None, _DEFAULT):
        if quad.predicate == _LISTED_IN:
            continue
        owned.add(quad)
        if quad.predicate in (_HAS_MENTION, _HAS_RESULT) and isinstance(quad.object, ox.NamedNode):
            parts.append(quad.object)
    for part in parts:
        owned.update(db.quads_for_pattern(part, None, None, _DEFAULT))
    return owned


class _Writer:
    """One `add` call's work on a staging database: loads new papers in bulk, replaces changed ones, removes
    orphans and reconciles labels."""

    def __init__(self, db: ox.Store, digests: dict[str, str], labels: dict[str, tuple[str, ...]] | None) -> None:
        self.db = db
        self.digests = digests  # paper IRI -> digest of its mapped triples, kept up to date as papers are written
        self.labels = labels  # paper IRI -> its label lines (None: not recorded, labels accumulate), kept up to date
        self.relabel: set[str] = set()  # IRIs of nodes a replaced paper stopped labelling with some label
        self.orphan_candidates: set[ox.NamedNode] = set()
        self.touched_concepts: set[str] = set()  # IRIs of concepts a written paper names: their counts may change
        self.touched_labelled: set[str] = set()  # IRIs of nodes a written paper labels: their keys may change
        self.papers = self.new = self.replaced = self.unchanged = 0

    def write_batch(self, batch: list[Extraction]) -> None:
        latest = {rdf.paper_node(e).value: e for e in batch}  # a paper given twice: the later extraction wins
        new_lines: list[str] = []
        inserts: list[ox.Quad] = []
        for iri, extraction in latest.items():
            lines = rdf.paper_ntriples(extraction)
            digest = _digest(lines)
            if self.digests.get(iri) == digest:
                self.unchanged += 1
                continue
            self.digests[iri] = digest
            labels_changed = self._record_labels(iri, self._touch(lines))
            paper = ox.NamedNode(iri)
            if ox.Quad(paper, _TYPE, _PAPER) not in self.db:
                self.new += 1
                new_lines.extend(lines)
            else:
                quads = list(ox.parse(rdf.ntriples_bytes(lines), format=ox.RdfFormat.N_TRIPLES))
                self._replace(paper, quads, inserts, labels_changed)
        self.papers += len(batch)
        if new_lines:
            self.db.bulk_load(rdf.ntriples_bytes(new_lines), format=ox.RdfFormat.N_TRIPLES)
        if inserts:
            self.db.bulk_extend(inserts)

    def _touch(self, lines: list[str]) -> tuple[str, ...]:
        """Note the concepts and labelled nodes of a paper's new lines (`rdf.paper_ntriples` writes every line as
        `<subject> <predicate> object .`, IRIs without spaces), so that only their derived data is recomputed;
        returns the paper's label lines, sorted and without repeats."""
        labels: set[str] = set()
        for line in lines:
            subject, predicate, rest = line.split(" ", 2)
            if predicate == rdf.TYPE and rest[:-2] in _CONCEPT_CLASS_TERMS:
                self.touched_concepts.add(subject[1:-1])
            elif predicate in _LABEL_TERMS:
                self.touched_labelled.add(subject[1:-1])
                labels.add(line)
        return tuple(sorted(labels))

    def _record_labels(self, iri: str, labels: tuple[str, ...]) -> bool:
        """Record the paper's label lines; the nodes of lines it no longer states are relabelled at the end.
        Returns whether they changed (a paper whose only change is a dropped alias is still a replacement)."""
        if self.labels is None:
            return False
        old = self.labels.get(iri, ())
        self.labels[iri] = labels
        dropped = set(old).difference(labels)
        self.relabel.update(line.split(" ", 1)[0][1:-1] for line in dropped)
        return old != labels

    def relabel_nodes(self) -> None:
        """Give each node a replaced paper stopped labelling exactly the labels the papers now state for it, as a
        rebuild would: the union of their label lines, of which `reconcile_labels` then keeps one preferred.

        Labels are not owned by one paper (a concept's aliases come from every paper naming it), so they cannot
        be replaced with the paper's own triples; the per-paper record of label lines (labels.tsv) says which
        labels some paper still states. A node left with none is unreferenced and was removed as an orphan."""
        if self.labels is None or not self.relabel:
            return
        stated = [
            line for lines in self.labels.values() for line in lines if line.split(" ", 1)[0][1:-1] in self.relabel
        ]
        wanted: dict[ox.NamedNode | ox.BlankNode | ox.Triple, set[ox.Quad]] = {}
        for quad in ox.parse(rdf.ntriples_bytes(stated), format=ox.RdfFormat.N_TRIPLES):
            wanted.setdefault(quad.subject, set()).add(ox.Quad(quad.subject, quad.predicate, quad.object))
        for iri in sorted(self.relabel):
            node = ox.NamedNode(iri)
            if next(self.db.quads_for_pattern(node, None, None, _DEFAULT), None) is None:
                continue  # removed as an orphan
            labels = wanted.get(node, set())
            current = {q for p in (_PREF_LABEL, _ALT_LABEL) for q in self.db.quads_for_pattern(node, p, None, _DEFAULT)}
            for quad in current - labels:  # including demoted preferred labels: reconcile_labels demotes them again
                self.db.remove(quad)
            for quad in labels - current:
                self.db.add(quad)
            self.touched_labelled.add(iri)

    def derive(self, everything: bool) -> None:
        """Re-derive paper counts and label keys (see `kg.derived`) for every node this add touched: the concepts
        and labelled nodes of the papers written, and the nodes replaced papers stopped linking to. `everything`
        recomputes them for the whole graph (a store built before derived data existed)."""
        if everything:
            derived.derive_all(self.db)
            return
        concepts = {ox.NamedNode(iri) for iri in self.touched_concepts} | self.orphan_candidates
        derived.derive(self.db, concepts, {ox.NamedNode(iri) for iri in self.touched_labelled})

    def _replace(
        self, paper: ox.NamedNode, quads: list[ox.Quad], inserts: list[ox.Quad], labels_changed: bool = False
    ) -> None:
        """Make the paper own exactly `quads`' share: remove what it owned and no longer states, add what is new."""
        old = _owned_quads(self.db, paper)
        stale = old.difference(quads)
        missing = [q for q in quads if q not in self.db and not self._demoted(q)]
        if not stale and not missing and not labels_changed:
            self.unchanged += 1
            return
        self.replaced += 1
        for quad in stale:
            self.db.remove(quad)
            if isinstance(quad.object, ox.NamedNode) and quad.predicate != _TYPE:
                self.orphan_candidates.add(quad.object)
        inserts.extend(missing)

    def _demoted(self, quad: ox.Quad) -> bool:
        """Whether `quad` is a preferred label that `reconcile_labels` already turned into an alternative one."""
        return quad.predicate == _PREF_LABEL and ox.Quad(quad.subject, _ALT_LABEL, quad.object) in self.db

    def remove_orphans(self) -> None:
        """Delete shared nodes that a replacement left with no incoming edge (they would not exist in a rebuild).

        Papers are roots, not shared nodes: a replaced paper is an orphan candidate through its old mentions'
        prov:wasDerivedFrom, and a paper whose new extraction has no mention has no incoming edge left."""
        pending = set(self.orphan_candidates)
        while pending:
            node = pending.pop()
            if ox.Quad(node, _TYPE, _PAPER) in self.db:
                continue
            if next(self.db.quads_for_pattern(None, None, node, _DEFAULT), None) is not None:
                continue
            for quad in list(self.db.quads_for_pattern(node, None, None, _DEFAULT)):
                self.db.remove(quad)
                if isinstance(quad.object, ox.NamedNode) and quad.predicate != _TYPE:
                    pending.add(quad.object)

    def reconcile_labels(self) -> None:
        """Keep exactly one skos:prefLabel per node: of several labels minted to one IRI (case variants such as
        "LoRA" and "Lora"), the smallest in code-point order stays preferred and the others become alternative
        labels. The rule ignores the order papers were added in, so every build of the same records agrees."""
        solutions = self.db.query(_SHARED_LABELS_QUERY)
        assert isinstance(solutions, ox.QuerySolutions)
        labels: dict[ox.NamedNode, list[ox.Literal]] = {}
        for row in solutions:
            node, label = row["node"], row["label"]
            if isinstance(node, ox.NamedNode) and isinstance(label, ox.Literal):
                labels.setdefault(node, []).append(label)
        for node, found in labels.items():
            for label in sorted(found, key=lambda literal: literal.value)[1:]:
                self.db.remove(ox.Quad(node, _PREF_LABEL, label))
                self.db.add(ox.Quad(node, _ALT_LABEL, label))


_CONCEPT_CLASS_TERMS = frozenset(rdf.CONCEPT_CLASS.values())
_LABEL_TERMS = frozenset((rdf.PREF_LABEL, rdf.ALT_LABEL))

_SHARED_LABELS_QUERY = """
SELECT ?node ?label WHERE {
  { SELECT ?node WHERE { ?node <http://www.w3.org/2004/02/skos/core#prefLabel> ?any }
    GROUP BY ?node HAVING (COUNT(?any) > 1) }
  ?node <http://www.w3.org/2004/02/skos/core#prefLabel> ?label
}
"""


def _batches(extractions: Iterable[Extraction], size: int) -> Iterator[list[Extraction]]:
    iterator = iter(extractions)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# --------------------------------------------------------------------------------------------------------------
# The public store


class GraphStore:
    """An embedded, persistent Oxigraph store: many readers, one writer, crash-safe commits.

    Open it with `GraphStore.open(path, read_only=...)` and use it as a context manager. Readers see the version
    committed when they opened; a writer's `add` commits a new version when it returns.
    """

    def __init__(self, root: Path, *, read_only: bool, lock: _WriterLock | None) -> None:
        self._layout = _Layout(root)
        self._read_only = read_only
        self._lock = lock
        self._version = self._layout.current()
        self._db: ox.Store | None = _open_read_only(self._version)

    # ---- opening and closing

    @classmethod
    def open(cls, path: Path | None = None, *, read_only: bool = True) -> GraphStore:
        """Open the store at `path` (default `.kg/store`); a writer creates it if missing and takes the lock."""
        root = Path(path) if path is not None else DEFAULT_STORE
        layout = _Layout(root)
        if read_only:
            if not layout.is_store():
                raise KgError(f"no store at {root}; run `kg build` first")
            return cls(root, read_only=True, lock=None)
        return cls._open_writer(layout)

    @classmethod
    def _open_writer(cls, layout: _Layout) -> GraphStore:
        root = layout.root
        if root.exists() and not root.is_dir():
            raise KgError(f"cannot use {root} as a store: it is a file")
        if root.is_dir() and not layout.is_store() and layout.foreign():
            raise KgError(f"{root} is not empty and is not a kg store; choose another --store folder")
        root.mkdir(parents=True, exist_ok=True)
        lock = _WriterLock(layout.lock)
        lock.acquire(root)
        try:
            for leftover in layout.stale_staging():  # from a writer that died; we hold the lock, so it is stale
                shutil.rmtree(leftover)
            if not layout.is_store():
                _commit(layout, _create_empty(layout))
            return cls(root, read_only=False, lock=lock)
        except BaseException:
            lock.release()
            raise

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the database and, for a writer, the lock. Handles obtained from this store become invalid."""
        self._db = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ---- reading

    @property
    def path(self) -> Path:
        return self._layout.root

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def data_dir(self) -> Path:
        """The Oxigraph folder of the version this store reads (for `oxigraph serve-read-only --location`)."""
        return self._version / _DB

    @property
    def oxigraph(self) -> ox.Store:
        """Read access to the committed graph (default graph) for SPARQL queries, views and exports."""
        if self._db is None:
            raise KgError(f"store {self.path} is closed")
        return self._db

    def rdflib_graph(self) -> rdflib.Graph:
        """An rdflib Graph over the same data through oxrdflib (read access; the default graph)."""
        graph = rdflib.Graph(store=OxigraphStore(store=self.oxigraph), identifier=DATASET_DEFAULT_GRAPH_ID)
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        return graph

    def __len__(self) -> int:
        return len(self.oxigraph)

    def stats(self) -> dict:
        """Counts of papers, concepts by type, repositories, organisations and triples (see kg.stats)."""
        return compute_stats(self.oxigraph)

    # ---- writing

    def add(self, extractions: Iterable[Extraction]) -> AddReport:
        """Add extractions (streamed, in batches) and commit a new version; nothing is committed if unchanged.

        A paper already in the store has what it owns replaced (see the module docstring).
        """
        if self._read_only or self._lock is None:
            raise KgError(f"store {self.path} is open read-only; open it with read_only=False to add")
        before = len(self.oxigraph)
        staging = _new_staging(self._layout)
        try:
            self.oxigraph.backup(str(staging / _DB))
            report = _write(staging, extractions, before, self._version)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if not report.changed:
            shutil.rmtree(staging)
            return report
        self._db = None
        _commit(self._layout, staging)
        self._version = self._layout.current()
        self._db = _open_read_only(self._version)
        return report

    def replace_annotations(
        self, predicates: Iterable[str], classes: Iterable[str], triples: Iterable[ox.Triple]
    ) -> bool:
        """Commit a version whose annotations are exactly `triples`, and return whether anything changed.

        Annotations are results computed over the graph and written back for SPARQL (communities: `kg.analytics`):
        every triple whose predicate is one of `predicates`, and every triple about a node typed with one of
        `classes`. Each new triple must be one of those, so an annotation can never overwrite the papers' data.
        """
        if self._read_only or self._lock is None:
            raise KgError(f"store {self.path} is open read-only; open it with read_only=False to annotate")
        predicate_nodes = {ox.NamedNode(p) for p in predicates}
        class_nodes = {ox.NamedNode(c) for c in classes}
        new = {ox.Quad(t.subject, t.predicate, t.object, _DEFAULT) for t in triples}
        typed = {q.subject for q in new if q.predicate == _TYPE and q.object in class_nodes}
        stray = next((q for q in new if q.predicate not in predicate_nodes and q.subject not in typed), None)
        if stray is not None:
            raise KgError(f"not an annotation triple: {stray}")

        def annotations(db: ox.Store) -> set[ox.Quad]:
            found = {q for p in predicate_nodes for q in db.quads_for_pattern(None, p, None, _DEFAULT)}
            for cls in class_nodes:
                for typing in db.quads_for_pattern(None, _TYPE, cls, _DEFAULT):
                    found.update(db.quads_for_pattern(typing.subject, None, None, _DEFAULT))
            return found

        old = annotations(self.oxigraph)
        if old == new:
            return False
        staging = _new_staging(self._layout)
        try:
            self.oxigraph.backup(str(staging / _DB))
            for name in (_DIGESTS, _LABELS):
                if (self._version / name).is_file():
                    shutil.copy2(self._version / name, staging / name)
            db = ox.Store(str(staging / _DB))
            for quad in old - new:
                db.remove(quad)
            db.extend(sorted(new - old, key=str))
            db.flush()
            del db
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._db = None
        _commit(self._layout, staging)
        self._version = self._layout.current()
        self._db = _open_read_only(self._version)
        return True


def _new_staging(layout: _Layout) -> Path:
    staging = layout.staging()
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    return staging


def _write(staging: Path, extractions: Iterable[Extraction], before: int, version: Path) -> AddReport:
    """Apply `extractions` to the staging database, a copy of `version`'s holding `before` triples, and close it (it
    is closed when this function returns).  Whether the store was empty is read from `before`: `len` of an Oxigraph
    store scans every quad."""
    db = ox.Store(str(staging / _DB))
    labels = _read_labels(version)
    if labels is None and before == 0:
        labels = {}  # an empty store records every paper's labels from its first commit on
    writer = _Writer(db, _read_digests(version), labels)
    migrate = before > 0 and not derived.has_derived_data(db)
    for batch in _batches(extractions, _BATCH_PAPERS):
        writer.write_batch(batch)
    writer.remove_orphans()
    writer.relabel_nodes()
    writer.reconcile_labels()
    if writer.new + writer.replaced > 0:
        writer.derive(everything=migrate)
    after = len(writer.db)
    report = AddReport(before, after, writer.papers, writer.new, writer.replaced, writer.unchanged)
    if report.changed:
        writer.db.flush()
        writer.db.optimize()
        _write_digests(staging, writer.digests)
        if writer.labels is not None:
            _write_labels(staging, writer.labels)
    return report


def _create_empty(layout: _Layout) -> Path:
    staging = _new_staging(layout)
    db = ox.Store(str(staging / _DB))
    db.flush()
    del db
    _write_digests(staging, {})
    _write_labels(staging, {})
    return staging


def _commit(layout: _Layout, staging: Path) -> None:
    """Make `staging` the committed version: rename it, atomically repoint, then drop versions no reader needs.

    The rename and the pointer write are each atomic; a crash between them leaves an unreferenced version that
    the next commit removes. The version just replaced is kept for readers that opened it a moment ago.
    """
    previous = layout.current() if layout.is_store() else None
    target = layout.next_version()
    os.replace(staging, target)
    atomic_write_text(layout.pointer, target.name + "\n")
    for version in layout.versions():
        if version not in (target, previous):
            shutil.rmtree(version, ignore_errors=True)
