"""The main job: read -> extract and map -> store -> exports, as one call usable from notebooks and the CLI.

Each phase is a small function below. Where the work runs is the backend's business (`Backend`):

* local, one process (`n_process=1`): everything here, in turn;
* local, a pool (`n_process>1`): the workers start before reading begins, so they build their pipelines while
  the input is read, then extract *and map to triples* (`kg.mapped`), sending back one compact record per paper;
  this process writes the store meanwhile (Oxigraph's bulk load runs outside the GIL). Writing the store costs
  about as much CPU as extracting and mapping (README, "Scale"), so the default for large inputs is one worker
  per core but one: on two cores, one worker extracts while this process reads and writes;
* a Dask cluster (`dask=ADDRESS` or "local"): files are read in partitions on the workers, merged here, and
  extracted and mapped in partitions on the workers (`kg.distributed`).

The store side is the same in every case: one writer, fed in input order, so the graph does not depend on the
backend or on the number of workers. Progress is reported through a callback rather than printed here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from kg.atomic import write_failures
from kg.errors import KgError
from kg.extractor_settings import DEFAULT_EXTRACTOR, ExtractorSettings
from kg.records import Paper, Rejected
from kg.timing import Phases

if TYPE_CHECKING:  # the modules behind these load rdflib, pyoxigraph, httpx and spaCy: imported when a build runs
    from kg.ingest import IngestResult
    from kg.mapped import MappedPaper
    from kg.remote_store import RemoteStore
    from kg.store import AddReport, GraphStore

# stage name, units done, units total (None when unknown)
ProgressCallback = Callable[[str, int, int | None], None]

# After a build, only the concept map: on the 9,752-paper corpus the Turtle and GraphML exports cost more than the
# whole rest of the build (README, "Scale"); `kg export` or `--export ttl,graphml` writes them when wanted.
DEFAULT_EXPORT_FORMATS: tuple[str, ...] = ("html",)

# Below this much input a worker costs more than it saves: it pays a few seconds of start-up.
POOL_MIN_BYTES = 2_000_000
EXTRACT_BATCH = 64  # papers per chunk sent to a worker
# Chunks in flight per worker: twice the store's batch (500 papers), so a worker keeps extracting while this
# process bulk-loads a batch instead of idling at a full window (measured: 85 s with 3 chunks per worker).
EXTRACT_WINDOW = 16

T = TypeVar("T")


@dataclass(frozen=True)
class BuildReport:
    files: int
    listings: int
    papers: int
    rejected: tuple[Rejected, ...]
    triples_before: int
    triples_after: int
    stats: dict
    exports: tuple[Path, ...]
    rejects_report: Path
    added: AddReport | None = None
    phases: tuple[tuple[str, float], ...] = ()  # wall seconds per phase, in the order they first ran
    workers: str = "1 process"


class Backend(Protocol):
    """Where reading and extraction run; the store is always written by the calling process."""

    description: str

    def read(self, paths: Sequence[Path], fmt: str | None, progress: ProgressCallback) -> IngestResult:
        """Read and merge every listing under `paths`, reporting stage "read" (bytes) or "read files"."""
        ...

    def extract(self, papers: Sequence[Paper], phases: Phases) -> Iterator[MappedPaper]:
        """Each paper extracted and mapped to its triples, in input order."""
        ...

    def close(self) -> None: ...


class LocalBackend:
    """`n_process` processes: this one alone (1), or this one writing the store and `n_process - 1` workers
    extracting, started at once."""

    def __init__(self, n_process: int, settings: ExtractorSettings) -> None:
        from kg.nlp.parallel import ExtractionPool

        workers = n_process - 1
        self.settings = settings
        self.pool = ExtractionPool(workers, settings, window=EXTRACT_WINDOW) if workers > 0 else None
        self.description = f"1 process + {workers} extraction worker{'s' * (workers > 1)}" if workers else "1 process"

    def read(self, paths: Sequence[Path], fmt: str | None, progress: ProgressCallback) -> IngestResult:
        from kg.ingest import ingest

        return ingest(paths, fmt, progress=lambda done, total: progress("read", done, total))

    def extract(self, papers: Sequence[Paper], phases: Phases) -> Iterator[MappedPaper]:
        from kg.mapped import map_extraction

        if self.pool is not None:
            results = self.pool.run(papers, EXTRACT_BATCH, map_extraction)
            for _, mapped in phases.timed("extract+map (waiting for workers)", results):
                yield mapped
            return
        from kg.nlp import Extractor

        with phases("extract"):
            extractor = Extractor.from_settings(self.settings)
        for extraction in phases.timed("extract", extractor.extract_many(papers)):
            with phases("map"):
                mapped = map_extraction(extraction)
            yield mapped

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


def default_processes(paths: Sequence[Path], extractor: str = DEFAULT_EXTRACTOR) -> int:
    """For inputs large enough to repay a worker's start-up, extraction workers beside this process, which writes
    the store; else 1 (everything here).

    How many workers depends on what extraction costs against writing. The rules cost about as much as writing, so
    one worker per core but the writer's balances (two workers and the writer measured 92 s on the corpus against
    68 s). The learned extractor costs about three times as much, so every core extracts and the writer takes what
    time is left (110 s against 164 s, 2026-12-04). A pool of one worker is `n_process=2` in `LocalBackend`'s
    terms: this process plus one worker."""
    from kg.ingest.pipeline import expand_paths, file_size

    size = sum(file_size(entry) for entry in expand_paths(paths) if isinstance(entry, Path))
    if size < POOL_MIN_BYTES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + 1 if extractor == "learned" else max(2, cores)


def open_backend(
    paths: Sequence[Path], n_process: int | None, dask: str | None, settings: ExtractorSettings
) -> closing[Backend]:
    if dask is not None:
        try:
            from kg.distributed import DaskBackend
        except ImportError as error:
            raise KgError(f"--dask needs Dask ({error}): pip install 'kg[dask]', here and on every worker") from error
        return closing(DaskBackend(dask, settings))
    processes = n_process if n_process is not None else default_processes(paths, settings.extractor)
    return closing(LocalBackend(processes, settings))


def build(
    paths: Sequence[Path],
    *,
    store_path: Path | str,
    exports_dir: Path,
    input_format: str | None = None,
    export_formats: Sequence[str] = DEFAULT_EXPORT_FORMATS,
    n_process: int | None = None,
    dask: str | None = None,
    progress: ProgressCallback | None = None,
    extractor: ExtractorSettings | None = None,
) -> BuildReport:
    """Read `paths`, extract concepts, add everything to the store, and write exports and the rejects report.

    `n_process` None chooses by input size (`default_processes`); `dask` runs reading and extraction on the Dask
    scheduler at that address ("local" starts a LocalCluster); `extractor` says which extractor (default: the
    learned one, with the shipped model). The rejects report replaces
    `exports_dir`/rejects.json only once the store's writer lock is held; each build's report is also kept under
    its own name (see `kg.ingest.rejects.write_build_report`). Raises KgError when no paper could be read at all
    (after keeping the report, so the user can see why), and WriteError when a write fails: its exit status says
    whether the store was committed.
    """
    from kg.ingest.pipeline import display_path

    missing = [display_path(p) for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
    if missing:
        raise KgError(f"no such file or folder: {', '.join(missing)}")
    report = progress if progress is not None else _no_progress
    phases = Phases()
    shown = _shown(store_path)
    about = {"inputs": [display_path(path) for path in paths], "store": shown}
    with open_backend(paths, n_process, dask, extractor or ExtractorSettings()) as backend:
        with phases("read"):
            result = backend.read(paths, input_format, report)
        _refuse_empty(result, exports_dir, about)
        with open_store(store_path, report) as store:
            rejects_path = _write_rejects(result, exports_dir, about)
            mapped = counted("extract", backend.extract(result.papers, phases), len(result.papers), report)
            added = store.add_mapped(mapped, phases, steps=lambda done, total: report("store", done, total))
            with _committed_on_write_error(shown):
                _refresh_communities(store, added, report, phases)
                written = _write_exports(store, export_formats, exports_dir, report, phases)
            with phases("stats"):
                stats = store.stats()
                triples_after = store.triple_count()  # communities included
    return BuildReport(
        files=result.files,
        listings=result.listings,
        papers=len(result.papers),
        rejected=result.rejected,
        triples_before=added.triples_before,
        triples_after=triples_after,
        stats=stats,
        exports=tuple(written),
        rejects_report=rejects_path,
        added=added,
        phases=tuple(phases.seconds.items()),
        workers=backend.description,
    )


def _refresh_communities(
    store: GraphStore | RemoteStore, added: AddReport, report: ProgressCallback, phases: Phases
) -> None:
    """Communities are computed over the whole graph and written back (`kg.analytics`): again whenever this build
    changed the store, or when it has none yet (a store built before communities existed)."""
    from kg.analytics import refresh_communities, stored_communities

    if not added.changed and stored_communities(store.oxigraph)[0]:
        return
    with phases("communities"):
        report("communities", 0, 1)
        refresh_communities(store)
        report("communities", 1, 1)


def _refuse_empty(result: IngestResult, exports_dir: Path, about: dict) -> None:
    """Nothing read: keep this build's report (not as the latest: this build never takes the lock) and say why."""
    from kg.ingest.rejects import write_build_report

    if not result.papers:
        kept = write_build_report(result.rejected, exports_dir, about, latest=False)
        raise KgError(
            f"nothing could be read from {', '.join(about['inputs'])}: "
            f"{len(result.rejected)} record(s) rejected (see {kept})"
        )


