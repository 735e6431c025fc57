"""`kg build --dask`: reading and extraction on a real Dask cluster (a LocalCluster of worker processes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.pipeline import build

distributed = pytest.importorskip("distributed")

from test_build_pipeline import sorted_ntriples  # noqa: E402


@pytest.mark.slow
def test_a_build_on_a_local_cluster_of_two_worker_processes_equals_the_single_process_build(
    seeds_dir: Path, tmp_path: Path
) -> None:
    single = build([seeds_dir], store_path=tmp_path / "single", exports_dir=tmp_path / "e1", n_process=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = build(
            [seeds_dir], store_path=tmp_path / "dask", exports_dir=tmp_path / "e2", dask=cluster.scheduler_address
        )
        assert report.workers == f"Dask cluster at {cluster.scheduler_address}, 2 workers"
    assert (report.files, report.listings, report.papers) == (single.files, single.listings, single.papers)
    assert report.rejected == single.rejected
    assert sorted_ntriples(tmp_path / "dask") == sorted_ntriples(tmp_path / "single")


@pytest.mark.slow  # the client retries for its 10 s connection timeout
def test_an_unreachable_scheduler_is_a_one_line_error(seeds_dir: Path, tmp_path: Path) -> None:
    from kg.errors import KgError

    with pytest.raises(KgError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        build([seeds_dir], store_path=tmp_path / "s", exports_dir=tmp_path / "e", dask="tcp://127.0.0.1:9")
