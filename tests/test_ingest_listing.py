"""The Hugging Face listing reader on every seed variant, and on generated edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest import ingest, read_file
from kg.ingest.hf_listing import page_year
from kg.ingest.lines import DEFAULT_LIMITS
from kg.records import Paper, Rejected

SEED_COUNTS = {
    "000_debbf009154df580.txt": 39,
    "001_1274d051d29a06e9.txt": 88,
    "002_eeeb73ddfa0f0e5f.txt": 63,
    "003_e1c1b91a050badc5.txt": 29,
    "004_13ac1ae36a47fca3.txt": 210,
}


def _papers(path: Path) -> list[Paper]:
    records = list(read_file(path))
    assert [r for r in records if isinstance(r, Rejected)] == []
    return [r for r in records if isinstance(r, Paper)]


def _by_title(papers: list[Paper], title: str) -> Paper:
    return next(p for p in papers if p.title == title)


@pytest.mark.parametrize(("name", "count"), sorted(SEED_COUNTS.items()))
def test_each_seed_file_yields_its_listings_without_rejects(seeds_dir: Path, name: str, count: int) -> None:
    papers = _papers(seeds_dir / name)
    assert len(papers) == count
    assert all(p.abstract and p.title for p in papers)
    assert all(p.provenance[0].format == "hf-listing" for p in papers)


def test_seeds_hold_429_listings_of_401_papers_naming_79_repositories(seeds_dir: Path) -> None:
    result = ingest([seeds_dir])
    assert (result.listings, len(result.papers), result.files, result.rejected) == (429, 401, 5, ())
    repositories = {r.lower() for p in result.papers for r in p.repositories}
    assert len(repositories) == 79
    assert sum(len(p.provenance) > 1 for p in result.papers) == 25


def test_boilerplate_and_header_are_not_titles(seeds_dir: Path) -> None:
    titles = {p.title for f in SEED_COUNTS for p in _papers(seeds_dir / f)}
    for noise in ("new", "Subscribe", "Daily Papers", "Mar 14", "Nov 3", "nyu-visionx NYU VisionX", "openbmb OpenBMB"):
        assert noise not in titles
    assert not any(t.startswith(("Get trending", "byAK", "Subscribe", "•", "·")) for t in titles)


def test_title_glued_to_subscribe_is_recovered(seeds_dir: Path) -> None:
    papers = _papers(seeds_dir / "004_13ac1ae36a47fca3.txt")
    first = papers[0]
    assert first.title == "Activation Space Selectable Kolmogorov-Arnold Networks"
    assert first.provenance[0].line == 3
    assert first.abstract.startswith("The multilayer perceptron (MLP)")
    assert papers[-1].title == "Dynamic Routing Between Capsules"
    assert papers[-1].provenance[0].line == 421


def test_provenance_line_is_the_title_line(seeds_dir: Path) -> None:
    papers = _papers(seeds_dir / "000_debbf009154df580.txt")
    assert (papers[0].title, papers[0].provenance[0].line) == (
        "Mesa: A Memory-saving Training Framework for Transformers",
        11,
    )
    assert [p.provenance[0].line for p in papers[:3]] == [11, 15, 19]


def test_metadata_blocks_give_date_upvotes_and_organisation(seeds_dir: Path) -> None:
    papers = _papers(seeds_dir / "003_e1c1b91a050badc5.txt")
    m2mkd = papers[0]
    assert (m2mkd.date, m2mkd.upvotes, m2mkd.organization) == ("2024-02-25", None, None)
    pixart = _by_title(
        papers, "PixArt-Σ: Weak-to-Strong Training of Diffusion Transformer for 4K Text-to-Image Generation"
    )
    assert (pixart.date, pixart.upvotes) == ("2024-03-07", 1)
    rae = _by_title(papers, "Diffusion Transformers with Representation Autoencoders")
    assert (rae.organization, rae.upvotes) == ("NYU VisionX", 5)
    configurable = _by_title(papers, "Configurable Foundation Models: Building LLMs from a Modular Perspective")
    assert (configurable.organization, configurable.date, configurable.upvotes) == ("OpenBMB", "2024-09-04", 2)
    assert all(p.authors == () for p in papers)  # the page gives a count, never names


def test_yearless_dates_take_the_year_after_the_latest_printed_year(seeds_dir: Path) -> None:
    path = seeds_dir / "003_e1c1b91a050badc5.txt"
    assert page_year(path, DEFAULT_LIMITS) == 2025
    papers = _papers(path)
    assert _by_title(papers, "Diffusion Transformers with Representation Autoencoders").date == "2025-10-13"
    assert _by_title(papers, "Exploring Diffusion Transformer Designs via Grafting").date == "2025-06-05"
    assert _by_title(papers, "Accelerate High-Quality Diffusion Models with Inner Loop Feedback").date == "2025-01-22"


def test_files_without_printed_years_leave_dates_unset(seeds_dir: Path, tmp_path: Path) -> None:
    assert all(p.date is None for p in _papers(seeds_dir / "000_debbf009154df580.txt"))
    listing = tmp_path / "yearless.txt"
    listing.write_text("Mar 3\n\nA Title\n\nAn abstract that says things.\n\n  • 2 authors\n·\nJan 5 3\n")
    (paper,) = _papers(listing)
    assert (paper.date, paper.upvotes) == (None, 3)


def test_abstract_links_become_repositories(seeds_dir: Path) -> None:
    mesa = _papers(seeds_dir / "000_debbf009154df580.txt")[0]
    assert mesa.repositories == ("https://github.com/ziplab/Mesa",)
    assert mesa.links == ("https://github.com/ziplab/Mesa",)


def test_title_without_abstract_is_rejected_with_its_line(tmp_path: Path) -> None:
    listing = tmp_path / "listing.txt"
    listing.write_text(
        "new\n\nMar 14\n\n"
        "Orphan Title\n\n"
        "Good Title\n\nGood abstract, as prose.\n\n"
        "Second Good Title\nSecond abstract.\n"
        "Last Title Without Abstract\n"
    )
    records = list(read_file(listing))
    papers = [r for r in records if isinstance(r, Paper)]
    rejected = [r for r in records if isinstance(r, Rejected)]
    assert [p.title for p in papers] == ["Good Title", "Second Good Title"]
    assert [(r.line, r.reason) for r in rejected] == [(5, "title with no abstract"), (13, "title with no abstract")]


def test_title_before_a_metadata_block_has_no_abstract(tmp_path: Path) -> None:
    listing = tmp_path / "listing.txt"
    listing.write_text("T1\n\nA1 text.\n\n  • 3 authors\n·\nMay 2, 2024\n\nT2\n\n  • 1 authors\n·\nMay 3, 2024\n")
    records = list(read_file(listing))
    assert [r.title for r in records if isinstance(r, Paper)] == ["T1"]
    assert [(r.line, r.reason) for r in records if isinstance(r, Rejected)] == [(9, "title with no abstract")]


def test_short_abstract_without_full_stop_still_pairs(tmp_path: Path) -> None:
    listing = tmp_path / "listing.txt"
    listing.write_text("Title One\nshort abstract one\nTitle Two\nshort abstract two\n")
    papers = _papers(listing)
    assert [(p.title, p.abstract) for p in papers] == [
        ("Title One", "short abstract one"),
        ("Title Two", "short abstract two"),
    ]


def test_invalid_utf8_line_rejects_that_line_only(tmp_path: Path) -> None:
    listing = tmp_path / "listing.txt"
    listing.write_bytes(b"T1\nAbstract one.\nT2\nBad \xff\xfe abstract.\nT3\nAbstract three.\n")
    records = list(read_file(listing))
    assert [r.title for r in records if isinstance(r, Paper)] == ["T1", "T3"]
    assert [(r.line, r.reason) for r in records if isinstance(r, Rejected)] == [
        (4, "invalid UTF-8 (at byte 4), the abstract of the title on line 3")
    ]
