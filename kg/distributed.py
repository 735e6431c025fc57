"""Reading and extraction on a Dask `distributed` cluster (`kg build --dask ADDRESS`, or `--dask local`).

The cluster does the work that scales with the input, in partitions:

* reading: groups of files, each read on a worker (`kg.ingest.read_files`); the listings come back here and are
  merged (deduplication needs every listing of a paper in one place, and merged papers are small);
* extraction and mapping: chunks of merged papers, each extracted and mapped to its triples on a worker
  (`kg.mapped.map_extraction`), so only one compact record per paper travels back.

Each worker builds its Extractor once, in a `WorkerPlugin` registered with the client (workers that join later
get it too). The store is written by this process alone, in input order, so the graph is the one a local build
gives. At most `window` chunks per worker are in flight: the client never holds more finished results than the
store can take.

Workers need the same `kg` installed (with the `dask` extra) and must see the input files at the same paths (a
shared file system), as the reading tasks name files, not their bytes.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker

from kg.errors import KgError
from kg.extractor_settings import ExtractorSettings
from kg.ingest import IngestResult
from kg.mapped import MappedPaper, map_extraction
from kg.pipeline import ProgressCallback
from kg.records import Paper, Rejected
from kg.timing import Phases

PLUGIN_NAME = "kg-extractor"
EXTRACT_PARTITION = 128  # papers per extraction task
READ_PARTITIONS_PER_WORKER = 4


class ExtractorPlugin(WorkerPlugin):
    """A Dask worker plugin holding the worker's Extractor, built once when the worker starts (or joins)."""

    name = PLUGIN_NAME

    def __init__(self, settings: ExtractorSettings) -> None:
        super().__init__()
        self.settings = settings
        self.extractor: Any = None

    def setup(self, worker: Any) -> None:
        from kg.nlp import Extractor

        self.extractor = Extractor.from_settings(self.settings)

    def teardown(self, worker: Any) -> None:
        self.extractor = None


def _read_partition(files: list[str], fmt: str | None) -> tuple[list[Paper], list[Rejected]]:
    from kg.ingest.pipeline import read_files

    return read_files([Path(name) for name in files], fmt)


def _extract_partition(papers: list[Paper]) -> list[MappedPaper]:
    plugin = get_worker().plugins[PLUGIN_NAME]
    assert isinstance(plugin, ExtractorPlugin) and plugin.extractor is not None
    return [map_extraction(e) for e in plugin.extractor.extract_many(papers, batch_size=len(papers))]


def partitions(files: Sequence[Path], count: int) -> list[list[Path]]:
    """`files` in at most `count` groups of similar total size, each group in input order (largest first fill)."""
    from kg.ingest.pipeline import file_size

    groups: list[list[Path]] = [[] for _ in range(max(1, min(count, len(files))))]
    sizes = [0] * len(groups)
    for path in sorted(files, key=lambda p: -file_size(p)):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(path)
        sizes[smallest] += file_size(path)
    order = {path: index for index, path in enumerate(files)}
    return [sorted(group, key=order.__getitem__) for group in groups if group]


def _in_input_order(rejected: list[Rejected], entries: Sequence[Path | Rejected]) -> tuple[Rejected, ...]:
    """Rejects in the order a local build gives them: by the position of their file among `entries` (each
    partition keeps its own files' rejects in file then line order, and the sort is stable)."""
    from kg.ingest.pipeline import display_path

    names = (entry.file if isinstance(entry, Rejected) else display_path(entry) for entry in entries)
    position = {name: index for index, name in enumerate(names)}
    return tuple(sorted(rejected, key=lambda r: position.get(r.file, len(entries))))


class DaskBackend:
    """Reading and extraction on the Dask scheduler at `address`, or on a LocalCluster started here ("local")."""

    def __init__(self, address: str, settings: ExtractorSettings, window: int = 3) -> None:
        self._cluster: LocalCluster | None = None
        try:
            if address == "local":
                cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
                self._cluster = LocalCluster(
                    n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self.client = Client(self._cluster)
            else:
                self.client = Client(address, timeout="10s")
        except OSError as error:
            self.close()
            raise KgError(f"cannot reach the Dask scheduler at {address}: {error}") from error
        self.client.register_plugin(ExtractorPlugin(settings), name=PLUGIN_NAME)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self._window = max(1, window) * self.workers
        where = "a LocalCluster" if address == "local" else address
        self.description = f"Dask cluster at {where}, {self.workers} workers"

    def read(self, paths: Sequence[Path], fmt: str | None, progress: ProgressCallback) -> IngestResult:
        from kg.ingest import expand_paths
        from kg.ingest.merge import merge_papers

        entries = expand_paths(paths)
        files = [entry for entry in entries if isinstance(entry, Path)]
        groups = partitions(files, self.workers * READ_PARTITIONS_PER_WORKER)
        futures = [
            self.client.submit(_read_partition, [str(path) for path in group], fmt, pure=False) for group in groups
        ]
        files_in = {future.key: len(group) for future, group in zip(futures, groups, strict=True)}
        done = 0
        progress("read files", 0, len(files))
        for future in as_completed(futures):
            done += files_in[future.key]
            progress("read files", done, len(files))
        listings: list[Paper] = []
        rejected = [entry for entry in entries if isinstance(entry, Rejected)]
        for future in futures:
            found, refused = future.result()
            listings.extend(found)
            rejected.extend(refused)
        return IngestResult(merge_papers(listings), _in_input_order(rejected, entries), len(listings), len(files))

    def extract(self, papers: Sequence[Paper], phases: Phases) -> Iterator[MappedPaper]:
        chunks = (list(papers[start : start + EXTRACT_PARTITION]) for start in range(0, len(papers), EXTRACT_PARTITION))
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(self.client.submit(_extract_partition, chunk, pure=False))
            if len(pending) >= self._window:
                yield from self._collect(pending.popleft(), phases)
        while pending:
            yield from self._collect(pending.popleft(), phases)

    @staticmethod
    def _collect(future: Any, phases: Phases) -> list[MappedPaper]:
        with phases("extract+map (waiting for workers)"):
            result = future.result()
        future.release()
        return result

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()
