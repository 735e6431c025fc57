"""Format detection, folder expansion, progress reporting and the rejects report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.ingest import (
    FORMATS,
    detect_format,
    expand_paths,
    ingest,
    read_file,
    summarize_rejects,
    write_rejects_report,
)
from kg.ingest.rejects import reason_kind
from kg.records import Rejected

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.json", '[{"paper": {}}]', "hf-api"),
        ("a.json", '{\n  "status": "ok",\n  "data": []\n}', "hf-api"),
        ("a.json", '{"data": []}', "hf-api"),
        ("a.json", '{"title": "t", "abstract": "a"}\n{"title": "u", "abstract": "b"}\n', "jsonl"),
        ("a.jsonl", '{"title": "t", "abstract": "a"}\n', "jsonl"),
        ("a.ndjson", '{"id": "1", "categories": "cs.LG", "versions": []}\n', "arxiv"),
        ("a.jsonl", '{"id": "1", "categories": "cs.LG", "update_date": "2020-01-01"}\n', "arxiv"),
        ("a.jsonl", "{broken\n", "jsonl"),
        ("a.csv", "title,abstract\n", "csv"),
        ("papers", '"id","Title","Abstract"\n1,t,a\n', "csv"),
        ("a.txt", "Title\nAbstract.\n", "hf-listing"),
        ("page", "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n", "hf-listing"),
        ("a.data", '[{"paper": {}}]', "hf-api"),
    ],
)
def test_detect_format_uses_content_then_extension(tmp_path: Path, name: str, content: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert detect_format(path) == expected
    assert expected in FORMATS


def test_detect_format_rejects_unknown_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Some notes\n")
    with pytest.raises(KgError, match=r"notes\.md: unknown format"):
        detect_format(path)


def test_detect_format_on_real_inputs(seeds_dir: Path, shared_dir: Path) -> None:
    assert {detect_format(p) for p in seeds_dir.glob("*.txt")} == {"hf-listing"}
    api = shared_dir / "corpus" / "hf-daily-api"
    assert {detect_format(api / n) for n in ("2024-05-27.json", "2024-12-11.json", "2025-01-10.json")} == {"hf-api"}


def test_expand_paths_is_sorted_recursive_and_skips_hidden(tmp_path: Path) -> None:
    for rel in ("b.txt", "a/z.txt", "a/b/c.txt", ".hidden.txt", ".cache/x.txt", "a/.dot/y.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    explicit = tmp_path / ".hidden.txt"
    files = expand_paths([tmp_path, explicit, tmp_path / "b.txt"])
    assert all(isinstance(f, Path) for f in files)
    relative = [str(p.relative_to(tmp_path)) for p in files if isinstance(p, Path)]
    assert relative == ["a/b/c.txt", "a/z.txt", "b.txt", ".hidden.txt"]


def test_progress_reports_bytes_up_to_the_total(seeds_dir: Path) -> None:
    calls: list[tuple[int, int]] = []
    result = ingest([seeds_dir], progress=lambda done, total: calls.append((done, total)))
    total = sum(p.stat().st_size for p in seeds_dir.glob("*.txt"))
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) >= 1 + result.files


def test_papers_are_sorted_by_key_and_rejects_by_file_then_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Z Title\nZ abstract.\nOrphan\nA Title\nA abstract.\nLast\n")
    (tmp_path / "b.jsonl").write_text('{"title": "M", "abstract": "m."}\n[]\n')
    result = ingest([tmp_path])
    assert [p.key for p in result.papers] == ["title:a title", "title:m", "title:z title"]
    assert [(Path(r.file).name, r.line) for r in result.rejected] == [("a.txt", 3), ("a.txt", 6), ("b.jsonl", 2)]


def test_rejects_report_is_json_grouped_by_reason(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"title": "T"}\n{bad\n{"x": 1}\n' + "x" * 50 + "\n")
    result = ingest([tmp_path / "a.jsonl"])
    report_path = tmp_path / "out" / "rejects.json"
    write_rejects_report(result, report_path)
    report = json.loads(report_path.read_text())
    assert report["count"] == 4
    assert report["by_reason"] == {"malformed JSON": 2, "record with no title": 1, "title with no abstract": 1}
    assert report["rejected"][0] == {"file": str(tmp_path / "a.jsonl"), "line": 1, "reason": "title with no abstract"}
    assert not [p for p in report_path.parent.iterdir() if p.name.startswith(".")]  # no temp file left


def test_summarize_rejects_names_count_reasons_and_locations() -> None:
    rejected = [Rejected("f.txt", i, "title with no abstract") for i in range(1, 4)] + [
        Rejected("g.csv", None, "empty file")
    ]
    text = summarize_rejects(rejected, limit=2)
    lines = text.splitlines()
    assert lines[0] == "4 records rejected: 3 title with no abstract, 1 empty file"
    assert lines[1:] == ["  f.txt:1: title with no abstract", "  f.txt:2: title with no abstract", "  ... and 2 more"]
    assert summarize_rejects([]) == "no records rejected"


def test_reason_kind_drops_details() -> None:
    assert reason_kind("line too long (52428800 bytes)") == "line too long"
    assert reason_kind("malformed JSON: Expecting value (column 3)") == "malformed JSON"
    assert reason_kind("empty file") == "empty file"


def test_read_file_raises_at_once_for_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(KgError, match="unknown input format 'xml'"):
        read_file(tmp_path / "a.txt", "xml")
    with pytest.raises(KgError, match="not a readable file"):
        read_file(tmp_path)
