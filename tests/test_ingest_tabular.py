"""JSON Lines, CSV and arXiv snapshot readers on the fixtures in tests/fixtures/ingest/."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest import detect_format, read_file
from kg.records import Paper, Rejected
from kg.terms import digest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _split(path: Path, fmt: str | None = None) -> tuple[list[Paper], list[Rejected]]:
    records = list(read_file(path, fmt))
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Rejected)]


def test_jsonl_records_become_papers_and_bad_lines_rejects() -> None:
    papers, rejected = _split(FIXTURES / "papers.jsonl")
    assert [p.id for p in papers] == ["p-001", "t-" + digest("sparse probing of generated models"), "2401.00001"]
    assert [(r.line, r.reason.split(" (")[0].split(":")[0]) for r in rejected] == [
        (5, "malformed JSON"),
        (6, "title with no abstract"),
        (7, "not a JSON object"),
    ]


def test_jsonl_fields_map_to_paper() -> None:
    mesa, probing, own = _split(FIXTURES / "papers.jsonl")[0]
    assert (mesa.key, mesa.arxiv_id, mesa.date) == ("arxiv:2111.11124", "2111.11124", "2021-11-22")
    assert mesa.authors[0] == "Zizheng Pan" and len(mesa.authors) == 6
    assert mesa.repositories == ("https://github.com/ziplab/Mesa",)
    assert mesa.links == ("https://github.com/ziplab/Mesa", "https://github.com/ziplab/Mesa/tree/main")
    assert mesa.provenance[0].line == 1 and mesa.provenance[0].format == "jsonl"
    assert probing.authors == ("Ada Lovelace", "Alan Turing")
    assert (probing.date, probing.key) == ("2024-03-07", "title:sparse probing of generated models")
    assert probing.keywords == ("sparse probing", "interpretability")
    assert (own.arxiv_id, own.authors) == ("2401.00001", ("Grace Hopper", "Edsger Dijkstra"))
    assert own.links == ("https://example.org/project",)
    assert own.provenance[0].line == 4


def test_csv_rows_stream_with_start_lines_and_multiline_cells() -> None:
    papers, rejected = _split(FIXTURES / "papers.csv")
    assert [(p.id, p.provenance[0].line) for p in papers] == [("c-1", 2), ("c-3", 5)]
    assert [(r.line, r.reason) for r in rejected] == [(4, "title with no abstract")]
    barlow, cheap = papers
    assert barlow.abstract == "Self-supervised learning (SSL) is rapidly closing the gap. We propose Barlow Twins."
    assert barlow.arxiv_id == "2103.03230"
    assert barlow.authors[:2] == ("Jure Zbontar", "Li Jing")
    assert cheap.title == "Cheap Tables, Good Results"
    assert cheap.repositories == ("https://github.com/acme/tables",)


def test_csv_without_required_columns_is_one_reject_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,name,summary\n1,a,b\n2,c,d\n")
    assert list(read_file(path)) == [Rejected(str(path), None, "missing columns: title, abstract (header line 1)")]


def test_csv_header_matching_ignores_case_and_spaces(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(" Title , ABSTRACT\nT,An abstract.\n")
    papers, rejected = _split(path)
    assert ([p.title for p in papers], rejected) == (["T"], [])


def test_arxiv_snapshot_is_detected_and_read() -> None:
    path = FIXTURES / "arxiv-snapshot.jsonl"
    assert detect_format(path) == "arxiv"
    assert detect_format(FIXTURES / "papers.jsonl") == "jsonl"
    papers, rejected = _split(path)
    assert rejected == []
    diphoton, barlow, old = papers
    assert diphoton.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert diphoton.abstract.startswith(
        "A fully differential calculation in perturbative quantum chromodynamics is pre"
    )
    assert "next-to-leading order" in diphoton.abstract
    assert (diphoton.date, diphoton.key, diphoton.categories) == ("2007-04-02", "arxiv:0704.0001", ("hep-ph",))
    assert diphoton.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky")
    assert diphoton.url == "https://arxiv.org/abs/0704.0001"
    assert barlow.authors == ("Jure Zbontar", "Li Jing", "Ishan Misra", "Yann LeCun", "St\\'ephane Deny")
    assert barlow.categories == ("cs.CV", "cs.AI", "cs.LG", "q-bio.NC")
    assert barlow.repositories == ("https://github.com/facebookresearch/barlowtwins",)
    assert (old.arxiv_id, old.date, old.authors) == ("hep-th/9901001", "2009-10-31", ("A. Author", "B. Author"))


def test_format_argument_overrides_detection() -> None:
    papers, _ = _split(FIXTURES / "arxiv-snapshot.jsonl", "jsonl")
    assert {p.provenance[0].format for p in papers} == {"jsonl"}
    assert all(p.categories == () for p in papers)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"title": "t", "abstract": "a"', "malformed JSON"),
        (b'"just a string"', "not a JSON object"),
        (b"[" * 100_000, "malformed JSON"),
    ],
)
def test_each_bad_jsonl_line_is_rejected_alone(tmp_path: Path, line: bytes, reason: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"title": "Good", "abstract": "Fine."}\n' + line + b'\n{"title": "Also", "abstract": "Ok."}\n')
    papers, rejected = _split(path)
    assert [p.title for p in papers] == ["Good", "Also"]
    assert [(r.line, r.reason.startswith(reason)) for r in rejected] == [(2, True)]


def test_control_characters_and_lone_surrogates_are_dropped_from_text(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"title": "A\\u0000B\\ud800", "abstract": "x\\u0007y\\tz"}\n')
    (paper,) = _split(path)[0]
    assert (paper.title, paper.abstract) == ("AB", "xy z")
    paper.abstract.encode("utf-8")
