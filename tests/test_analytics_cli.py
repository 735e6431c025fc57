"""`kg related`, `kg path`, `kg communities`, `kg trends`, `kg rank` and `kg view`, and the same through the Python API,
on the hand-made fixture corpus (tests/fixtures/analytics/corpus.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.analytics.corpus import arxiv_id, papers
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.store import GraphStore

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("analytics-cli") / "store"
    with GraphStore.open(path, read_only=False) as writer:
        writer.add(papers())
    return path


def run(store: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--store", str(store)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_related_lists_papers_by_shared_concepts_as_json_and_table(store: Path) -> None:
    rows = json.loads(run(store, "related", arxiv_id("P3"), "--format", "json"))
    assert [r["paper"]["title"] for r in rows] == [
        "Small CNNs for CIFAR-10",
        "Deep residual CNNs on ImageNet",
        "Vision Transformers reach CNN accuracy on ImageNet",
    ]
    assert [c["label"] for c in rows[0]["shared"]] == ["CIFAR-10", "CNN"]
    assert "Small CNNs for CIFAR-10" in run(store, "related", "Transfer from ImageNet", "--method", "adamic-adar")


def test_path_prints_the_chain_and_its_papers(store: Path) -> None:
    found = json.loads(run(store, "path", "lstm", "ImageNet", "--format", "json"))
    assert [c["label"] for c in found["concepts"]] == ["LSTM", "perplexity", "Transformer", "ImageNet"]
    assert found["steps"][2]["papers"][0]["title"] == "Vision Transformers reach CNN accuracy on ImageNet"
    assert "LSTM → perplexity → Transformer → ImageNet" in run(store, "path", "LSTM", "ImageNet")


def test_communities_are_printed_and_written_once(store: Path) -> None:
    found = json.loads(run(store, "communities", "--format", "json"))
    assert [(c["rank"], c["name"], c["size"]) for c in found] == [
        (1, "perplexity · Transformer · BERT", 5),
        (2, "CNN · accuracy · ImageNet", 4),
    ]
    again = runner.invoke(app, ["communities", "--store", str(store)])
    assert "already holds these communities" in again.stderr
    with kg.open(store) as graph:
        assert sorted(c.name for c in graph.stored_communities().values()) == [
            "CNN · accuracy · ImageNet",
            "perplexity · Transformer · BERT",
        ]


def test_trends_and_rank_as_json(store: Path) -> None:
    report = json.loads(run(store, "trends", "--window", "1", "--min-papers", "1", "--format", "json"))
    assert report["months"] == ["2024-01", "2024-02", "2024-03"]
    assert [(t["concept"]["label"], t["rise"]) for t in report["rising"]] == [
        ("perplexity", 75.0),
        ("Transformer", 25.0),
        ("accuracy", 25.0),
    ]
    tracked = json.loads(run(store, "trends", "--concept", "CIFAR10", "--format", "json"))["tracked"]
    assert [t["concept"]["label"] for t in tracked] == ["CIFAR-10"]  # found by its alias
    ranked = json.loads(run(store, "rank", "--limit", "2", "--format", "json"))
    assert [r["concept"]["label"] for r in ranked] == ["Transformer", "perplexity"]
    assert "Transformer" in run(store, "trends", "--window", "1", "--min-papers", "1")


def test_unknown_names_are_one_line_usage_errors(store: Path) -> None:
    for args, message in ((["path", "LSTM", "Attention"], "no concept is called 'Attention'"),
                          (["related", "nothing like this"], "no paper has")):  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-m", "kg", *args, "--store", str(store)], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 2 and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_view_writes_the_map_without_opening_a_browser(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    run(store, "view", "--no-open", "-o", str(out), "--type", "metric,dataset", "--min-papers", "3")
    text = out.read_text(encoding="utf-8")
    assert '"label":"perplexity"' in text and '"label":"GLUE"' in text and '"label":"CIFAR-10"' not in text


def test_the_python_api_gives_the_same_answers(store: Path) -> None:
    with kg.open(store) as graph:
        assert graph.concept("long short-term memory").label == "LSTM"
        assert graph.related(arxiv_id("P3"), limit=1)[0].paper.title == "Small CNNs for CIFAR-10"
        path = graph.path("LSTM", "ImageNet")
        assert path is not None and [c.label for c in path.concepts][1:3] == ["perplexity", "Transformer"]
        assert [c.name for c in graph.communities()] == ["perplexity · Transformer · BERT", "CNN · accuracy · ImageNet"]
        assert graph.trends(window=1, min_papers=1).rising[0].concept.label == "perplexity"
        assert graph.rank(limit=1)[0].concept.label == "Transformer"
        assert graph.concept_map(types=("metric",)).startswith("<!DOCTYPE html>")
