"""The persistent graph store: an embedded Oxigraph database, the single source of truth of the graph.

Layout of a store folder::

    <store>/CURRENT_VERSION        "v000007": the committed version readers open (replaced atomically)
    <store>/v000007/db/            the committed Oxigraph (RocksDB) database
    <store>/v000007/papers.tsv     paper IRI <TAB> digest of the triples its last extraction mapped to
    <store>/v000007/labels.tsv     paper IRI <TAB> one label line (N-Triples) its last extraction mapped
    <store>/v000007/triples.txt    the number of triples in the version (counting them scans every quad)
    <store>/v000006/               the version before it, kept for readers that opened it just before the swap
    <store>/writer.lock            flock'ed by the one writer; holds its pid for the "locked" message
    <store>/.staging-<pid>/        a writer's work in progress (removed by the next writer if the process died)
    <store>/exports/               exports and rejects reports of a store other than the default (`kg.paths`)

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
rule and the others become skos:altLabel. Derived data (paper counts, label keys: `kg.derived`) is kept up to
date at each commit: from the new papers themselves for what only they touch, from the graph for what rewritten
papers touched. Re-adding identical data changes nothing and commits no version; papers.tsv
makes that check cheap (a paper whose mapped triples hash as last time is skipped without reading the database),
and as it lives inside the version folder it can never disagree with the database beside it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import itertools
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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
from kg.atomic import atomic_write_text, write_failures
from kg.errors import KgError, StoreLockedError
from kg.mapped import MappedPaper, map_extraction
from kg.paths import DEFAULT_STORE, STORE_EXPORTS
from kg.records import Extraction
from kg.stats import compute_stats
from kg.terms import KG, PREFIXES
from kg.timing import Phases

POINTER = "CURRENT_VERSION"
LOCK_FILE = "writer.lock"
_STAGING_PREFIX = ".staging-"
_DB = "db"
_DIGESTS = "papers.tsv"
_LABELS = "labels.tsv"
_VERSION = re.compile(r"^v(\d{6})$")
_TRIPLES = "triples.txt"
_BATCH_PAPERS = 500  # papers written per batch (about 27 MB of N-Triples): bounds memory whatever the input size
# A bulk load of up to this many triples is counted first (a lookup per triple), so the commit needs no scan.
_COUNT_BEFORE_LOAD = 50_000
# Compaction after a load of at least this many triples: it rewrites the whole database (6 s on 3M triples), which
# a small add does not need, while after a large load it keeps reads fast.
_COMPACT_AFTER = 200_000


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
        ours = (LOCK_FILE, POINTER, STORE_EXPORTS)
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


class _LabelRecord:
    """Paper IRI -> the label lines its last extraction mapped (labels.tsv, tens of MB on a large store).

    The file is read only when a paper already in the store is written again (its old labels are then needed);
    a commit that only adds new papers writes a copy of the file with their lines appended, so a small add to a
    large store does not parse and rewrite every paper's labels. `recorded` is False for a store written before
    labels.tsv existed: there, labels only accumulate.
    """

    def __init__(self, version: Path, recorded: bool) -> None:
        self._version = version
        self.recorded = recorded
        self._all: dict[str, tuple[str, ...]] | None = None if recorded else {}
        self._appended: dict[str, tuple[str, ...]] = {}

    @classmethod
    def of(cls, version: Path, before: int) -> _LabelRecord:
        return cls(version, recorded=(version / _LABELS).is_file() or before == 0)

    def _loaded(self) -> dict[str, tuple[str, ...]]:
        if self._all is None:
            self._all = _read_labels(self._version) or {}
            self._all.update(self._appended)
            self._appended.clear()
        return self._all

    def record_new(self, iri: str, labels: tuple[str, ...]) -> None:
        """Record the labels of a paper that was not in the store."""
        if not self.recorded:
            return
        if self._all is not None:
            self._all[iri] = labels
        else:
            self._appended[iri] = labels

    def replace(self, iri: str, labels: tuple[str, ...]) -> tuple[str, ...]:
        """Record a rewritten paper's labels; returns the ones recorded before."""
        if not self.recorded:
            return labels
        everything = self._loaded()
        old = everything.get(iri, ())
        everything[iri] = labels
        return old

    def stated_for(self, nodes: set[str]) -> list[str]:
        """Every recorded label line whose subject is one of `nodes`."""
        if not self.recorded:
            return []
        return [line for lines in self._loaded().values() for line in lines if line.split(" ", 1)[0][1:-1] in nodes]

    def write(self, version: Path) -> None:
        if not self.recorded:
            return
        if self._all is not None:
            _write_labels(version, self._all)
            return
        target, source = version / _LABELS, self._version / _LABELS
        if source.is_file():
            shutil.copyfile(source, target)
        with open(target, "a", encoding="utf-8") as handle:
            handle.write("".join(f"{iri}\t{line}\n" for iri in sorted(self._appended) for line in self._appended[iri]))


