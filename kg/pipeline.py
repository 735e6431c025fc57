"""The main job: ingest -> extract -> store -> default exports, as one call usable from notebooks and the CLI.

Progress is reported through a callback rather than printed here, so the pipeline stays free of terminal concerns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.atomic import os_reason
from kg.errors import KgError, WriteError
from kg.records import Extraction, Paper, Rejected

# stage name, units done, units total (None when unknown)
ProgressCallback = Callable[[str, int, int | None], None]

DEFAULT_EXPORT_FORMATS: tuple[str, ...] = ("ttl", "graphml")


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


def counted(items: Iterable[Extraction], total: int, progress: ProgressCallback | None) -> Iterator[Extraction]:
    """Pass extractions through while reporting how many have been produced."""
    for done, item in enumerate(items, start=1):
        if progress is not None:
            progress("extract", done, total)
        yield item


def build(
    paths: Sequence[Path],
    *,
    store_path: Path,
    exports_dir: Path,
    input_format: str | None = None,
    export_formats: Sequence[str] = DEFAULT_EXPORT_FORMATS,
    n_process: int = 1,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Read `paths`, extract concepts, add everything to the store, and write exports and the rejects report.

    The rejects report replaces `exports_dir`/rejects.json only once the store's writer lock is held; each build's
    report is also kept under its own name (see `kg.ingest.rejects.write_build_report`). Raises KgError when no
    paper could be read at all (after keeping the report, so the user can see why), and WriteError when a write
    fails: its exit status says whether the store was committed.
    """
    from kg.export import export
    from kg.ingest import ingest
    from kg.ingest.pipeline import display_path
    from kg.ingest.rejects import write_build_report
    from kg.nlp import Extractor
    from kg.store import GraphStore

    def ingest_progress(done: int, total: int) -> None:
        if progress is not None:
            progress("read", done, total)

    result = ingest(paths, input_format, progress=ingest_progress)
    about = {"inputs": [display_path(path) for path in paths], "store": str(store_path)}
    if not result.papers:
        report = write_build_report(result.rejected, exports_dir, about, latest=False)
        raise KgError(
            f"nothing could be read from {', '.join(about['inputs'])}: "
            f"{len(result.rejected)} record(s) rejected (see {report})"
        )

    papers: Sequence[Paper] = result.papers
    extractor = Extractor()
    with GraphStore.open(store_path, read_only=False) as store:
        rejects_path = write_build_report(result.rejected, exports_dir, about, latest=True)  # this build holds the lock
        extractions = counted(extractor.extract_many(papers, n_process=n_process), len(papers), progress)
        added = store.add(extractions)
        if progress is not None:
            progress("export", 0, len(export_formats))
        written = []
        for index, fmt in enumerate(export_formats, start=1):
            with _committed_on_write_error(store_path):
                written.append(export(store.oxigraph, fmt, _export_path(exports_dir, fmt)))
            if progress is not None:
                progress("export", index, len(export_formats))
        stats = store.stats()

    return BuildReport(
        files=result.files,
        listings=result.listings,
        papers=len(papers),
        rejected=result.rejected,
        triples_before=added.triples_before,
        triples_after=added.triples_after,
        stats=stats,
        exports=tuple(written),
        rejects_report=rejects_path,
    )


@contextlib.contextmanager
def _committed_on_write_error(store_path: Path) -> Iterator[None]:
    """A write that fails once the store is committed (an export on a full disk) says the store is complete."""
    try:
        yield
    except (OSError, WriteError) as error:
        reason = f"cannot write: {os_reason(error)}" if isinstance(error, OSError) else str(error)
        raise WriteError(f"{reason}; the store {store_path} was committed and is complete", committed=True) from error


def _export_path(exports_dir: Path, fmt: str) -> Path:
    from kg.export import EXTENSIONS

    return exports_dir / f"kg.{EXTENSIONS[fmt]}"
