"""The Hugging Face Daily Papers API reader on real dumps from ../shared and on generated broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.ingest import Limits, detect_format, read_file
from kg.records import Paper, Rejected


def _api(shared_dir: Path, name: str) -> Path:
    return shared_dir / "corpus" / "hf-daily-api" / name


def _papers(path: Path) -> list[Paper]:
    records = list(read_file(path))
    assert [r for r in records if isinstance(r, Rejected)] == []
    return [r for r in records if isinstance(r, Paper)]


def test_json_objects_keep_api_metadata(shared_dir: Path) -> None:
    path = _api(shared_dir, "2026-01-20.json")
    papers = _papers(path)
    assert len(papers) == 4
    paper = papers[0]
    assert (paper.key, paper.id, paper.arxiv_id) == ("arxiv:2601.08808", "2601.08808", "2601.08808")
    assert paper.title == "Multiplex Thinking: Reasoning via Token-wise Branch-and-Merge"
    assert (paper.date, paper.upvotes, paper.github_stars) == ("2026-01-13", 13, 39)
    assert paper.organization == "Microsoft Research"
    assert paper.authors[:2] == ("Yao Tang", "Li Dong") and len(paper.authors) == 6
    assert paper.repositories == ("https://github.com/GMLR-Penn/Multiplex-Thinking",)
    assert paper.project_page == "https://gmlr-penn.github.io/Multiplex-Thinking/"
    assert "https://gmlr-penn.github.io/Multiplex-Thinking/" in paper.links
    assert paper.keywords[:3] == ("Chain-of-Thought", "stochastic soft reasoning", "multiplex token")
    assert paper.url == "https://arxiv.org/abs/2601.08808"
    assert [p.provenance[0].line for p in papers] == [2, 99, 234, 326]


def test_hard_line_breaks_in_titles_and_abstracts_are_joined(shared_dir: Path) -> None:
    meteor = _papers(_api(shared_dir, "2024-05-27.json"))[0]
    assert meteor.title == "Meteor: Mamba-based Traversal of Rationale for Large Language and Vision Models"
    assert "\n" not in meteor.abstract
    assert "has been driven by advances" in meteor.abstract


def test_python_repr_items_are_parsed_as_literals(shared_dir: Path) -> None:
    path = _api(shared_dir, "2024-12-11.json")
    assert path.read_text(encoding="utf-8").lstrip().startswith("[\n    \"{'paper'")
    papers = _papers(path)
    assert len(papers) == 26
    assert papers[0].id == "2412.07730"
    assert papers[0].title == "STIV: Scalable Text and Image Conditioned Video Generation"
    assert papers[0].authors[:2] == ("Zongyu Lin", "Wei Liu")


def test_list_wrapped_in_data_object_is_read(shared_dir: Path) -> None:
    path = _api(shared_dir, "2025-01-10.json")
    assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
    assert detect_format(path) == "hf-api"
    papers = _papers(path)
    assert len(papers) == 9
    assert papers[0].id == "2501.05441"
    assert papers[0].provenance[0].line == 6


def _dump(tmp_path: Path, items: object, name: str = "day.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(items, indent=2))
    return path


def _item(arxiv: str, title: str, summary: str, **paper: object) -> dict[str, object]:
    return {"paper": {"id": arxiv, "title": title, "summary": summary, "authors": [], **paper}, "title": title}


def test_items_without_abstract_or_unreadable_are_rejected_with_line(tmp_path: Path) -> None:
    path = _dump(
        tmp_path,
        [
            _item("2401.00001", "Good", "An abstract."),
            _item("2401.00002", "No abstract", ""),
            "not a literal {",
            42,
            repr(_item("2401.00003", "From repr", "Repr abstract.")),
        ],
    )
    records = list(read_file(path))
    assert [r.id for r in records if isinstance(r, Paper)] == ["2401.00001", "2401.00003"]
    rejected = [(r.line, r.reason.split(":")[0]) for r in records if isinstance(r, Rejected)]
    assert rejected == [(11, "title with no abstract"), (20, "unreadable item"), (21, "unreadable item")]


def test_malformed_json_rejects_the_file_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"paper": {"id": "2401.00001", "title": "T", "summary": "S"}},\n  {"paper": \n]\n')
    records = list(read_file(path))
    assert len(records) == 1 and isinstance(records[0], Rejected)
    assert records[0].line == 4
    assert records[0].reason == "malformed JSON: Expecting value (line 4, column 1)"


def test_object_without_data_list_is_rejected(tmp_path: Path) -> None:
    path = _dump(tmp_path, {"status": "ok", "items": []})
    (rejected,) = read_file(path, "hf-api")
    assert isinstance(rejected, Rejected) and rejected.reason.startswith("not an API dump")


def test_oversized_json_file_is_rejected_without_reading_it(tmp_path: Path) -> None:
    path = _dump(tmp_path, [_item("2401.00001", "T", "x" * 5000)])
    (rejected,) = read_file(path, limits=Limits(max_json_bytes=1000))
    assert isinstance(rejected, Rejected)
    assert rejected.reason.startswith("JSON file too large (")


def test_hyphenated_line_ends_are_joined_sensibly(tmp_path: Path) -> None:
    summary = "We train multi-\nmodal models on low-\nand high-resolution data -\nfast."
    path = _dump(tmp_path, [_item("2401.00001", "A\n  Title", summary)])
    (paper,) = _papers(path)
    assert paper.title == "A Title"
    assert paper.abstract == "We train multi-modal models on low- and high-resolution data - fast."


@pytest.mark.slow
def test_whole_api_corpus_reads_without_rejects(shared_dir: Path) -> None:
    from kg.ingest import ingest

    result = ingest([shared_dir / "corpus" / "hf-daily-api"])
    assert (result.files, result.listings, len(result.papers), result.rejected) == (580, 9756, 9752, ())
