"""`kg eval`: score the extractor against the annotated dev data: mention spans on SciERC dev, SciER dev and
TDMSci, and the concepts and links of each paper on hf-dev."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from kg.atomic import atomic_write_text
from kg.cli.options import quiet_option
from kg.cli.output import console, err_console
from kg.cli.progress import stage_progress
from kg.errors import KgError, UsageError
from kg.evaluation import (
    HF_DEV,
    SET_NAMES,
    TARGET_EXACT_F1,
    TARGET_PARTIAL_F1,
    ConceptScores,
    Counts,
    ErrorGroup,
    SetReport,
    SupportsExtract,
    concept_errors,
    evaluate,
    extractions,
    frequent_errors,
    load_hf_dev,
    load_set,
    pooled,
    predict,
    report_json,
    score_concepts,
)
from kg.evaluation.concepts import FALSE_NEGATIVE, FALSE_POSITIVE, LINKS, PROPOSED
from kg.extractor_settings import DEFAULT_EXTRACTOR, EXTRACTOR_CHOICES
from kg.paths import PROJECT_ROOT
from kg.pipeline import ProgressCallback
from kg.records import CONCEPT_TYPES, Extraction, Paper

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"
ERROR_KINDS: tuple[str, ...] = ("false positive", "false negative", "boundary")
ALL_SETS: tuple[str, ...] = (*SET_NAMES, HF_DEV)
PAPERS_SHOWN = 8  # paper ids printed per frequent hf-dev error


def eval_command(
    data: Path = typer.Option(
        DEFAULT_DATA, "--data", help="Folder of the annotated data (laid out as ../shared/data)."
    ),
    which: str = typer.Option("all", "--set", help="Which set to score: scierc, scier, tdmsci, hf-dev or all."),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON instead of tables."),
    output: Path = typer.Option(None, "--output", "-o", help="Also write the JSON report to this file."),
    errors: int = typer.Option(
        0,
        "--errors",
        min=0,
        help="Print N examples of each error kind per type and set (hf-dev: the N most frequent, with paper ids).",
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Exit with status 1 unless every pooled type of the span sets meets the targets (partial/exact F1).",
    ),
    vocabulary: Path = typer.Option(
        None, "--vocabulary", help="Vocabulary to give the extractor (default: ontology/)."
    ),
    lexicon: Path = typer.Option(None, "--lexicon", help="Cue lexicon to give the extractor (default: ontology/)."),
    extractor_path: str = typer.Option(
        DEFAULT_EXTRACTOR,
        "--extractor",
        help=f"The extractor to evaluate: {' or '.join(EXTRACTOR_CHOICES)}, or MODULE:NAME of a class or factory.",
    ),
    quiet: bool = quiet_option(),
) -> None:
    """Score the extractor against annotated dev data: precision, recall and F1 per type.

    [bold]scierc, scier, tdmsci[/bold]: mention spans.
    [bold]exact[/bold]: same type, start and end as a gold span;
    [bold]partial[/bold]: overlaps a gold span of the same type (one-to-one, best overlap first).
    SciERC's Material is scored as dataset, an approximation.
    Targets per type: partial F1 >= 0.60 and exact F1 >= 0.45.

    [bold]hf-dev[/bold]: the distinct concepts each paper is linked to (per type, micro, proposed methods) and its URLs.
    Same definition and numbers as ../shared/data/hf-dev/score.py.

    Examples:
      kg eval                             # every set, from ../shared/data
      kg eval --set hf-dev --errors 20    # with the 20 most frequent mistakes per type
      kg eval --set scierc --errors 10    # with examples of mistakes
      kg eval --json --output eval.json
    """
    names = _set_names(which)
    sets = [load_set(name, data) for name in names if name != HF_DEV]
    concept_set = load_hf_dev(data / HF_DEV) if HF_DEV in names else None
    extractor = make_extractor(extractor_path, vocabulary, lexicon)
    reports = []
    scores: ConceptScores | None = None
    frequent: dict[tuple[str, str], list[ErrorGroup]] = {}
    stages = {f"score {name}": (f"Scoring {name}", "documents" if name != HF_DEV else "papers") for name in names}
    with stage_progress(quiet, stages) as progress:
        for eval_set in sets:
            counted = _Advancing(extractor, f"score {eval_set.name}", len(eval_set.documents), progress)
            reports.append(evaluate(counted, eval_set, keep_errors=errors > 0))
        if concept_set is not None:
            counted = _Advancing(extractor, f"score {concept_set.name}", len(concept_set.papers), progress)
            predictions = predict(counted, concept_set.papers)
            scores = score_concepts(concept_set.gold, predictions)
            if errors:
                frequent = frequent_errors(concept_errors(concept_set.gold, predictions), errors)
    report = report_json(reports) if reports else {}
    if scores is not None:
        report[HF_DEV] = scores.as_dict()
        if errors:
            report[f"{HF_DEV}-errors"] = _errors_json(frequent)
    if output is not None:
        atomic_write_text(output, json.dumps(report, indent=2) + "\n")
    if as_json:
        console.print_json(json.dumps(report))
    else:
        for set_report in [*reports, pooled(reports)] if reports else []:
            console.print(_table(set_report))
        if scores is not None:
            console.print(_concept_table(scores))
        if errors:
            for set_report in reports:
                _print_errors(set_report, errors)
            _print_frequent_errors(frequent)
    if scores is not None and extractor_path == "learned":
        err_console.print(_in_sample_note(), highlight=False, markup=False)
    if strict and reports:
        failing = [kind for kind, score in pooled(reports).scores.items() if not score.meets_targets()]
        if failing:
            raise KgError(
                f"targets missed for: {', '.join(failing)} (pooled partial F1 >= {TARGET_PARTIAL_F1}, "
                f"exact F1 >= {TARGET_EXACT_F1})"
            )


def _in_sample_note() -> str:
    """The learned model was fitted on hf-dev: its scores there do not measure it; its cross-validation does."""
    from kg.nlp.model import ConceptModel

    validation = ConceptModel.load().meta.get("cross_validation", {}).get("micro")
    measured = (
        f": micro F1 {validation['f1']:.3f} (P {validation['p']:.3f}, R {validation['r']:.3f})" if validation else ""
    )
    return (
        "note: the shipped learned model was fitted on hf-dev, so these hf-dev figures are in sample; its "
        f"cross-validated figures (kg train) are the measure{measured}"
    )


def _set_names(which: str) -> Sequence[str]:
    if which == "all":
        return ALL_SETS
    if which not in ALL_SETS:
        raise UsageError(f"--set must be one of {', '.join(ALL_SETS)} or all, not {which!r}")
    return (which,)


@dataclass
class _Advancing:
    """An extractor that reports, as `stage`, each paper it extracts (one progress bar per set)."""

    extractor: SupportsExtract
    stage: str
    total: int
    progress: ProgressCallback
    done: int = 0

    def extract(self, paper: Paper) -> Extraction:
        extraction = self.extractor.extract(paper)
        self._advance()
        return extraction

    def extract_many(self, papers: Sequence[Paper]) -> Iterator[Extraction]:
        for extraction in extractions(self.extractor, papers):
            self._advance()
            yield extraction

    def _advance(self) -> None:
        self.done += 1
        self.progress(self.stage, self.done, self.total)


def make_extractor(path: str, vocabulary: Path | None, lexicon: Path | None) -> SupportsExtract:
    """The named extractor (learned, rules), or MODULE:NAME imported lazily (the extractor is heavy and may be
    absent) and called with the given files."""
    if path in EXTRACTOR_CHOICES:
        from kg.nlp import Extractor

        return Extractor(vocabulary, lexicon, extractor=path)
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


def _concept_table(scores: ConceptScores) -> Table:
    table = Table(
        title=f"{HF_DEV}: {scores.papers} papers (distinct concepts and URLs per paper, as hf-dev/score.py)",
        title_justify="left",
        caption="micro: the five types pooled; proposed: the methods a paper proposes; links: its URLs",
    )
    for header in ("", "gold", "pred", "tp", "P", "R", "F1"):
        table.add_column(header, justify="left" if not header else "right", no_wrap=True)
    rows: list[tuple[str, Counts]] = [
        *scores.types.items(),
        ("micro", scores.micro),
        (PROPOSED, scores.proposed),
        (LINKS, scores.links),
    ]
    for name, counts in rows:
        table.add_row(
            name,
            str(counts.gold),
            str(counts.predicted),
            str(counts.tp),
            f"{counts.precision:.3f}",
            f"{counts.recall:.3f}",
            f"{counts.f1:.3f}",
            end_section=name in (CONCEPT_TYPES[-1], "micro"),
        )
    return table


def _errors_json(frequent: dict[tuple[str, str], list[ErrorGroup]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    report: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for (kind, error_kind), groups in frequent.items():
        report.setdefault(kind, {})[error_kind] = [
            {"text": group.text, "key": group.key, "count": group.count, "papers": list(group.papers)}
            for group in groups
        ]
    return report


def _print_frequent_errors(frequent: dict[tuple[str, str], list[ErrorGroup]]) -> None:
    for kind in (*CONCEPT_TYPES, PROPOSED, LINKS):
        for error_kind in (FALSE_POSITIVE, FALSE_NEGATIVE):
            groups = frequent.get((kind, error_kind), [])
            if not groups:
                continue
            console.print(f"[bold]{HF_DEV} / {kind} / {error_kind}[/] (most frequent first)", highlight=False)
            for group in groups:
                papers = " ".join(_first(group.papers, PAPERS_SHOWN))
                console.print(
                    f"  {group.count:>3}  {escape(repr(group.text))}  [dim]{escape(papers)}[/]", highlight=False
                )


def _first(items: Iterable[str], limit: int) -> list[str]:
    items = list(items)
    return items if len(items) <= limit else [*items[:limit], f"... (+{len(items) - limit})"]


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