def _write_rejects(result: IngestResult, exports_dir: Path, about: dict) -> Path:
    """The rejects report, written as the latest: only while this build holds the store's writer lock."""
    from kg.ingest.rejects import write_build_report

    return write_build_report(result.rejected, exports_dir, about, latest=True)


def _write_exports(
    store: GraphStore | RemoteStore, formats: Sequence[str], exports_dir: Path, report: ProgressCallback, phases: Phases
) -> list[Path]:
    from kg.export import export

    written = []
    total = store.triple_count()
    for fmt in formats:
        with phases(f"export {fmt}"):
            if fmt in ("graphml", "html"):  # a networkx projection, then one write: counted in files
                report(f"export {fmt}", 0, 1)
                written.append(export(store.oxigraph, fmt, _export_path(exports_dir, fmt)))
                report(f"export {fmt}", 1, 1)
                continue
            progress = lambda done, fmt=fmt: report(f"export {fmt}", done, total)  # noqa: E731
            written.append(export(store.oxigraph, fmt, _export_path(exports_dir, fmt), progress=progress))
    return written


def _no_progress(stage: str, done: int, total: int | None) -> None:
    pass


def counted(stage: str, items: Iterable[T], total: int, progress: ProgressCallback | None) -> Iterator[T]:
    """Pass items through while reporting, as `stage`, how many have been produced."""
    if progress is not None:
        progress(stage, 0, total)
    for done, item in enumerate(items, start=1):
        if progress is not None:
            progress(stage, done, total)
        yield item


def _committed_on_write_error(store: str) -> contextlib.AbstractContextManager[None]:
    """A write that fails once the store is committed (communities, an export on a full disk) says the store is
    complete."""
    return write_failures(f"the store {store} was committed and is complete", committed=True)


def open_store(location: Path | str, progress: ProgressCallback) -> GraphStore | RemoteStore:
    """The store a build writes: a folder (the embedded store), or a SPARQL server's URL (`kg.remote_store`), whose
    uploads are reported as stage "upload"."""
    from kg.paths import is_remote
    from kg.store import GraphStore

    if is_remote(location):
        from kg.remote_store import RemoteStore

        return RemoteStore.open(str(location), upload=lambda done, total: progress("upload", done, total))
    return GraphStore.open(Path(location), read_only=False)


def _shown(location: Path | str) -> str:
    """A store location as messages and reports print it (a server's URL without its credentials)."""
    from kg.paths import is_remote

    if is_remote(location):
        from kg.remote_store import without_credentials

        return without_credentials(str(location))
    return str(location)


def _export_path(exports_dir: Path, fmt: str) -> Path:
    from kg.export import EXTENSIONS

    return exports_dir / f"kg.{EXTENSIONS[fmt]}"
