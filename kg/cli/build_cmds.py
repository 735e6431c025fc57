"""`kg build`: the main job, with progress bars and a summary."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.cli.output import console, err_console
from kg.errors import KgError
from kg.ingest import summarize_rejects
from kg.paths import DEFAULT_EXPORTS, DEFAULT_SEEDS, DEFAULT_STORE
from kg.pipeline import DEFAULT_EXPORT_FORMATS, BuildReport, build

_STAGE_LABELS = {
    "read": "Reading listings",
    "extract": "Extracting concepts",
    "communities": "Finding communities",
    "export": "Writing exports",
}


def build_command(
    paths: list[Path] = typer.Argument(
        None, help="Files or folders to read (default: seeds/). Folders are read recursively.", show_default=False
    ),
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="Folder of the persistent graph store."),
    exports: Path = typer.Option(DEFAULT_EXPORTS, "--exports", help="Folder for exports and the rejects report."),
    input_format: str = typer.Option(
        None, "--format", help="Force the input format: hf-listing, hf-api, jsonl, csv or arxiv (default: detect)."
    ),
    export_formats: str = typer.Option(
        ",".join(DEFAULT_EXPORT_FORMATS),
        "--export",
        help="Comma-separated export formats written after the build (ttl, nt, nq, jsonld, xml, graphml, html); "
        "'' for none.",
    ),
    n_process: int = typer.Option(1, "--n-process", min=1, help="Worker processes for extraction."),
    strict: bool = typer.Option(False, "--strict", help="Exit non-zero if any record was rejected."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Ingest paper listings, extract concepts and add them to the graph store, then write the default exports.

    Building is incremental and idempotent: adding a file adds only what is new, and re-adding it changes nothing.

    Examples:
      kg build                              # the seeds/ corpus
      kg build ../shared/corpus/hf-daily-api --export ttl,graphml,jsonld
      kg build papers.jsonl --store /tmp/kgstore --strict
    """
    inputs = paths or [DEFAULT_SEEDS]
    formats = tuple(f.strip() for f in export_formats.split(",") if f.strip())
    report = _run_with_progress(inputs, store, exports, input_format, formats, n_process, quiet)
    _print_summary(report, store)
    if report.rejected:
        err_console.print(summarize_rejects(report.rejected), highlight=False, markup=False)
    if strict and report.rejected:
        raise KgError(f"--strict: {len(report.rejected)} record(s) rejected (see {report.rejects_report})")


def _run_with_progress(
    inputs: list[Path],
    store: Path,
    exports: Path,
    input_format: str | None,
    formats: tuple[str, ...],
    n_process: int,
    quiet: bool,
) -> BuildReport:
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise KgError(f"no such file or folder: {', '.join(missing)}")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, disable=quiet, transient=False) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(_STAGE_LABELS.get(stage, stage), total=total)
            bars.update(tasks[stage], completed=done, total=total)

        return build(
            inputs,
            store_path=store,
            exports_dir=exports,
            input_format=input_format,
            export_formats=formats,
            n_process=n_process,
            progress=progress,
        )


def _print_summary(report: BuildReport, store: Path) -> None:
    table = Table(title=f"Build summary ({store})", show_header=False)
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


def register(app: typer.Typer) -> None:
    """Add `kg build` to `app`."""
    app.command("build")(build_command)
