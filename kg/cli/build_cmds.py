"""`kg build`: the main job, with progress bars and a summary."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kg.cli.options import (
    check_inputs_exist,
    exports_option,
    extractor_option,
    input_format_option,
    n_process_option,
    quiet_option,
)
from kg.cli.output import console, err_console
from kg.cli.progress import STAGES, stage_progress
from kg.errors import KgError
from kg.extractor_settings import ExtractorSettings
from kg.ingest import summarize_rejects
from kg.paths import DEFAULT_SEEDS, DEFAULT_STORE, default_exports
from kg.pipeline import DEFAULT_EXPORT_FORMATS, BuildReport, build

# the store loads each paper as it is extracted, so the extraction bar counts both
_STAGES = {**STAGES, "extract": ("Extracting and loading", "papers")}


def build_command(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders to read (default: seeds/). Folders are read recursively.", show_default=False
    ),
    store: str = typer.Option(
        str(DEFAULT_STORE),
        "--store",
        help="Folder of the graph store, or the Graph Store Protocol URL of a SPARQL server "
        "(http://HOST:PORT/store for Oxigraph; see README, Remote stores).",
    ),
    exports: Path | None = exports_option(),
    input_format: str | None = input_format_option(),
    export_formats: str = typer.Option(
        ",".join(DEFAULT_EXPORT_FORMATS),
        "--export",
        help="Comma-separated export formats written after the build (ttl, nt, nq, jsonld, xml, graphml, html); "
        "'' for none.",
    ),
    n_process: int | None = n_process_option(
        None,
        "Processes: 1 runs everything here; N > 1 adds N-1 extraction workers while this process writes the "
        "store (default: one per core, at least 2, for inputs over 2 MB; else 1).",
    ),
    dask: str | None = typer.Option(
        None,
        "--dask",
        help="Read and extract on a Dask cluster: the scheduler's address (tcp://HOST:8786), or 'local' for a "
        "LocalCluster on this machine. The store is written here.",
        show_default=False,
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero if any record was rejected."),
    extractor: str = extractor_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Ingest paper listings, extract concepts and add them to the graph store, then write the concept map.

    Building is incremental and idempotent: adding a file adds only what is new, and re-adding it changes nothing.
    The concept communities are recomputed when the store changed. After the build, kg.html (the interactive
    concept map) is written; --export ttl,graphml,html adds other formats, --export '' writes none.
    Exports stay with their store: exports/ for the default store, STORE/exports for one chosen with --store,
    exports/SERVER/ for a SPARQL server.

    Examples:
      kg build                              # the seeds/ corpus
      kg build ../shared/corpus/hf-daily-api --export ttl,graphml,jsonld
      kg build papers.jsonl --store /tmp/kgstore --strict     # exports in /tmp/kgstore/exports
      kg build --store http://127.0.0.1:7878/store   # into a running `oxigraph serve --union-default-graph`
    """
    inputs = paths or [DEFAULT_SEEDS]
    formats = tuple(f.strip() for f in export_formats.split(",") if f.strip())
    exports = exports if exports is not None else default_exports(store)
    settings = ExtractorSettings(extractor=extractor)
    report = _run_with_progress(inputs, store, exports, input_format, formats, n_process, dask, settings, quiet)
    _print_summary(report, store)
    if report.rejected:
        err_console.print(summarize_rejects(report.rejected), highlight=False, markup=False)
    if strict and report.rejected:
        raise KgError(f"--strict: {len(report.rejected)} record(s) rejected (see {report.rejects_report})")


def _run_with_progress(
    inputs: list[Path],
    store: str,
    exports: Path,
    input_format: str | None,
    formats: tuple[str, ...],
    n_process: int | None,
    dask: str | None,
    settings: ExtractorSettings,
    quiet: bool,
) -> BuildReport:
    check_inputs_exist(inputs)
    with stage_progress(quiet, _STAGES) as progress:
        return build(
            inputs,
            store_path=store,
            exports_dir=exports,
            input_format=input_format,
            export_formats=formats,
            n_process=n_process,
            dask=dask,
            progress=progress,
            extractor=settings,
        )


def _print_summary(report: BuildReport, store: str) -> None:
    from kg.remote_store import without_credentials
    from kg.serve import where_to_query

    table = Table(title=f"Build summary ({without_credentials(store)})", show_header=False)
    table.add_row("files read", str(report.files))
    table.add_row("listing records", str(report.listings))
    table.add_row("distinct papers", str(report.papers))
    table.add_row("rejected records", f"{len(report.rejected)} (report: {report.rejects_report})")
    table.add_row("triples added", str(report.triples_after - report.triples_before))
    table.add_row("triples in store", str(report.triples_after))
    for kind, count in report.stats.get("concepts", {}).items():
        table.add_row(f"{kind} concepts", str(count))
    table.add_row("repositories", str(report.stats.get("repositories", 0)))
    table.add_row("organizations", str(report.stats.get("organizations", 0)))
    for path in report.exports:
        table.add_row("export", str(path))
    console.print(table)
    console.print(where_to_query(store), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add `kg build` to `app`."""
    app.command("build")(build_command)
