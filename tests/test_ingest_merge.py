"""Deduplication: the same paper from several listings and formats becomes one Paper."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kg.ingest import ingest
from kg.ingest.merge import merge_papers
from kg.ingest.normalize import normalize_title
from kg.records import Paper, Provenance
from kg.terms import digest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
MESA = "Mesa: A Memory-saving Training Framework for Transformers"
BARLOW = "Barlow Twins: Self-Supervised Learning via Redundancy Reduction"


def _paper(title: str, file: str, line: int, arxiv: str | None = None, **fields: object) -> Paper:
    key = f"arxiv:{arxiv}" if arxiv else f"title:{normalize_title(title)}"
    base = Paper(key=key, id=arxiv or f"t-{digest(normalize_title(title))}", title=title, abstract="a", arxiv_id=arxiv)
    return replace(base, provenance=(Provenance(file, line, "jsonl"),), **fields)  # type: ignore[arg-type]


def test_same_paper_from_listing_and_jsonl_is_one_paper_with_two_provenances(seeds_dir: Path) -> None:
    result = ingest([seeds_dir / "000_debbf009154df580.txt", FIXTURES / "papers.jsonl"])
    (mesa,) = [p for p in result.papers if p.title == MESA]
    assert [(p.format, p.line) for p in mesa.provenance] == [("hf-listing", 11), ("jsonl", 1)]
    assert (mesa.key, mesa.id, mesa.arxiv_id) == ("arxiv:2111.11124", "p-001", "2111.11124")
    assert mesa.abstract.startswith("There has been an explosion")  # the longest abstract wins
    assert mesa.repositories == ("https://github.com/ziplab/Mesa",)
    assert len(mesa.authors) == 6 and mesa.date == "2021-11-22"


def test_arxiv_id_and_title_link_three_formats_into_one_paper(seeds_dir: Path) -> None:
    paths = [seeds_dir / "003_e1c1b91a050badc5.txt", FIXTURES / "papers.csv", FIXTURES / "arxiv-snapshot.jsonl"]
    result = ingest(paths)
    (barlow,) = [p for p in result.papers if normalize_title(p.title) == normalize_title(BARLOW)]
    assert {p.format for p in barlow.provenance} == {"hf-listing", "csv", "arxiv"}
    assert barlow.key == "arxiv:2103.03230"
    assert barlow.id == "c-1"  # the CSV's own id beats ids derived from the arXiv id
    assert barlow.categories == ("cs.CV", "cs.AI", "cs.LG", "q-bio.NC")
    assert barlow.date == "2021-03-04"
    assert (result.listings, len(result.papers)) == (29 + 2 + 3, 29 + 2 + 3 - 2)


def test_merge_rules_prefer_non_empty_longest_max_and_unions() -> None:
    a = _paper("T", "a.jsonl", 1, authors=("X", "Y"), upvotes=3, links=("https://a.io",), keywords=("k",))
    b = replace(
        _paper("t.", "b.jsonl", 9, arxiv="2401.00001", authors=("y", "Z"), upvotes=7, organization="Org"),
        abstract="a longer abstract",
        repositories=("https://github.com/O/R",),
    )
    c = _paper("T", "a.jsonl", 5, repositories=("https://github.com/o/r",), keywords=("K", "j"))
    (merged,) = merge_papers([b, c, a])
    assert merged.key == "arxiv:2401.00001" and merged.id == "2401.00001"
    assert merged.title == "T"  # first in provenance order
    assert merged.abstract == "a longer abstract"
    assert (merged.upvotes, merged.organization) == (7, "Org")
    assert merged.authors == ("X", "Y", "Z")
    assert merged.repositories == ("https://github.com/o/r",)
    assert merged.keywords == ("k", "j")
    assert [p.line for p in merged.provenance] == [1, 5, 9]


def test_merging_is_independent_of_input_order_and_idempotent() -> None:
    papers = [
        _paper("Alpha", "f", 1),
        _paper("alpha ", "f", 2, arxiv="2401.00002"),
        _paper("Beta", "f", 3, arxiv="2401.00002"),
        _paper("Gamma", "f", 4),
    ]
    forward = merge_papers(papers)
    assert merge_papers(list(reversed(papers))) == forward
    assert merge_papers(list(forward)) == forward
    assert [p.key for p in forward] == ["arxiv:2401.00002", "title:gamma"]


def test_a_shared_title_never_joins_two_arxiv_ids() -> None:
    papers = [
        _paper("Attention", "f", 1, arxiv="1706.03762"),
        _paper("Attention", "f", 2),
        _paper("Attention", "f", 3, arxiv="2501.00001"),
    ]
    merged = merge_papers(papers)
    assert [(p.key, len(p.provenance)) for p in merged] == [("arxiv:1706.03762", 2), ("arxiv:2501.00001", 1)]
