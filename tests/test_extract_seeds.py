"""Extraction behaviours pinned on the real seed listings (seeds/), read through `kg.ingest`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kg.ingest import ingest
from kg.nlp import Extractor, to_extraction
from kg.records import Extraction, Mention, Paper

FIXTURE = Path(__file__).parent / "fixtures" / "hardware_seeds.tsv"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="module")
def seed_papers(seeds_dir: Path) -> tuple[Paper, ...]:
    return tuple(ingest([seeds_dir]).papers)


@pytest.fixture(scope="module")
def extractions(extractor: Extractor, seed_papers: tuple[Paper, ...]) -> dict[str, Extraction]:
    return {e.paper.title: e for e in extractor.extract_many(seed_papers)}


def paper_with(extractions: dict[str, Extraction], title_start: str) -> Extraction:
    found = [e for title, e in extractions.items() if title.startswith(title_start)]
    assert len(found) == 1, f"expected one seed paper titled {title_start!r}*"
    return found[0]


def mentions_of(extraction: Extraction, text: str) -> list[Mention]:
    return [m for m in extraction.mentions if m.text == text]


def test_mesa_is_proposed_by_its_paper(extractions: dict[str, Extraction]) -> None:
    mesa = paper_with(extractions, "Mesa: A Memory-saving Training Framework")
    mentions = mentions_of(mesa, "Mesa")
    assert [m.field for m in mentions][:1] == ["title"]
    assert len(mentions) >= 3  # the title, "we present Mesa", and later uses
    assert all(m.proposed and m.type == "method" for m in mentions)
    assert not any(m.proposed for m in mesa.mentions if m.text in ("ImageNet", "CIFAR-100", "ADE20K"))


def test_cfsp_named_in_the_abstract_is_the_proposed_method(extractions: dict[str, Extraction]) -> None:
    cfsp = paper_with(extractions, "CFSP: An Efficient Structured Pruning Framework")
    assert {m.field for m in mentions_of(cfsp, "CFSP") if m.proposed} == {"title", "abstract"}


def test_the_datasets_mesa_is_evaluated_on_are_datasets(extractions: dict[str, Extraction]) -> None:
    mesa = paper_with(extractions, "Mesa: A Memory-saving Training Framework")
    datasets = {m.text for m in mesa.mentions if m.type == "dataset"}
    assert {"ImageNet", "CIFAR-100", "ADE20K"} <= datasets


def test_cifar10_and_cifar_10_are_one_concept(extractor: Extractor, extractions: dict[str, Extraction]) -> None:
    written = {m.text: m.concept for e in extractions.values() for m in e.mentions if m.text in ("CIFAR10", "CIFAR-10")}
    assert set(written) == {"CIFAR10", "CIFAR-10"}  # both spellings occur in the seeds
    assert written["CIFAR10"] == written["CIFAR-10"]
    both = extractor.extract(
        Paper(key="k", id="k", title="", abstract="We use CIFAR10 here and CIFAR-10 there, and cifar-10 once more.")
    )
    cifar = [c for c in both.concepts if "CIFAR" in c.label]
    assert len(cifar) == 1
    assert {"CIFAR10", "cifar-10"} <= set(cifar[0].aliases) | {cifar[0].label}


def test_a_count_and_vendor_come_with_the_a100(extractions: dict[str, Extraction], extractor: Extractor) -> None:
    megatron = [m for e in extractions.values() for m in e.mentions if m.text == "NVIDIA A100 GPUs"]
    assert len(megatron) == 1
    assert (megatron[0].count, megatron[0].vendor) == (2240, "NVIDIA")
    assert "A100" in megatron[0].concept
    comma = extractor.extract(Paper(key="k", id="k", title="", abstract="We train on 2,240 NVIDIA A100 GPUs."))
    (a100,) = [m for m in comma.mentions if m.type == "hardware"]
    assert (a100.count, a100.vendor, a100.concept) == (2240, "NVIDIA", megatron[0].concept)


def test_the_tpu_inside_output_is_not_a_tpu(extractions: dict[str, Extraction], extractor: Extractor) -> None:
    with_output = [e for e in extractions.values() if "output" in e.paper.abstract.lower()]
    assert len(with_output) > 5
    for extraction in with_output:
        abstract = extraction.paper.abstract.lower()
        inside = {i + 3 for i in range(len(abstract)) if abstract.startswith("output", i)}  # the "t" of "tpu"
        hardware = [m for m in extraction.mentions if m.type == "hardware" and m.field == "abstract"]
        assert not [m for m in hardware if any(m.start <= i < m.end for i in inside)]
    plain = extractor.extract(Paper(key="k", id="k", title="", abstract="The output of a TPU; outputs and inputs."))
    assert [m.text for m in plain.mentions if m.type == "hardware"] == ["TPU"]


def test_seed_hardware_mentions_equal_the_reviewed_fixture(seed_papers: tuple[Paper, ...]) -> None:
    """The fixture was reviewed mention by mention for the hardware rules, which the learned extractor trusts."""
    extractions = {e.paper.id: e for e in Extractor(extractor="rules").extract_many(seed_papers)}
    found = [
        (
            e.paper.id,
            m.field,
            str(m.start),
            str(m.end),
            m.text,
            m.concept,
            "" if m.count is None else str(m.count),
            m.vendor or "",
        )
        for e in extractions.values()
        for m in e.mentions
        if m.type == "hardware"
    ]
    rows = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    expected = [tuple(row) for row in csv.reader(rows[1:], delimiter="\t", quoting=csv.QUOTE_NONE)]
    assert sorted(found) == sorted(expected)


def test_every_mention_offset_points_at_its_text(extractions: dict[str, Extraction]) -> None:
    for extraction in extractions.values():
        paper = extraction.paper
        for mention in extraction.mentions:
            source = paper.title if mention.field == "title" else paper.abstract
            assert source[mention.start : mention.end] == mention.text
            assert mention.text in mention.sentence


def test_every_mention_has_a_canonical_concept_of_its_paper(extractions: dict[str, Extraction]) -> None:
    for extraction in extractions.values():
        concepts = {(c.type, c.label) for c in extraction.concepts}
        assert {(m.type, m.concept) for m in extraction.mentions} == concepts


def test_processed_docs_give_the_same_extractions_as_extract_many(
    extractor: Extractor, seed_papers: tuple[Paper, ...]
) -> None:
    papers = seed_papers[:40]
    from_docs = [to_extraction(paper, layout, doc) for doc, paper, layout in extractor.docs(papers)]
    assert [e.paper for e in from_docs] == list(papers)
    assert from_docs == list(extractor.extract_many(papers))
