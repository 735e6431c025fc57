"""End-to-end behaviour of the `kg` command on the seed corpus, run as a user would (a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run_kg(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"kg {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def seeds_build(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """A working folder in which `kg build` has been run on the seeds."""
    work = tmp_path_factory.mktemp("build")
    (work / "seeds").symlink_to(seeds_dir)
    run_kg("build", "--quiet", "--export", "ttl,graphml", cwd=work)
    return work


def test_build_on_seeds_reports_401_papers_and_79_repositories(seeds_build: Path) -> None:
    stats = json.loads(run_kg("stats", "--json", cwd=seeds_build).stdout)
    assert stats["papers"] == 401
    assert stats["repositories"] == 79
    assert set(stats["concepts"]) == {"method", "dataset", "hardware", "metric", "task"}
    assert all(count > 0 for count in stats["concepts"].values())
    assert stats["triples"] > 0


def test_build_writes_the_requested_exports_and_rejects_report(seeds_build: Path) -> None:
    exports = seeds_build / "exports"
    assert (exports / "kg.ttl").stat().st_size > 0
    assert (exports / "kg.graphml").stat().st_size > 0
    report = json.loads((exports / "rejects.json").read_text())
    assert report["count"] == len(report["rejected"])


def test_rebuilding_the_same_input_changes_nothing(seeds_build: Path) -> None:
    before = run_kg("stats", "--json", cwd=seeds_build).stdout
    ttl_before = (seeds_build / "exports" / "kg.ttl").read_bytes()
    run_kg("build", "--quiet", "--export", "ttl,graphml", cwd=seeds_build)
    assert run_kg("stats", "--json", cwd=seeds_build).stdout == before
    assert (seeds_build / "exports" / "kg.ttl").read_bytes() == ttl_before


def test_build_keeps_good_records_and_reports_bad_ones(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.jsonl").write_text(
        json.dumps({"id": "p1", "title": "Mesa: A Memory-saving Training Framework", "abstract": "We train on 8 GPUs."})
        + "\n{not json\n"
    )
    (inputs / "empty.txt").write_text("")
    (inputs / "blob.bin").write_bytes(bytes(range(256)) * 4)
    result = run_kg("build", "--quiet", "--store", "st", "--exports", "out", str(inputs), cwd=tmp_path)
    assert "traceback" not in result.stderr.lower()
    stats = json.loads(run_kg("stats", "--json", "--store", "st", cwd=tmp_path).stdout)
    assert stats["papers"] == 1
    report = json.loads((tmp_path / "out" / "rejects.json").read_text())
    assert report["count"] >= 3
    assert any("good.jsonl:2" in f"{r['file']}:{r['line']}" for r in report["rejected"])


def test_build_fails_cleanly_when_nothing_can_be_read(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("")
    result = run_kg("build", "--quiet", "--store", "st", "--exports", "out", "empty.jsonl", cwd=tmp_path, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "empty.jsonl" in result.stderr


def test_strict_build_exits_non_zero_when_anything_was_rejected(tmp_path: Path) -> None:
    (tmp_path / "mixed.jsonl").write_text(json.dumps({"title": "A title", "abstract": "An abstract."}) + "\n[\n")
    result = run_kg(
        "build", "-q", "--strict", "--store", "st", "--exports", "out", "mixed.jsonl", cwd=tmp_path, check=False
    )
    assert result.returncode != 0
    assert "mixed.jsonl" in (tmp_path / "out" / "rejects.json").read_text()


def test_missing_input_path_is_a_one_line_error(tmp_path: Path) -> None:
    result = run_kg("build", "-q", "--store", "st", "nope.jsonl", cwd=tmp_path, check=False)
    assert result.returncode != 0
    assert "nope.jsonl" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command", [[], ["build"], ["stats"], ["extract"], ["eval"], ["query"], ["export"], ["validate"]]
)
def test_every_command_explains_itself_with_an_example(command: list[str], tmp_path: Path) -> None:
    result = run_kg(*command, "--help", cwd=tmp_path)
    assert "example" in result.stdout.lower()
