"""`kg extract`, run as a user would (a subprocess): JSON Lines and table output, files, processes and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

MENTION_KEYS = {"type", "text", "field", "start", "end", "concept", "proposed", "confidence", "source"}
PAPERS = [
    {
        "id": "mesa-1",
        "title": "Mesa: A Memory-saving Training Framework for Transformers",
        "abstract": "We present Mesa, a memory-saving training framework. Experiments on ImageNet and CIFAR10 "
        "show that Mesa reduces memory by up to 50% and reaches 76.3% top-1 accuracy on ImageNet. Training used 8 "
        "NVIDIA A100 GPUs.",
    },
    {"id": "empty-2", "title": "A title only", "abstract": ""},
    {
        "id": "lora-3",
        "title": "Low-Rank Adaptation of Large Language Models",
        "abstract": "Low-Rank Adaptation (LoRA) freezes the weights. LoRA matches fine-tuning on GLUE. "
        "Code: https://github.com/microsoft/LoRA",
    },
]


def run_kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def papers_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("extract") / "papers.jsonl"
    path.write_text("".join(json.dumps(paper) + "\n" for paper in PAPERS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def jsonl_output(papers_file: Path) -> list[dict]:
    result = run_kg("extract", str(papers_file), cwd=papers_file.parent)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_jsonl_has_one_object_per_paper_with_the_input_ids(jsonl_output: list[dict]) -> None:
    ids = [record["id"] for record in jsonl_output]
    assert len(ids) == len(set(ids))
    assert {"mesa-1", "lora-3"} <= set(ids) <= {paper["id"] for paper in PAPERS}  # ingest may reject "empty-2"
    for record in jsonl_output:
        assert set(record) == {"id", "title", "mentions", "results", "repositories", "links"}
        for mention in record["mentions"]:
            assert set(mention) >= MENTION_KEYS
            assert mention["type"] in ("method", "dataset", "hardware", "metric", "task")


def test_offsets_index_the_title_or_abstract_as_read(jsonl_output: list[dict]) -> None:
    by_id = {paper["id"]: paper for paper in PAPERS}
    for record in jsonl_output:
        paper = by_id[record["id"]]
        for mention in record["mentions"]:
            assert paper[mention["field"]][mention["start"] : mention["end"]] == mention["text"]


def test_jsonl_carries_proposals_hardware_results_and_repositories(jsonl_output: list[dict]) -> None:
    by_id = {record["id"]: record for record in jsonl_output}
    mesa, lora = by_id["mesa-1"], by_id["lora-3"]
    assert all(m["proposed"] for m in mesa["mentions"] if m["text"] == "Mesa")
    (a100,) = [m for m in mesa["mentions"] if m["type"] == "hardware"]
    assert (a100["count"], a100["vendor"]) == (8, "NVIDIA")
    assert any(r["value"] == "76.3" and "accuracy" in r["metric"] and r["unit"] == "%" for r in mesa["results"])
    assert lora["repositories"] == ["https://github.com/microsoft/LoRA"]
    assert lora["links"] == [{"url": "https://github.com/microsoft/LoRA", "kind": "code"}]
    assert len({m["concept"] for m in lora["mentions"] if m["text"] in ("Low-Rank Adaptation", "LoRA")}) == 1


def test_table_output_and_output_file(papers_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "table.txt"
    result = run_kg("extract", str(papers_file), "--format", "table", "--output", str(target), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    table = target.read_text(encoding="utf-8")
    assert "mesa-1: Mesa: A Memory-saving" in table
    assert "ImageNet" in table and "hardware" in table
    assert "https://github.com/microsoft/LoRA" in table and "code" in table
    assert [p.name for p in target.parent.iterdir()] == ["table.txt"]  # no temporary file left behind


def test_two_processes_give_the_same_output_as_one(papers_file: Path, jsonl_output: list[dict], tmp_path: Path) -> None:
    result = run_kg("extract", str(papers_file), "--n-process", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == jsonl_output


def test_bad_invocations_fail_with_one_line(tmp_path: Path) -> None:
    missing = run_kg("extract", "no-such-file.jsonl", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == ["error: no such file or folder: no-such-file.jsonl"]
    (tmp_path / "p.jsonl").write_text('{"id": "x", "title": "T", "abstract": "A"}\n')
    wrong = run_kg("extract", "p.jsonl", "--format", "xml", cwd=tmp_path)
    assert wrong.returncode == 2
    assert "Traceback" not in wrong.stderr and "--format" in wrong.stderr


def test_a_file_without_any_paper_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "junk.jsonl").write_text("not json\n{also not json\n")
    result = run_kg("extract", "junk.jsonl", "--input-format", "jsonl", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: no paper could be read from junk.jsonl")
