"""The main job: ingest -> extract -> store -> default exports, as one call usable from notebooks and the CLI.

Progress is reported through a callback rather than printed here, so the pipeline stays free of terminal concerns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.records import Extraction, Paper, Rejected

# stage name, units done, units total (None when unknown)
ProgressCallback = Callable[[str, int, int | None], None]

DEFAULT_EXPORT_FORMATS: tuple[str, ...] = ("ttl", "graphml", "html")


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


def _counted(items: Iterable[Extraction], total: int, progress: ProgressCallback | None) -> Iterator[Extraction]:
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

    Raises KgError when no paper could be read at all, after writing the rejects report so the user can see why.
    """
    from kg.analytics import refresh_communities, stored_communities
    from kg.export import export
    from kg.ingest import ingest, write_rejects_report
    from kg.nlp import Extractor
    from kg.store import GraphStore

    def ingest_progress(done: int, total: int) -> None:
        if progress is not None:
            progress("read", done, total)

    result = ingest(paths, input_format, progress=ingest_progress)
    rejects_path = exports_dir / "rejects.json"
    write_rejects_report(result, rejects_path)
    if not result.papers:
        raise KgError(
            f"nothing could be read from {', '.join(map(str, paths))}: "
            f"{len(result.rejected)} record(s) rejected (see {rejects_path})"
        )

    papers: Sequence[Paper] = result.papers
    extractor = Extractor()
    with GraphStore.open(store_path, read_only=False) as store:
        extractions = _counted(extractor.extract_many(papers, n_process=n_process), len(papers), progress)
        added = store.add(extractions)
        if added.changed or not stored_communities(store.oxigraph)[0]:
            if progress is not None:
                progress("communities", 0, 1)
            refresh_communities(store)
            if progress is not None:
                progress("communities", 1, 1)
        if progress is not None:
            progress("export", 0, len(export_formats))
        written = []
        for index, fmt in enumerate(export_formats, start=1):
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


def _export_path(exports_dir: Path, fmt: str) -> Path:
    from kg.export import EXTENSIONS

    return exports_dir / f"kg.{EXTENSIONS[fmt]}"
