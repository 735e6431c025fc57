"""Corpus phrase statistics: counted per paper, saved deterministically, shipped with the package."""

from __future__ import annotations

from pathlib import Path

from kg.nlp.corpus_stats import STATS_FILE, CorpusStats, build_stats
from kg.records import Paper


def paper(number: int, title: str, abstract: str) -> Paper:
    return Paper(key=f"p{number}", id=f"p{number}", title=title, abstract=abstract)


PAPERS = [
    paper(1, "GRPO for reasoning", "We train a student model with Group Relative Policy Optimization (GRPO)."),
    paper(2, "Better reasoning", "A student model learns with Group Relative Policy Optimization (GRPO) twice: GRPO."),
    paper(3, "Reasoning again", "The student model and GRPO."),
    paper(4, "Unrelated", "A student model."),
]


def test_phrases_are_counted_once_per_paper_with_their_casing() -> None:
    stats = build_stats(PAPERS, min_papers=3)
    student = stats.of("studentmodel")
    assert student is not None and (student.papers, student.capitalised) == (4, 0)
    grpo = stats.of("grpo")
    assert grpo is not None and (grpo.papers, grpo.capitalised, grpo.title) == (3, 3, 1)
    assert stats.of("twice") is None  # in one paper only


def test_acronyms_take_their_most_frequent_long_form() -> None:
    assert build_stats(PAPERS).expansions == {"grpo": "Group Relative Policy Optimization"}


def test_statistics_round_trip_with_identical_bytes(tmp_path: Path) -> None:
    stats = build_stats(PAPERS, min_papers=1)
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    stats.save(first)
    CorpusStats.load(first).save(second)
    assert first.read_bytes() == second.read_bytes()
    assert CorpusStats.load(second) == stats


def test_the_shipped_statistics_cover_the_corpus() -> None:
    stats = CorpusStats.load(STATS_FILE)
    assert stats.papers > 9000
    assert stats.expansions["grpo"].lower() == "group relative policy optimization"
