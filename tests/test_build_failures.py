"""A build that fails, competes or runs out of disk leaves every earlier result intact and says what happened.

Regression tests for issue 13: reports under the store lock (item 6), full disks (item 8), permissions (item 10),
and exports kept with their store; each was reproduced on the code before the fix.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import CliRun

from kg.atomic import atomic_open
from kg.errors import StoreLockedError, WriteError
from kg.paths import default_exports
from kg.pipeline import build
from kg.store import GraphStore

PAPER = {"title": "Mesa: A Memory-saving Training Framework", "abstract": "We train Mesa on ImageNet with 8 GPUs."}


def _jsonl(path: Path, *records: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


@pytest.fixture(scope="module")
def extractor() -> object:
    from kg.nlp import Extractor

    return Extractor()


@pytest.fixture(autouse=True)
def _one_extractor(monkeypatch: pytest.MonkeyPatch, extractor: object) -> None:
    """Builds in this module share one extractor (building it takes seconds); the pipeline imports it per call."""
    import kg.nlp

    def shared(*args: object, **kwargs: object) -> object:
        return extractor

    shared.from_settings = lambda settings: extractor  # type: ignore[attr-defined]
    monkeypatch.setattr(kg.nlp, "Extractor", shared)


@pytest.fixture
def in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kg_cli: Callable[..., CliRun]) -> Callable[..., CliRun]:
    """`kg_cli` run in `tmp_path`."""
    monkeypatch.chdir(tmp_path)
    return kg_cli


def run_kg(*args: str, cwd: Path, limit_file_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    def limits() -> None:
        if limit_file_bytes is not None:  # writes past the limit fail with EFBIG, as on a full disk
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.run(
        [sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True, text=True, timeout=600, preexec_fn=limits
    )


# ------------------------------------------------------------------------------------ reports and the lock


def test_a_build_refused_by_the_lock_keeps_the_previous_rejects_report(tmp_path: Path) -> None:
    store, exports = tmp_path / "store", tmp_path / "out"
    good = _jsonl(tmp_path / "good.jsonl", PAPER)
    first = build([good], store_path=store, exports_dir=exports, export_formats=())
    report_before = first.rejects_report.read_text()
    bad = _jsonl(tmp_path / "bad.jsonl", PAPER | {"title": "Other"}, {"title": "no abstract"})
    with GraphStore.open(store, read_only=False), pytest.raises(StoreLockedError):  # another writer holds it
        build([bad], store_path=store, exports_dir=exports, export_formats=())
    assert (exports / "rejects.json").read_text() == report_before


def test_every_build_report_is_kept_under_its_own_name(tmp_path: Path) -> None:
    store, exports = tmp_path / "store", tmp_path / "out"
    first = _jsonl(tmp_path / "a.jsonl", PAPER, {"title": "only a title"})
    second = _jsonl(tmp_path / "b.jsonl", PAPER | {"title": "Second"})
    build([first], store_path=store, exports_dir=exports, export_formats=())
    build([second], store_path=store, exports_dir=exports, export_formats=())
    history = sorted((exports / "rejects-history").glob("*.json"))
    reports = [json.loads(path.read_text()) for path in history]
    assert [(r["build"]["inputs"], r["count"]) for r in reports] == [([str(first)], 1), ([str(second)], 0)]
    assert json.loads((exports / "rejects.json").read_text()) == reports[-1]


def test_a_build_that_reads_nothing_keeps_its_report_without_replacing_the_latest(tmp_path: Path) -> None:
    store, exports = tmp_path / "store", tmp_path / "out"
    build([_jsonl(tmp_path / "good.jsonl", PAPER)], store_path=store, exports_dir=exports, export_formats=())
    latest = (exports / "rejects.json").read_text()
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(Exception, match=r"nothing could be read .* \(see .*rejects-history/.*\.json\)"):
        build([empty], store_path=store, exports_dir=exports, export_formats=())
    assert (exports / "rejects.json").read_text() == latest


# ------------------------------------------------------------------------------------------- full disks


def test_a_full_disk_while_writing_the_store_commits_nothing_and_exits_4(tmp_path: Path, seeds_dir: Path) -> None:
    listing = seeds_dir / "003_e1c1b91a050badc5.txt"  # its store needs files larger than 128 kB
    result = run_kg("build", "-q", "--store", "st", str(listing), cwd=tmp_path, limit_file_bytes=1 << 17)
    assert result.returncode == 4, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: cannot write store st: ")
    assert line.endswith("File too large; nothing was committed, the store is as it was")
    with GraphStore.open(tmp_path / "st") as store:
        assert len(store) == 0


def test_a_full_disk_while_exporting_says_the_store_was_committed_and_exits_5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_tmp: Callable[..., CliRun]
) -> None:
    import kg.export

    def full_disk(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "kg.ttl"))

    monkeypatch.setattr(kg.export, "export", full_disk)
    _jsonl(tmp_path / "in.jsonl", PAPER)
    result = in_tmp("build", "-q", "--store", "st", "--exports", "out", "--export", "ttl", "in.jsonl")
    assert result.status == 5
    (line,) = result.stderr.strip().splitlines()
    assert line == "error: cannot write: No space left on device; the store st was committed and is complete"
    with GraphStore.open(tmp_path / "st") as store:
        assert store.stats()["papers"] == 1


def test_a_failed_atomic_write_names_the_path_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    expected = r"^cannot write .*/report\.json: No space left on device$"
    with pytest.raises(WriteError, match=expected), atomic_open(target) as handle:
        handle.write("new, half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def test_writing_to_a_full_stdout_is_one_line(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "kg", "query", "--list"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    assert result.returncode == 4
    assert result.stderr.strip().splitlines() == ["error: cannot write the output: No space left on device"]


# -------------------------------------------------------------------------------------------- permissions


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_store_files_exports_and_reports_follow_the_umask(tmp_path: Path, umask_022: None) -> None:
    store, exports = tmp_path / "store", tmp_path / "out"
    build([_jsonl(tmp_path / "in.jsonl", PAPER)], store_path=store, exports_dir=exports, export_formats=("ttl",))
    written = [*exports.rglob("*"), *store.rglob("*.tsv"), store / "CURRENT_VERSION"]
    modes = {str(path.relative_to(tmp_path)): stat.S_IMODE(path.stat().st_mode) for path in written if path.is_file()}
    assert len(modes) >= 7
    assert set(modes.values()) == {0o644}, modes


# ----------------------------------------------------------------------------------------- output locations


def test_exports_stay_with_their_store(tmp_path: Path, in_tmp: Callable[..., CliRun]) -> None:
    _jsonl(tmp_path / "a.jsonl", PAPER)
    _jsonl(tmp_path / "b.jsonl", PAPER | {"title": "Another Paper"})
    assert in_tmp("build", "-q", "--store", "one", "--export", "ttl", "a.jsonl").status == 0
    assert in_tmp("build", "-q", "--store", "two", "--export", "ttl", "b.jsonl").status == 0
    assert not (tmp_path / "exports").exists()
    one = (tmp_path / "one" / "exports" / "kg.ttl").read_text()
    two = (tmp_path / "two" / "exports" / "kg.ttl").read_text()
    assert "Another Paper" in two and "Another Paper" not in one
    assert in_tmp("export", "--format", "nt", "--store", "two").status == 0
    assert (tmp_path / "two" / "exports" / "kg.nt").is_file()
    assert in_tmp("stats", "--store", "two").status == 0  # the exports folder is the store's own


def test_the_default_store_keeps_the_exports_folder(tmp_path: Path) -> None:
    assert default_exports(Path(".kg/store")) == Path("exports")
    assert default_exports(Path("./.kg/store")) == Path("exports")
    assert default_exports(tmp_path / "s") == tmp_path / "s" / "exports"


def test_a_sparql_servers_exports_get_a_folder_of_their_own_under_exports() -> None:
    one = default_exports("http://127.0.0.1:7878/store")
    two = default_exports("http://user:secret@example.org:3030/kg/data")
    assert one.parent == two.parent == Path("exports") and one != two
    assert one.name.startswith("127-0-0-1-7878-store-") and "secret" not in str(two)


# ---------------------------------------------------------------------------------------------- the CLI


@pytest.mark.parametrize(
    "command", [[], ["build"], ["extract"], ["query"], ["export"], ["stats"], ["eval"], ["view"], ["serve"]]
)
def test_flags_read_as_flags_in_help(command: list[str], in_tmp: Callable[..., CliRun]) -> None:
    result = in_tmp(*command, "--help")
    assert result.status == 0
    assert "<bool>" not in result.stdout and "--help" in result.stdout


def test_a_flag_given_a_value_is_explained(tmp_path: Path, in_tmp: Callable[..., CliRun]) -> None:
    _jsonl(tmp_path / "in.jsonl", PAPER)
    result = in_tmp("build", "in.jsonl", "--strict", "true", "--store", "st")
    assert result.status == 1
    assert "write --strict, not --strict true" in result.stderr


def test_option_names_mean_one_thing_across_commands(in_tmp: Callable[..., CliRun]) -> None:
    """--format is an output format, --input-format an input format, -o an output file, -f a query file."""
    helps = {name: in_tmp(name, "--help").stdout for name in ("build", "extract", "query", "export")}
    assert "--format" not in helps["build"].replace("--input-format", "")
    assert "--input-format" in helps["build"] and "--input-format" in helps["extract"]
    for name in ("extract", "export"):
        assert "-o" in helps[name]
    assert " -f " not in helps["export"]
    assert "-f" in helps["query"]


def test_extract_shows_progress_in_papers_on_stderr(tmp_path: Path, in_tmp: Callable[..., CliRun]) -> None:
    _jsonl(tmp_path / "in.jsonl", PAPER, PAPER | {"title": "Second Paper"})
    result = in_tmp("extract", "in.jsonl")
    assert result.status == 0
    assert "Extracting concepts" in result.stderr and "2/2 papers" in result.stderr
    assert len(result.stdout.splitlines()) == 2
    quiet = in_tmp("extract", "-q", "in.jsonl")
    assert "Extracting" not in quiet.stderr
