"""`kg train`: fit the learned extractor's concept model on hf-dev, with its cross-validated scores."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from kg.cli.options import quiet_option
from kg.cli.output import console
from kg.cli.progress import stage_progress

DEFAULT_DATA = Path("../shared/data/hf-dev")
DEFAULT_CORPUS = Path("../shared/corpus/hf-daily-api")
_STAGES = {
    "collect": ("Candidate concepts of the training papers", "papers"),
    "cross-validate": ("Cross-validating", "folds"),
}


def train_command(
    data: Path = typer.Option(
        DEFAULT_DATA, "--data", help="The annotated hf-dev folder (abstracts.jsonl, gold.jsonl)."
    ),
    corpus: Path = typer.Option(
        DEFAULT_CORPUS, "--corpus", help="Unlabelled listings the phrase statistics are counted on."
    ),
    reuse_stats: bool = typer.Option(
        False, "--reuse-stats", help="Keep the shipped corpus statistics instead of counting them again."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Where to write the model (default: the package's model file).", show_default=False
    ),
    stats_output: Path | None = typer.Option(
        None,
        "--stats-output",
        help="Where to write the corpus statistics (default: the package's).",
        show_default=False,
    ),
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds (papers dealt by a seeded shuffle)."),
    seed: int = typer.Option(13, "--seed", help="Seed of the fold assignment."),
    learning_curve: bool = typer.Option(
        False, "--learning-curve", help="Also cross-validate on 25%, 50% and 75% of each fold's training papers."
    ),
    quiet: bool = quiet_option(),
) -> None:
    """Fit the concept model of the learned extractor, and report its cross-validated scores.

    Counts phrase statistics on the unlabelled corpus, collects every candidate concept of the hf-dev papers with
    its features, measures the model by cross-validation (each fold's model applied by the real pipeline to papers
    it never saw), then fits the shipped model on every paper. CPU only, deterministic: training twice writes the
    same bytes.

    Examples:
      kg train                                  # rewrite kg/data/concept_model.json.gz (about 2 minutes)
      kg train --reuse-stats -o /tmp/model.json.gz
      kg train --reuse-stats --learning-curve   # also micro F1 on 25/50/75/100% of the training folds
    """
    from kg.evaluation.concepts import load_hf_dev
    from kg.ingest import ingest
    from kg.nlp.corpus_stats import STATS_FILE, CorpusStats, build_stats
    from kg.nlp.model import MODEL_FILE
    from kg.training import train

    concept_set = load_hf_dev(data)
    stats_path = stats_output or STATS_FILE
    if reuse_stats:
        stats = CorpusStats.load(STATS_FILE)
        if stats_path != STATS_FILE:
            stats.save(stats_path)
    else:
        stats = build_stats(ingest([corpus]).papers)
        stats.save(stats_path)
    with stage_progress(quiet, _STAGES) as progress:
        model, _ = train(concept_set, stats, stats_path, folds, seed, progress, learning_curve)
    model.save(output or MODEL_FILE)
    console.print(_scores_table(model.meta["cross_validation"], folds))
    reported = ("candidate_ceiling", "precision_at_confidence", "learning_curve")
    console.print(json.dumps({key: model.meta[key] for key in reported if key in model.meta}))
    console.print(f"model: {output or MODEL_FILE}  corpus statistics: {stats_path}", markup=False, highlight=False)


def _scores_table(scores: dict[str, dict[str, float]], folds: int) -> Table:
    table = Table(title=f"hf-dev, {folds}-fold cross-validation (each paper scored by a model that never saw it)")
    for column in ("", "precision", "recall", "F1", "predicted", "gold"):
        table.add_column(column, justify="left" if not column else "right")
    for name in ("method", "dataset", "hardware", "metric", "task", "micro", "proposed", "repos"):
        row = scores[name]
        table.add_row(
            name, f"{row['p']:.3f}", f"{row['r']:.3f}", f"{row['f1']:.3f}", str(row["pred"]), str(row["gold"])
        )
    return table


def register(app: typer.Typer) -> None:
    """Add `kg train` to `app`."""
    app.command("train")(train_command)
