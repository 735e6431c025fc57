"""Hostile input never sinks a run: a bad field costs that field, a bad record that record, and nothing found is
skipped in silence (each case was first reproduced on the code before the fix)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kg.ingest import Limits, detect_format, ingest, read_file
from kg.ingest.lines import text_encoding
from kg.ingest.tabular import ends_in_quotes
from kg.records import Paper, Rejected

GOOD = {"title": "Good Paper", "abstract": "We propose FooNet and evaluate it on ImageNet."}
HUGE_NUMBER = "9" * 5000  # past Python's 4,300-digit limit for int(): a bare ValueError, not a JSONDecodeError


def _split(records: object) -> tuple[list[Paper], list[Rejected]]:
    items = list(records)  # type: ignore[call-overload]
    assert all(isinstance(r, Paper | Rejected) for r in items)
    return [r for r in items if isinstance(r, Paper)], [r for r in items if isinstance(r, Rejected)]


# ------------------------------------------------------------------------------- one bad field (issue 13, item 1)


@pytest.mark.parametrize("upvotes", [HUGE_NUMBER, '"²"', '"-3"', "12.5", '"1e9"', "-1", "1" + "0" * 30])
def test_a_bad_count_in_jsonl_costs_only_that_field(tmp_path: Path, upvotes: str) -> None:
    path = tmp_path / "papers.jsonl"
    bad = json.dumps({"title": "Bad Count", "abstract": "We use BERT."})[:-1] + f', "upvotes": {upvotes}}}'
    path.write_text(json.dumps(GOOD) + "\n" + bad + "\n")
    papers, rejected = _split(read_file(path))
    assert rejected == []
    assert [(p.title, p.upvotes) for p in papers] == [("Good Paper", None), ("Bad Count", None)]


def test_a_bad_count_in_csv_costs_only_that_field(tmp_path: Path) -> None:
    path = tmp_path / "papers.csv"
    path.write_text(f"title,abstract,upvotes\nT1,We use BERT.,²\nT2,We use GPT-4.,{HUGE_NUMBER}\nT3,We use T5.,12\n")
    papers, rejected = _split(read_file(path))
    assert rejected == []
    assert [p.upvotes for p in papers] == [None, None, 12]


@pytest.mark.parametrize("upvotes", [HUGE_NUMBER, '"²"'])
def test_a_bad_count_in_an_api_dump_costs_only_that_field(tmp_path: Path, upvotes: str) -> None:
    path = tmp_path / "day.json"
    item = '{"paper": {"id": "2401.00001", "title": "API Paper", "summary": "We use ResNet.", "upvotes": %s}}'
    path.write_text(f'[{item % upvotes}, {{"title": "Second", "summary": "We use ViT."}}]')
    papers, rejected = _split(read_file(path))
    assert rejected == []
    assert [(p.title, p.upvotes) for p in papers] == [("API Paper", None), ("Second", None)]


def test_a_huge_upvote_count_in_a_listing_costs_only_that_field(tmp_path: Path) -> None:
    path = tmp_path / "listing.txt"
    path.write_text(f"Title One\nWe propose FooNet for things.\n·\nMar 7, 2024 {HUGE_NUMBER}\n")
    papers, rejected = _split(read_file(path))
    assert rejected == []
    assert [(p.title, p.date, p.upvotes) for p in papers] == [("Title One", "2024-03-07", None)]


def test_an_integer_id_too_long_for_int_keeps_its_digits(tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    path.write_text('{"id": ' + HUGE_NUMBER + ', "title": "T", "abstract": "A."}\n')
    (paper,) = _split(read_file(path))[0]
    assert paper.id == HUGE_NUMBER


# ------------------------------------------------------------------------------ one long record (item 2)


def test_a_record_longer_than_the_limit_is_rejected_and_its_neighbours_kept(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    long = {"title": "Long", "abstract": "accuracy of 90% on ImageNet " * 40_000}  # 1.12M characters, stripped
    path.write_text("\n".join(json.dumps(r) for r in (GOOD, long, GOOD | {"title": "After"})) + "\n")
    papers, rejected = _split(read_file(path))
    assert [p.title for p in papers] == ["Good Paper", "After"]
    assert rejected == [
        Rejected(str(path), 2, "record too long (1120003 characters of title and abstract; limit 100000)")
    ]


def test_the_record_limit_counts_title_and_abstract_and_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"title": "t" * 40, "abstract": "a" * 60}) + "\n")
    assert len(_split(read_file(path, limits=Limits(max_text_chars=100)))[0]) == 1
    assert len(_split(read_file(path, limits=Limits(max_text_chars=99)))[1]) == 1


# ------------------------------------------------------------------------------ CSV kept in step (item 4)


def test_a_csv_field_over_131072_characters_stays_one_field_and_the_rest_stays_in_step(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    big = "word " * 30_000  # 150,000 characters over two lines, past the csv module's default field limit
    path.write_text(f'title,abstract\nFirst,We use BERT.\nBig,"{big}\nAfter,We propose FooNet"\nLast,We use T5.\n')
    papers, rejected = _split(read_file(path, limits=Limits(max_text_chars=1_000_000)))
    assert [p.title for p in papers] == ["First", "Big", "Last"]
    assert papers[1].abstract.endswith("After,We propose FooNet")
    assert rejected == []


def test_a_csv_record_longer_than_the_line_limit_is_rejected_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text('title,abstract\nBig,"' + "x" * 500 + '\nAfter,We propose FooNet"\nLast,We use T5.\n')
    papers, rejected = _split(read_file(path, limits=Limits(max_line_bytes=300)))
    assert [p.title for p in papers] == ["Last"]
    assert [(r.line, r.reason) for r in rejected] == [(2, "line too long (505 bytes)")]


def test_a_csv_record_of_short_lines_longer_than_the_line_limit_is_rejected_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text('title,abstract\nBig,"' + "x\n" * 200 + 'After,We propose FooNet"\nLast,We use T5.\n')
    papers, rejected = _split(read_file(path, limits=Limits(max_line_bytes=300)))
    assert [p.title for p in papers] == ["Last"]
    assert [(r.line, r.reason) for r in rejected] == [(2, "record too long (over 300 bytes)")]


def test_a_csv_quote_never_closed_is_one_reject_not_a_garbled_paper(tmp_path: Path) -> None:
    path = tmp_path / "open.csv"
    path.write_text('title,abstract\nFirst,We use BERT.\nBroken,"We never close\nAfter,We propose FooNet\n')
    papers, rejected = _split(read_file(path))
    assert [p.title for p in papers] == ["First"]
    assert [(r.line, r.reason) for r in rejected] == [(3, "malformed CSV: a quoted field is never closed")]


def test_a_csv_row_with_more_fields_than_the_header_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("title,abstract\nT,A.,extra\nU,B.\n")
    papers, rejected = _split(read_file(path))
    assert [p.title for p in papers] == ["U"]
    assert [(r.line, r.reason) for r in rejected] == [(2, "malformed CSV: 3 fields, the header has 2")]


@pytest.mark.parametrize(
    ("line", "before", "after"),
    [
        ('a,"b', False, True),
        ('a,"b""c",d', False, False),
        ('5" screen,x', False, False),  # a quote inside an unquoted field is text
        ('b" end,"c', True, True),
        ('still inside ""quoted"" text', True, True),
        ('closes here",x', True, False),
        ('"x"tail,"', False, True),
    ],
)
def test_csv_quote_state_follows_the_csv_module(line: str, before: bool, after: bool) -> None:
    assert ends_in_quotes(line, before) is after


# ------------------------------------------------------------------------------ silent losses (item 5)


def test_one_nul_byte_costs_its_line_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nul.jsonl"
    lines = [json.dumps(GOOD | {"title": f"Paper {i}"}) for i in range(61)]
    lines[30] = lines[30].replace("Paper 30", "Paper\x0030")
    path.write_bytes(("\n".join(lines) + "\n").encode().replace(b"\\u0000", b"\x00"))
    papers, rejected = _split(read_file(path))
    assert len(papers) == 60
    assert [r.line for r in rejected] == [31]


def test_binary_files_are_still_binary() -> None:
    assert text_encoding(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))) is None
    assert text_encoding(b"\x00" * 4096) is None
    assert text_encoding(b"ustar\x00" + b"a" * 100 + b"\x00" * 400) is None  # a tar header: ASCII, many NULs


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_are_decoded(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "wide.jsonl"
    text = json.dumps({"title": "Über Models", "abstract": "We propose FooNet 🚀."}, ensure_ascii=False)
    path.write_bytes((text + "\n" + json.dumps(GOOD) + "\n").encode(codec))
    assert detect_format(path) == "jsonl"
    papers, rejected = _split(read_file(path))
    assert rejected == []
    assert [p.title for p in papers] == ["Über Models", "Good Paper"]
    assert papers[0].abstract == "We propose FooNet 🚀."


def test_utf16_csv_with_crlf_and_a_multiline_cell(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes('title,abstract\r\nT,"two\r\nlines."\r\n'.encode("utf-16"))
    (paper,) = _split(read_file(path))[0]
    assert (paper.title, paper.abstract) == ("T", "two lines.")


def test_listing_with_bare_cr_line_ends_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mac.txt"
    path.write_bytes(b"Title One\rWe propose FooNet for things.\rTitle Two\rWe use BERT.\r")
    papers, rejected = _split(read_file(path))
    assert ([p.title for p in papers], rejected) == (["Title One", "Title Two"], [])


def test_special_files_and_broken_links_are_rejected_not_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.jsonl").write_text(json.dumps(GOOD) + "\n")
    (folder / "dangling.jsonl").symlink_to(tmp_path / "absent.jsonl")
    os.mkfifo(folder / "pipe.jsonl")
    (tmp_path / "elsewhere").mkdir()
    (folder / "linked").symlink_to(tmp_path / "elsewhere")
    result = ingest([folder, Path("/dev/zero")])
    assert len(result.papers) == 1
    assert [(Path(r.file).name, r.reason) for r in result.rejected] == [
        ("dangling.jsonl", f"broken symbolic link (to {tmp_path / 'absent.jsonl'})"),
        ("linked", "symbolic link to a folder (not followed)"),
        ("pipe.jsonl", "not a regular file (a FIFO)"),
        ("zero", "not a regular file (a character device)"),
    ]


def test_a_named_fifo_is_rejected_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading would block until a writer came
    result = ingest([fifo])
    assert result.rejected == (Rejected(str(fifo), None, "not a regular file (a FIFO)"),)


def test_an_unreadable_subfolder_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.jsonl").write_text(json.dumps(GOOD) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps(GOOD | {"title": "Readable"}) + "\n")
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:  # the tests may run as root, who can read a mode-000 folder
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    result = ingest([tmp_path])
    assert [p.title for p in result.papers] == ["Readable"]
    assert result.rejected == (Rejected(str(tmp_path / "locked"), None, "unreadable folder (Permission denied)"),)


# ------------------------------------------------------------------------------ file names (item 7)


def test_a_file_name_that_is_not_utf8_is_read_and_named_with_escapes(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"caf\xe9.jsonl"), "wb") as handle:
        handle.write(json.dumps(GOOD).encode() + b"\n{broken\n")
    result = ingest([tmp_path])
    (paper,) = result.papers
    assert paper.provenance[0].file == f"{tmp_path}/caf\\xe9.jsonl"
    assert [r.location() for r in result.rejected] == [f"{tmp_path}/caf\\xe9.jsonl:2"]
