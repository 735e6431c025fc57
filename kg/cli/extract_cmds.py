"""`kg extract`: ingest and extraction only, printed as JSON Lines or tables; the store is not touched."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kg.atomic import atomic_open
from kg.cli.options import (
    check_inputs_exist,
    extractor_option,
    input_format_option,
    n_process_option,
    output_option,
    quiet_option,
)
from kg.cli.output import err_console
from kg.cli.progress import stage_progress
from kg.errors import KgError, UsageError
from kg.extractor_settings import DEFAULT_EXTRACTOR
from kg.pipeline import ProgressCallback, counted
from kg.records import Extraction

OUTPUT_FORMATS: tuple[str, ...] = ("jsonl", "table")


def extract_command(
    paths: list[Path] = typer.Argument(..., help="Files or folders to read. Folders are read recursively."),
    output_format: str = typer.Option("jsonl", "--format", help="Output: jsonl (one object per paper) or table."),
    output: Path | None = output_option("Write to this file (atomically) instead of stdout."),
    n_process: int = n_process_option(),
    input_format: str | None = input_format_option(),
    extractor: str = extractor_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Extract methods, datasets, hardware, metrics and tasks from paper listings, without building the graph.

    Each mention gives its type, the text as written, the field (title or abstract) and character offsets into it,
    the canonical concept, whether the paper proposes it, a confidence and the rule that found it. Progress goes
    to stderr, so stdout holds only the output.

    Examples:
      kg extract seeds/ | head -1
      kg extract papers.jsonl --format table
      kg extract ../shared/corpus/hf-daily-api --n-process 2 -o extractions.jsonl
    """
    if output_format not in OUTPUT_FORMATS:
        raise UsageError(f"unknown --format {output_format!r} (expected one of {', '.join(OUTPUT_FORMATS)})")
    check_inputs_exist(paths)
    with stage_progress(quiet) as progress:
        extractions = run_extraction(paths, input_format, n_process, progress, extractor)
        if output is None:
            write_extractions(extractions, output_format, sys.stdout)
        else:
            with atomic_open(output) as handle:
                write_extractions(extractions, output_format, handle)
    if output is not None:
        err_console.print(f"wrote {output}", highlight=False)


def run_extraction(
    paths: list[Path],
    input_format: str | None,
    n_process: int,
    progress: ProgressCallback | None = None,
    extractor: str = DEFAULT_EXTRACTOR,
) -> Iterator[Extraction]:
    """Ingest `paths` (reporting rejected records on stderr) and extract every paper, in input order."""
    from kg.ingest import ingest, summarize_rejects
    from kg.nlp import Extractor

    def reading(done: int, total: int) -> None:
        if progress is not None:
            progress("read", done, total)

    result = ingest(paths, input_format, progress=reading)
    if result.rejected:
        err_console.print(summarize_rejects(result.rejected, limit=5), highlight=False, markup=False)
    if not result.papers:
        raise KgError(f"no paper could be read from {', '.join(map(str, paths))}")
    extractions = Extractor(extractor=extractor).extract_many(result.papers, n_process=n_process)
    return counted("extract", extractions, len(result.papers), progress)


def write_extractions(extractions: Iterable[Extraction], output_format: str, handle: IO[str]) -> None:
    """Write each extraction as it comes: a JSON line, or a table of its mentions and results."""
    from kg.nlp import extraction_to_dict

    if output_format == "jsonl":
        for extraction in extractions:
            handle.write(json.dumps(extraction_to_dict(extraction), ensure_ascii=False) + "\n")
        return
    console = Console(file=handle, soft_wrap=False, width=160, force_terminal=handle.isatty())
    for extraction in extractions:
        console.print(extraction_table(extraction))


def extraction_table(extraction: Extraction) -> Table:
    """One paper: its mentions (type, text, concept, field and offsets, proposed, source), its result values and its
    links (with their kind in the concept column)."""
    from kg.ingest.link_kinds import link_kind

    paper = extraction.paper
    table = Table(title=escape(f"{paper.id}: {paper.title}"), title_justify="left", show_lines=False)
    for column in ("type", "text", "concept", "where", "proposed", "source"):
        table.add_column(column, overflow="fold")
    for mention in extraction.mentions:
        detail = f" x{mention.count}" if mention.count else ""
        table.add_row(
            mention.type,
            escape(mention.text + detail),
            escape(mention.concept),
            f"{mention.field}:{mention.start}-{mention.end}",
            "yes" if mention.proposed else "",
            mention.source,
        )
    for result in extraction.results:
        value = f"{result.value}{result.unit or ''}"
        on = f" on {result.dataset}" if result.dataset else ""
        table.add_row("result", escape(f"{result.metric} = {value}{on}"), "", "", "", "results")
    for url in paper.links:
        table.add_row("link", escape(url), link_kind(url), "", "", "links")
    return table


def register(app: typer.Typer) -> None:
    """Add `kg extract` to `app`."""
    app.command("extract")(extract_command)