def _read_triple_count(version: Path) -> int | None:
    try:
        return int((version / _TRIPLES).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


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
_NT = ox.RdfFormat.N_TRIPLES


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
    orphans, reconciles labels and re-derives the data of what it touched.

    It keeps the triple count up to date as it goes (`delta`), so a commit needs no full scan to count: every
    write is either checked against the database first or known to change it. A large bulk load is not counted
    quad by quad (`exact` turns False) and the count is then taken once, at the end, with a scan.
    """

    def __init__(self, db: ox.Store, digests: dict[str, str], labels: _LabelRecord, before: int) -> None:
        self.db = db
        self.digests = digests  # paper IRI -> digest of its mapped triples, kept up to date as papers are written
        self.labels = labels
        self.was_empty = before == 0
        self.delta = 0  # triples added minus triples removed so far
        self.exact = True
        self.loaded = 0  # triples bulk loaded (before deduplication)
        self.relabel: set[str] = set()  # IRIs of nodes a replaced paper stopped labelling with some label
        self.orphan_candidates: set[ox.NamedNode] = set()
        self.increments: Counter[str] = Counter()  # concept IRI -> new papers proposing or using it
        self.typed: set[str] = set()  # IRIs of the concepts new papers type: counted from the increments
        self.recount: set[str] = set()  # IRIs of the concepts rewritten papers type: counted from the graph
        self.rekey: set[str] = set()  # IRIs of nodes whose label keys are re-derived from the graph
        self.labelled: set[str] = set()  # IRIs of every node a written paper labels (for reconcile_labels)
        self.papers = self.new = self.replaced = self.unchanged = 0

    def write_batch(self, batch: list[MappedPaper], phases: Phases) -> None:
        with phases("diff"):
            latest = {paper.iri: paper for paper in batch}  # a paper given twice: the later one wins
            fresh: list[bytes] = []
            keys: set[str] = set()
            inserts: list[ox.Quad] = []
            for iri, paper in latest.items():
                if self.digests.get(iri) == paper.digest:
                    self.unchanged += 1
                    continue
                self.digests[iri] = paper.digest
                self.labelled.update(paper.labelled)
                node = ox.NamedNode(iri)
                if ox.Quad(node, _TYPE, _PAPER) not in self.db:
                    self.new += 1
                    self.labels.record_new(iri, paper.labels)
                    fresh.append(paper.data)
                    keys.update(paper.keys)
                    self.increments.update(paper.linked)
                    self.typed.update(paper.concepts)
                else:
                    labels_changed = self._record_labels(iri, paper.labels)
                    self.recount.update(paper.concepts)
                    self.rekey.update(paper.labelled)
                    self._replace(node, list(ox.parse(paper.data, format=_NT)), inserts, labels_changed)
            self.papers += len(batch)
        with phases("load"):
            if fresh:
                self._load(b"".join(fresh) + rdf.ntriples_bytes(sorted(keys)))
            if inserts:
                self._insert(inserts)

    def _load(self, data: bytes) -> None:
        """Bulk load new papers' triples (and their label keys), counting what is new when that is cheap."""
        lines = data.count(b"\n")
        self.loaded += lines
        if self.exact and lines <= _COUNT_BEFORE_LOAD:
            self.delta += sum(1 for quad in set(ox.parse(data, format=_NT)) if quad not in self.db)
        else:
            self.exact = False
        self.db.bulk_load(data, format=_NT)

    def _insert(self, quads: Iterable[ox.Quad]) -> None:
        missing = {quad for quad in quads if quad not in self.db}
        if missing:
            self.db.bulk_extend(missing)
        self.delta += len(missing)

    def _remove_all(self, quads: Iterable[ox.Quad]) -> None:
        """Remove quads known to be stored, in one transaction."""
        self.delta -= derived.remove_all(self.db, quads)

    def _record_labels(self, iri: str, labels: tuple[str, ...]) -> bool:
        """Record a rewritten paper's label lines; the nodes of lines it no longer states are relabelled at the end.
        Returns whether they changed (a paper whose only change is a dropped alias is still a replacement)."""
        if not self.labels.recorded:
            return False
        old = self.labels.replace(iri, labels)
        dropped = set(old).difference(labels)
        self.relabel.update(line.split(" ", 1)[0][1:-1] for line in dropped)
        return old != labels

    def relabel_nodes(self) -> None:
        """Give each node a replaced paper stopped labelling exactly the labels the papers now state for it, as a
        rebuild would: the union of their label lines, of which `reconcile_labels` then keeps one preferred.

        Labels are not owned by one paper (a concept's aliases come from every paper naming it), so they cannot
        be replaced with the paper's own triples; the per-paper record of label lines (labels.tsv) says which
        labels some paper still states. A node left with none is unreferenced and was removed as an orphan."""
        if not self.labels.recorded or not self.relabel:
            return
        stated = self.labels.stated_for(self.relabel)
        wanted: dict[ox.NamedNode | ox.BlankNode | ox.Triple, set[ox.Quad]] = {}
        for quad in ox.parse(rdf.ntriples_bytes(stated), format=_NT):
            wanted.setdefault(quad.subject, set()).add(ox.Quad(quad.subject, quad.predicate, quad.object))
        for iri in sorted(self.relabel):
            node = ox.NamedNode(iri)
            if next(self.db.quads_for_pattern(node, None, None, _DEFAULT), None) is None:
                continue  # removed as an orphan
            labels = wanted.get(node, set())
            current = {q for p in (_PREF_LABEL, _ALT_LABEL) for q in self.db.quads_for_pattern(node, p, None, _DEFAULT)}
            self._remove_all(current - labels)  # including demoted preferred labels: reconcile_labels demotes again
            self._insert(labels - current)
            self.rekey.add(iri)
            self.labelled.add(iri)

    def derive(self, everything: bool) -> None:
        """Re-derive paper counts and label keys (see `kg.derived`) for what this add touched.

        New papers' label keys were loaded with them, and the counts of the concepts only new papers name are the
        stored count plus the new papers naming them (a new paper was counted nowhere). The concepts and labelled
        nodes of rewritten papers, and the nodes they stopped linking to, are re-derived from the graph.
        `everything` recomputes the whole graph's (a store built before derived data existed)."""
        if everything:
            report = derived.derive_all(self.db)
        else:
            recount = {ox.NamedNode(iri) for iri in self.recount} | self.orphan_candidates
            increments = {
                node: self.increments[iri] for iri in self.typed if (node := ox.NamedNode(iri)) not in recount
            }
            counted = derived.add_paper_counts(self.db, increments, stored=not self.was_empty)
            exact = derived.derive(self.db, recount, {ox.NamedNode(iri) for iri in self.rekey})
            report = derived.DeriveReport(counted.added + exact.added, counted.removed + exact.removed)
        self.delta += report.added - report.removed

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
        self._remove_all(stale)
        for quad in stale:
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
            quads = list(self.db.quads_for_pattern(node, None, None, _DEFAULT))
            self._remove_all(quads)
            for quad in quads:
                if isinstance(quad.object, ox.NamedNode) and quad.predicate != _TYPE:
                    pending.add(quad.object)

    def reconcile_labels(self) -> None:
        """Keep exactly one skos:prefLabel per node: of several labels minted to one IRI (case variants such as
        "LoRA" and "Lora"), the smallest in code-point order stays preferred and the others become alternative
        labels. The rule ignores the order papers were added in, so every build of the same records agrees.

        Only a node this add labelled can have gained a second preferred label: a small add looks those up one by
        one, a large one asks the whole graph at once."""
        labels: dict[ox.NamedNode, list[ox.Literal]] = {}
        if len(self.labelled) > derived.BULK_NODES:
            solutions = self.db.query(_SHARED_LABELS_QUERY)
            assert isinstance(solutions, ox.QuerySolutions)
            for row in solutions:
                node, label = row["node"], row["label"]
                if isinstance(node, ox.NamedNode) and isinstance(label, ox.Literal):
                    labels.setdefault(node, []).append(label)
        else:
            for iri in self.labelled:
                node = ox.NamedNode(iri)
                found = [q.object for q in self.db.quads_for_pattern(node, _PREF_LABEL, None, _DEFAULT)]
                if len(found) > 1:
                    labels[node] = [label for label in found if isinstance(label, ox.Literal)]
        demoted = [
            (node, label) for node, found in labels.items() for label in sorted(found, key=lambda lit: lit.value)[1:]
        ]
        self._remove_all([ox.Quad(node, _PREF_LABEL, label) for node, label in demoted])
        self._insert([ox.Quad(node, _ALT_LABEL, label) for node, label in demoted])


_SHARED_LABELS_QUERY = """
SELECT ?node ?label WHERE {
  { SELECT ?node WHERE { ?node <http://www.w3.org/2004/02/skos/core#prefLabel> ?any }
    GROUP BY ?node HAVING (COUNT(?any) > 1) }
  ?node <http://www.w3.org/2004/02/skos/core#prefLabel> ?label
}
"""


def _batches(items: Iterable[MappedPaper], size: int) -> Iterator[list[MappedPaper]]:
    iterator = iter(items)
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
                with _uncommitted_on_write_error(root):
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
        return self.triple_count()

    def triple_count(self) -> int:
        """Triples in the committed graph: recorded at commit (counting scans every quad: 1 s per 3M)."""
        recorded = _read_triple_count(self._version)
        return recorded if recorded is not None else len(self.oxigraph)

    def stats(self) -> dict:
        """Counts of papers, concepts by type, repositories, organisations and triples (see kg.stats)."""
        return compute_stats(self.oxigraph, triples=self.triple_count())

    # ---- writing

    def add(self, extractions: Iterable[Extraction], phases: Phases | None = None) -> AddReport:
        """Add extractions (streamed, in batches) and commit a new version; nothing is committed if unchanged.

        A paper already in the store has what it owns replaced (see the module docstring).
        """
        return self.add_mapped(map(map_extraction, extractions), phases)

    def add_mapped(
        self,
        papers: Iterable[MappedPaper],
        phases: Phases | None = None,
        steps: Callable[[int, int], None] | None = None,
    ) -> AddReport:
        """`add` for papers already mapped (`kg.mapped.map_extraction`, run where extraction ran).

        `phases` accumulates the seconds spent diffing, loading, deriving and committing; `steps(done, total)`
        follows the work after the last paper is loaded (derive, flush, compact, record, publish)."""
        if self._read_only or self._lock is None:
            raise KgError(f"store {self.path} is open read-only; open it with read_only=False to add")
        with _uncommitted_on_write_error(self.path):
            return self._add_mapped(papers, phases if phases is not None else Phases(), steps)

    def _add_mapped(
        self, papers: Iterable[MappedPaper], timer: Phases, steps: Callable[[int, int], None] | None
    ) -> AddReport:
        before = self.triple_count()
        with self._staged_copy(timer) as staging:
            report = _write(staging, papers, before, self._version, timer, steps or (lambda done, total: None))
        if not report.changed:
            shutil.rmtree(staging)
            return report
        with timer("commit"):
            self._publish(staging)
        if steps is not None:
            steps(_STEPS, _STEPS)
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
        after = self.triple_count() - len(old - new) + len(new - old)
        with _uncommitted_on_write_error(self.path):
            with self._staged_copy() as staging:
                for name in (_DIGESTS, _LABELS):
                    if (self._version / name).is_file():
                        shutil.copy2(self._version / name, staging / name)
                db = ox.Store(str(staging / _DB))
                for quad in old - new:
                    db.remove(quad)
                db.extend(sorted(new - old, key=str))
                db.flush()
                del db
                atomic_write_text(staging / _TRIPLES, f"{after}\n")
            self._publish(staging)
        return True

    @contextlib.contextmanager
    def _staged_copy(self, timer: Phases | None = None) -> Iterator[Path]:
        """A new staging folder holding a copy of the committed database (the copy timed as "commit"), for a writer
        to change and `_publish`; removed if the block raises."""
        staging = _new_staging(self._layout)
        try:
            with (timer if timer is not None else Phases())("commit"):
                self.oxigraph.backup(str(staging / _DB))
            yield staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def _publish(self, staging: Path) -> None:
        """Commit `staging` (see `_commit`) and read from the new version from now on."""
        self._db = None
        _commit(self._layout, staging)
        self._version = self._layout.current()
        self._db = _open_read_only(self._version)


def _uncommitted_on_write_error(root: Path) -> contextlib.AbstractContextManager[None]:
    """A failure before the pointer is rewritten leaves the previous version: nothing was committed."""
    return write_failures("nothing was committed, the store is as it was", committed=False, where=f"store {root}")


def _new_staging(layout: _Layout) -> Path:
    staging = layout.staging()
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    return staging


_STEPS = 5  # derive, flush, compact, record, publish


def _write(
    staging: Path,
    papers: Iterable[MappedPaper],
    before: int,
    version: Path,
    phases: Phases,
    steps: Callable[[int, int], None],
) -> AddReport:
    """Apply `papers` to the staging database, a copy of `version`'s holding `before` triples, and close it (it
    is closed when this function returns)."""
    db = ox.Store(str(staging / _DB))
    writer = _Writer(db, _read_digests(version), _LabelRecord.of(version, before), before)
    migrate = before > 0 and not derived.has_derived_data(db)
    for batch in _batches(papers, _BATCH_PAPERS):
        writer.write_batch(batch, phases)
    steps(0, _STEPS)
    with phases("derive"):
        writer.remove_orphans()
        writer.relabel_nodes()
        writer.reconcile_labels()
        if writer.new + writer.replaced > 0:
            writer.derive(everything=migrate)
    report = AddReport(before, 0, writer.papers, writer.new, writer.replaced, writer.unchanged)
    if not report.changed:
        return dataclasses.replace(report, triples_after=before)
    steps(1, _STEPS)
    with phases("commit"):
        after = before + writer.delta if writer.exact else len(writer.db)
        writer.db.flush()
        steps(2, _STEPS)
        if writer.loaded >= _COMPACT_AFTER:
            writer.db.optimize()
        steps(3, _STEPS)
        _write_digests(staging, writer.digests)
        writer.labels.write(staging)
        atomic_write_text(staging / _TRIPLES, f"{after}\n")
        steps(4, _STEPS)
    return dataclasses.replace(report, triples_after=after)


def _create_empty(layout: _Layout) -> Path:
    staging = _new_staging(layout)
    db = ox.Store(str(staging / _DB))
    db.flush()
    del db
    _write_digests(staging, {})
    _write_labels(staging, {})
    atomic_write_text(staging / _TRIPLES, "0\n")
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


def current_data_dir(path: Path) -> Path:
    """The Oxigraph folder of the version committed at `path` now, read from CURRENT_VERSION without opening it.

    For long-lived readers (`kg serve`) that follow new versions: each request opens the version current when
    it arrived, so it is answered from one complete commit, never from a half-written graph."""
    layout = _Layout(Path(path))
    if not layout.is_store():
        raise KgError(f"no store at {path}; run `kg build` first")
    return layout.current() / _DB


def import_graph(path: Path, ntriples: IO[bytes] | bytes) -> None:
    """Create the store at `path` holding the N-Triples `ntriples`: a copy of a graph kept elsewhere (the working
    copy `kg.remote_store` pulls from a SPARQL server). The copy records no per-paper digests or labels, so its
    first add compares papers triple by triple and lets labels accumulate, as a store from before labels.tsv."""
    layout = _Layout(Path(path))
    if layout.root.exists() and any(layout.root.iterdir()):
        raise KgError(f"cannot import into {layout.root}: it is not empty")
    layout.root.mkdir(parents=True, exist_ok=True)
    lock = _WriterLock(layout.lock)
    lock.acquire(layout.root)
    try:
        staging = _new_staging(layout)
        db = ox.Store(str(staging / _DB))
        db.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
        db.flush()
        db.optimize()
        del db
        _write_digests(staging, {})
        _commit(layout, staging)
    finally:
        lock.release()
