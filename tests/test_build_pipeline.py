"""The build job's backends give the same graph: one process, a pool of processes, incremental adds."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.pipeline import build, default_processes
from kg.store import GraphStore


def sorted_ntriples(store_path: Path) -> bytes:
    with GraphStore.open(store_path) as store:
        dump = store.oxigraph.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert dump is not None
    return b"\n".join(sorted(dump.splitlines()))


@pytest.fixture(scope="module")
def single_process_build(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    work = tmp_path_factory.mktemp("single")
    build([seeds_dir], store_path=work / "store", exports_dir=work / "exports", n_process=1)
    return work / "store"


def test_extraction_workers_give_byte_identical_sorted_ntriples(
    single_process_build: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    report = build([seeds_dir], store_path=tmp_path / "store", exports_dir=tmp_path / "exports", n_process=3)
    assert report.workers == "1 process + 2 extraction workers"
    assert report.added is not None and report.added.papers_new == 401
    assert sorted_ntriples(tmp_path / "store") == sorted_ntriples(single_process_build)


def test_files_added_one_by_one_give_the_same_graph_as_one_build(
    single_process_build: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    for path in sorted(seeds_dir.iterdir()):
        report = build([path], store_path=tmp_path / "store", exports_dir=tmp_path / "exports", n_process=1)
    assert report.triples_after == len(sorted_ntriples(tmp_path / "store").splitlines())
    assert sorted_ntriples(tmp_path / "store") == sorted_ntriples(single_process_build)


def test_a_build_reports_the_seconds_of_each_phase(single_process_build: Path, seeds_dir: Path, tmp_path: Path) -> None:
    report = build([seeds_dir], store_path=tmp_path / "store", exports_dir=tmp_path / "exports", n_process=1)
    phases = dict(report.phases)
    assert {"read", "extract", "map", "diff", "load", "derive", "commit"} <= set(phases)
    assert all(seconds >= 0 for seconds in phases.values())


def test_small_inputs_run_in_one_process_and_large_ones_add_extraction_workers(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text('{"title": "A", "abstract": "B"}\n')
    large = tmp_path / "large.jsonl"
    large.write_text('{"title": "A", "abstract": "B"}\n' * 100_000)  # over POOL_MIN_BYTES
    assert default_processes([small]) == 1
    assert default_processes([large], "rules") >= 2  # this process writes the store, at least one worker extracts
    # The learned extractor costs more than writing: a worker on every core, beside the writer.
    cores = len(os.sched_getaffinity(0))
    assert default_processes([large], "learned") == cores + 1
