"""`kg eval`: score the extractor against the annotated dev data (SciERC dev, SciER dev, TDMSci)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from kg.atomic import atomic_write_text
from kg.cli.output import console, err_console
from kg.errors import KgError, UsageError
from kg.evaluation import (
    SET_NAMES,
    TARGET_EXACT_F1,
    TARGET_PARTIAL_F1,
    SetReport,
    SupportsExtract,
    evaluate,
    load_set,
    pooled,
    report_json,
)
from kg.paths import PROJECT_ROOT

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"
DEFAULT_EXTRACTOR = "kg.nlp:Extractor"
ERROR_KINDS: tuple[str, ...] = ("false positive", "false negative", "boundary")


def eval_command(
    data: Path = typer.Option(
        DEFAULT_DATA, "--data", help="Folder of the annotated data (laid out as ../shared/data)."
    ),
    which: str = typer.Option("all", "--set", help="Which set to score: scierc, scier, tdmsci or all."),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON instead of tables."),
    output: Path = typer.Option(None, "--output", "-o", help="Also write the JSON report to this file."),
    errors: int = typer.Option(0, "--errors", min=0, help="Print N examples of each error kind per type and set."),
    strict: bool = typer.Option(
        False, "--strict", help="Exit with status 1 unless every pooled type meets the targets (partial/exact F1)."
    ),
    vocabulary: Path = typer.Option(
        None, "--vocabulary", help="Vocabulary to give the extractor (default: ontology/)."
    ),
    lexicon: Path = typer.Option(None, "--lexicon", help="Cue lexicon to give the extractor (default: ontology/)."),
    extractor_path: str = typer.Option(
        DEFAULT_EXTRACTOR, "--extractor", help="MODULE:NAME of the extractor class or factory to evaluate."
    ),
) -> None:
    """Score the extractor's mentions against annotated dev data: precision, recall and F1 per type.

    [bold]exact[/bold]: same type, start and end as a gold span.

    [bold]partial[/bold]: overlaps a gold span of the same type (one-to-one, best overlap first).

    SciERC's Material is scored as dataset, an approximation.

    Targets per type: partial F1 >= 0.60 and exact F1 >= 0.45.

    Examples:
      kg eval                             # every set, from ../shared/data
      kg eval --set scierc --errors 10    # with examples of mistakes
      kg eval --json --output eval.json
    """
    names = _set_names(which)
    sets = [load_set(name, data) for name in names]
    extractor = make_extractor(extractor_path, vocabulary, lexicon)
    reports = []
    for eval_set in sets:
        err_console.print(f"scoring {eval_set.name}: {len(eval_set.documents)} documents", highlight=False)
        reports.append(evaluate(extractor, eval_set, keep_errors=errors > 0))
    report = report_json(reports)
    if output is not None:
        atomic_write_text(output, json.dumps(report, indent=2) + "\n")
    if as_json:
        console.print_json(json.dumps(report))
    else:
        for set_report in [*reports, pooled(reports)]:
            console.print(_table(set_report))
        if errors:
            for set_report in reports:
                _print_errors(set_report, errors)
    if strict:
        failing = [kind for kind, score in pooled(reports).scores.items() if not score.meets_targets()]
        if failing:
            raise KgError(
                f"targets missed for: {', '.join(failing)} (pooled partial F1 >= {TARGET_PARTIAL_F1}, "
                f"exact F1 >= {TARGET_EXACT_F1})"
            )


def _set_names(which: str) -> Sequence[str]:
    if which == "all":
        return SET_NAMES
    if which not in SET_NAMES:
        raise UsageError(f"--set must be one of {', '.join(SET_NAMES)} or all, not {which!r}")
    return (which,)


def make_extractor(path: str, vocabulary: Path | None, lexicon: Path | None) -> SupportsExtract:
    """Import MODULE:NAME lazily (the extractor is heavy and may be absent) and call it with the given files."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"--extractor must look like MODULE:NAME, not {path!r}")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise KgError(f"cannot load the extractor {path}: {error}") from error
    options: dict[str, Any] = {}
    if vocabulary is not None:
        options["vocabulary"] = vocabulary
    if lexicon is not None:
        options["lexicon"] = lexicon
    extractor = factory(**options)
    if not callable(getattr(extractor, "extract", None)):
        raise KgError(f"{path} did not produce an object with an extract(paper) method")
    return extractor


def _percent(value: float) -> str:
    return f"{100 * value:.1f}"


def _table(report: SetReport) -> Table:
    title = f"{report.name}: {report.documents} documents"
    if report.note:
        title += f" ({report.note})"
    caption = "ex = exact span, pa = partial overlap; percentages"
    if report.offset_mismatches:
        caption += f"; {report.offset_mismatches} predicted mention(s) whose text disagrees with their offsets"
    table = Table(title=title, title_justify="left", caption=caption)
    table.add_column("type", no_wrap=True, min_width=7)
    for header in ("gold", "pred", "ex P", "ex R", "ex F1", "pa P", "pa R", "pa F1"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("targets", no_wrap=True)
    rows = [*report.scores.items(), ("micro", report.micro)]
    for kind, score in rows:
        mark = "[green]met[/]" if score.meets_targets() else "[red]missed[/]"
        table.add_row(
            kind,
            str(score.gold),
            str(score.predicted),
            _percent(score.exact.precision),
            _percent(score.exact.recall),
            _percent(score.exact.f1),
            _percent(score.partial.precision),
            _percent(score.partial.recall),
            _percent(score.partial.f1),
            mark,
            end_section=kind == list(report.scores)[-1],
        )
    return table


def _print_errors(report: SetReport, limit: int) -> None:
    for kind in report.scores:
        for error_kind in ERROR_KINDS:
            examples = [e for e in report.errors if e.type == kind and e.kind == error_kind]
            if not examples:
                continue
            console.print(f"[bold]{report.name} / {kind} / {error_kind}[/] ({len(examples)} in all)", highlight=False)
            for example in examples[:limit]:
                console.print(
                    f"  {escape(repr(example.text))}  [dim]{escape(example.document)}: {escape(example.context)}[/]",
                    highlight=False,
                )


def register(app: typer.Typer) -> None:
    """Add `kg eval` to `app`."""
    app.command("eval")(eval_command)
