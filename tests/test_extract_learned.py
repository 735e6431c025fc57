"""The learned extractor end to end: what it keeps, the labels it gives, its confidences, and its options."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from kg.nlp import Extractor
from kg.records import Extraction, Paper


@pytest.fixture(scope="module")
def learned() -> Extractor:
    return Extractor(extractor="learned")


def extract(extractor: Extractor, abstract: str, title: str = "A study") -> Extraction:
    return extractor.extract(Paper(key="p1", id="p1", title=title, abstract=abstract))


def concepts(extraction: Extraction, kind: str) -> set[str]:
    return {concept.label for concept in extraction.concepts if concept.type == kind}


def test_named_concepts_are_kept_and_generic_phrases_dropped(learned: Extractor) -> None:
    extraction = extract(
        learned,
        "We fine-tune Llama 2 with LoRA on ImageNet and report top-1 accuracy. Our training strategy uses a "
        "student model and a theoretical framework, trained on 8 NVIDIA A100 GPUs.",
    )
    labels = {concept.label.lower() for concept in extraction.concepts}
    assert {"imagenet"} <= concepts(extraction, "dataset") | {
        label.lower() for label in concepts(extraction, "dataset")
    }
    assert any("lora" in label or "low-rank" in label for label in labels)
    assert concepts(extraction, "hardware")
    assert not {"training strategy", "student model", "theoretical framework"} & labels


def test_every_mention_has_a_calibrated_confidence_and_the_learned_source(learned: Extractor) -> None:
    extraction = extract(learned, "We evaluate GPT-4 and Llama 3 on MMLU and GSM8K with accuracy.")
    assert extraction.mentions
    for mention in extraction.mentions:
        assert 0.0 <= mention.confidence <= 1.0
        assert mention.source == "learned"


def test_an_acronym_and_its_expansion_name_one_concept_across_papers(learned: Extractor) -> None:
    """One concept, one node: concept IRIs are minted from (type, label), so equal labels are one node."""
    defined = extract(learned, "We train with Group Relative Policy Optimization (GRPO) on math problems.")
    bare = extract(learned, "We fine-tune a language model with GRPO and compare it with PPO on GSM8K.")
    in_defined = {label.lower() for label in concepts(defined, "method")}
    in_bare = {label.lower() for label in concepts(bare, "method")}
    assert "group relative policy optimization" in in_defined
    assert "group relative policy optimization" in in_bare
    assert "grpo" not in in_bare


def test_the_proposed_method_is_marked(learned: Extractor) -> None:
    extraction = extract(
        learned,
        "We propose FlashMesh, a memory-saving training framework for transformers. FlashMesh halves memory.",
        title="FlashMesh: Memory-Saving Training for Transformers",
    )
    proposed = {mention.concept for mention in extraction.mentions if mention.proposed}
    assert any("FlashMesh" in label for label in proposed)


def test_the_two_extractors_differ_and_both_are_deterministic() -> None:
    paper = Paper(
        key="p1", id="p1", title="A study", abstract="Our training strategy improves a student model on ImageNet."
    )
    rules = Extractor(extractor="rules")
    learned = Extractor(extractor="learned")
    assert rules.extract(paper) == rules.extract(paper)
    assert learned.extract(paper) == learned.extract(paper)
    assert {m.source for m in learned.extract(paper).mentions} <= {"learned"}
    assert "learned" not in {m.source for m in rules.extract(paper).mentions}


def test_kg_extract_chooses_the_extractor_and_refuses_an_unknown_one(kg_cli: Callable[..., object], tmp_path) -> None:  # type: ignore[no-untyped-def]
    listing = tmp_path / "papers.jsonl"
    listing.write_text(json.dumps({"id": "p1", "title": "T", "abstract": "We fine-tune LoRA on ImageNet."}) + "\n")
    for name in ("learned", "rules"):
        run = kg_cli("extract", str(listing), "--extractor", name, "-q")
        assert run.status == 0, run.stderr
        record = json.loads(run.stdout)
        assert record["mentions"]
    run = kg_cli("extract", str(listing), "--extractor", "neural", "-q")
    assert run.status == 2
    assert "--extractor" in run.stderr


def test_a_dataset_written_with_its_noun_is_the_same_dataset(learned: Extractor) -> None:
    with_noun = extract(learned, "We evaluate our model on the MATH benchmark and report accuracy.")
    bare = extract(learned, "Results on MATH show gains of 5 points over the baseline.")
    assert concepts(with_noun, "dataset") == concepts(bare, "dataset") == {"MATH"}
