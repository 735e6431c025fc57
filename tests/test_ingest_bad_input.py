"""Bad input never raises: each case gives a one-line Rejected naming file and line, and good records stay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.ingest import Limits, detect_format, ingest, read_file
from kg.ingest.lines import BadLine, Line, iter_lines
from kg.records import Paper, Rejected

GOOD_JSONL = b'{"title": "Good", "abstract": "Fine."}\n'
FIFTY_MB = 50 * 1024 * 1024


def _split(records: object) -> tuple[list[Paper], list[Rejected]]:
    items = list(records)  # type: ignore[call-overload]
    return [r for r in items if isinstance(r, Paper)], [r for r in items if isinstance(r, Rejected)]


@pytest.mark.parametrize("name", ["empty.txt", "empty.jsonl", "empty.csv", "empty.json", "empty.dat"])
def test_empty_file_is_one_reject(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert list(read_file(path)) == [Rejected(str(path), None, "empty file")]


def test_blank_file_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text("\n\n  \n")
    assert list(read_file(path)) == [Rejected(str(path), None, "no records found (read as jsonl)")]


def test_binary_file_is_rejected_whole_even_with_a_forced_format(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    expected = [Rejected(str(path), None, "binary file (not a paper listing)")]
    assert list(read_file(path)) == expected
    assert list(read_file(path, "jsonl")) == expected
    with pytest.raises(KgError, match=r"image\.txt: binary file"):
        detect_format(path)


def test_invalid_utf8_rejects_the_line_and_keeps_decoding(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(GOOD_JSONL + b'{"title": "Caf\xe9", "abstract": "latin-1"}\n' + GOOD_JSONL)
    papers, rejected = _split(read_file(path))
    assert len(papers) == 2
    assert [(r.line, r.reason) for r in rejected] == [(2, "invalid UTF-8 (at byte 14)")]


def test_malformed_jsonl_line_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(GOOD_JSONL + b"{oops}\n" + GOOD_JSONL)
    papers, rejected = _split(read_file(path))
    assert len(papers) == 2
    assert [r.location() for r in rejected] == [f"{path}:2"]
    assert rejected[0].reason.startswith("malformed JSON: Expecting property name")


def test_long_line_is_rejected_without_holding_it(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(GOOD_JSONL + b'{"title": "' + b"x" * 300_000 + b'"}\n' + GOOD_JSONL)
    papers, rejected = _split(read_file(path, limits=Limits(max_line_bytes=100_000)))
    assert len(papers) == 2
    assert [(r.line, r.reason) for r in rejected] == [(2, "line too long (300013 bytes)")]


def test_line_reader_counts_lines_across_chunks_and_final_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_bytes(b"\xef\xbb\xbfa\r\n" + b"b" * 70_000 + b"\n" + b"c" * 200 + b"\nlast")
    items = list(iter_lines(path, Limits(max_line_bytes=100)))
    assert items == [
        Line(1, "a"),
        BadLine(2, "line too long (70000 bytes)"),
        BadLine(3, "line too long (200 bytes)"),
        Line(4, "last"),
    ]


def _write_with_huge_line(path: Path, before: bytes, after: bytes) -> None:
    """`before`, then one line of 50 MiB written in 1 MiB pieces, then `after`."""
    with path.open("wb") as handle:
        handle.write(before)
        for _ in range(FIFTY_MB // (1 << 20)):
            handle.write(b"y" * (1 << 20))
        handle.write(b"\n" + after)


def test_fifty_megabyte_jsonl_line_is_rejected_without_holding_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    _write_with_huge_line(path, GOOD_JSONL, GOOD_JSONL)
    papers, rejected = _split(read_file(path))
    assert len(papers) == 2
    assert [(r.line, r.reason) for r in rejected] == [(2, f"line too long ({FIFTY_MB} bytes)")]


def test_fifty_megabyte_listing_abstract_is_rejected_with_its_title(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    _write_with_huge_line(path, b"Title A\nAbstract A.\nTitle B\n", b"Title C\nAbstract C.\n")
    papers, rejected = _split(read_file(path))
    assert [p.title for p in papers] == ["Title A", "Title C"]
    assert [(r.line, r.reason) for r in rejected] == [
        (4, f"line too long ({FIFTY_MB} bytes), the abstract of the title on line 3")
    ]


def test_mixed_folder_detects_each_file_and_rejects_unknown_ones(tmp_path: Path, seeds_dir: Path) -> None:
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.jsonl").write_bytes(GOOD_JSONL)
    (folder / "b.csv").write_text("title,abstract\nCsv Title,Csv abstract.\n")
    (folder / "c.txt").write_text((seeds_dir / "000_debbf009154df580.txt").read_text(encoding="utf-8"))
    (folder / "sub" / "d.json").write_text(json.dumps([{"paper": {"id": "2401.00009", "title": "T", "summary": "S"}}]))
    (folder / "sub" / "e.png").write_bytes(b"\x89PNG\x00\x00")
    (folder / "notes.md").write_text("# Notes\nnothing to see\n")
    (folder / "empty.txt").write_text("")
    (folder / ".hidden.jsonl").write_bytes(GOOD_JSONL)
    (folder / ".git").mkdir()
    (folder / ".git" / "x.jsonl").write_bytes(GOOD_JSONL)
    result = ingest([folder])
    assert result.files == 7
    assert result.listings == 1 + 1 + 39 + 1
    formats = {prov.format for p in result.papers for prov in p.provenance}
    assert formats == {"jsonl", "csv", "hf-listing", "hf-api"}
    assert [(Path(r.file).name, r.line, r.reason) for r in result.rejected] == [
        ("empty.txt", None, "empty file"),
        ("notes.md", None, "unknown format (not one of: hf-listing, hf-api, jsonl, csv, arxiv)"),
        ("e.png", None, "binary file (not a paper listing)"),
    ]


def test_missing_path_and_unknown_format_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(KgError, match="no such file or folder"):
        ingest([tmp_path / "absent"])
    with pytest.raises(KgError, match="unknown input format 'xml'"):
        ingest([tmp_path], "xml")
