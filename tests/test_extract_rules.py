"""Each extraction rule of the issue, on short texts: gazetteer, abbreviations, proposal, context patterns,
hardware, metrics and results, tasks, canonicalisation and generic phrases."""

from __future__ import annotations

import pytest

from kg.nlp import Extractor
from kg.nlp.abbreviations import long_form_start
from kg.nlp.text import normal_label, singular
from kg.records import CONCEPT_TYPES, Extraction, Mention, Paper


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    """These tests pin the rules' behaviour (the candidates the learned extractor judges come from them)."""
    return Extractor(extractor="rules")


def extract(extractor: Extractor, abstract: str, title: str = "") -> Extraction:
    return extractor.extract(Paper(key="test", id="test", title=title, abstract=abstract))


def typed(extraction: Extraction, kind: str) -> list[str]:
    return [m.text for m in extraction.mentions if m.type == kind]


def mention(extraction: Extraction, text: str) -> Mention:
    (found,) = [m for m in extraction.mentions if m.text == text]
    return found


# --------------------------------------------------------------------------------------------------- gazetteer


def test_gazetteer_matching_ignores_case_and_hyphens(extractor: Extractor) -> None:
    e = extract(extractor, "We train on ImageNet-1k, test on ImageNet-1K and imagenet-1k, and on CIFAR10 and Cifar-10.")
    assert len({mention(e, text).concept for text in ("ImageNet-1k", "ImageNet-1K", "imagenet-1k")}) == 1
    assert mention(e, "CIFAR10").concept == mention(e, "Cifar-10").concept
    assert set(typed(e, "dataset")) == {"ImageNet-1k", "ImageNet-1K", "imagenet-1k", "CIFAR10", "Cifar-10"}


def test_short_acronyms_that_are_words_match_only_in_capitals(extractor: Extractor) -> None:
    e = extract(extractor, "We prompt SAM and CLIP; the sam of the values; we clip the gradients.")
    assert typed(e, "method") == ["SAM", "CLIP"]


def test_the_longest_gazetteer_match_wins(extractor: Extractor) -> None:
    e = extract(extractor, "We evaluate on Tiny ImageNet and report top-1 accuracy.")
    assert "Tiny ImageNet" in typed(e, "dataset") and "ImageNet" not in typed(e, "dataset")
    assert "top-1 accuracy" in typed(e, "metric") and "accuracy" not in typed(e, "metric")


def test_a_term_inside_a_hyphenated_compound_is_not_matched(extractor: Extractor) -> None:
    e = extract(extractor, "A memory-saving scheme stores low-precision activations.")
    assert typed(e, "metric") == []


# ------------------------------------------------------------------------------------------------ abbreviations


def test_the_short_form_resolves_to_the_long_form_everywhere(extractor: Extractor) -> None:
    e = extract(
        extractor,
        "We propose Inner Loop Feedback (ILF), a novel approach to accelerate diffusion models. "
        "ILF trains a lightweight module. With ILF, sampling is faster.",
    )
    ilf = [m for m in e.mentions if m.text in ("Inner Loop Feedback", "ILF")]
    assert len(ilf) == 4
    assert {m.concept for m in ilf} == {"inner loop feedback"}
    (concept,) = [c for c in e.concepts if c.label == "inner loop feedback"]
    assert set(concept.aliases) == {"Inner Loop Feedback", "ILF"}


def test_a_task_and_its_abbreviation_in_parentheses_are_one_mention(extractor: Extractor) -> None:
    e = extract(extractor, "Zebra pose recognition (ZPR) is hard. We study ZPR in the wild.")
    assert [(m.text, m.type) for m in e.mentions] == [("Zebra pose recognition (ZPR)", "task"), ("ZPR", "task")]
    (concept,) = e.concepts
    assert concept.label == "zebra pose recognition"
    assert {"Zebra pose recognition", "ZPR"} <= set(concept.aliases)


def test_a_paper_definition_beats_the_vocabulary(extractor: Extractor) -> None:
    e = extract(extractor, "We use a Sparse Attention Module (SAM). SAM is fast.")
    assert {m.concept for m in e.mentions} == {"sparse attention module"}


def test_a_known_pair_takes_the_vocabulary_label(extractor: Extractor) -> None:
    e = extract(extractor, "Low-Rank Adaptation (LoRA) is popular; we apply LoRA and low-rank adaptation to LLMs.")
    labels = {m.concept for m in e.mentions if m.text.lower() in ("low-rank adaptation", "lora")}
    assert len(labels) == 1


@pytest.mark.parametrize(
    ("before", "short", "expected"),
    [
        ("we propose Inner Loop Feedback", "ILF", "Inner Loop Feedback"),
        ("popular Large Language Models", "LLMs", "Large Language Models"),
        ("a family of Low-Rank Adaptation", "LoRA", "Low-Rank Adaptation"),
        ("the results", "XYZ", None),
    ],
)
def test_schwartz_hearst_finds_the_long_form(before: str, short: str, expected: str | None) -> None:
    start = long_form_start(before, short)
    assert (before[start:] if start is not None else None) == expected


# ------------------------------------------------------------------------------------------------------ proposal


def test_a_title_name_before_a_colon_is_proposed(extractor: Extractor) -> None:
    e = extract(extractor, "We propose Fira, a plug-and-play training framework.", title="Fira: Can We Train LLMs?")
    fira = [m for m in e.mentions if m.text == "Fira"]
    assert [m.field for m in fira] == ["title", "abstract"]
    assert all(m.proposed and m.type == "method" for m in fira)


def test_dubbed_names_a_proposed_benchmark_as_a_dataset(extractor: Extractor) -> None:
    e = extract(extractor, "In this work, we introduce a new benchmark, dubbed MMStar, for multimodal models.")
    star = mention(e, "MMStar")
    assert (star.type, star.proposed) == ("dataset", True)


def test_we_propose_a_described_method_marks_its_phrase(extractor: Extractor) -> None:
    e = extract(extractor, "We propose a head-wise activation quantization strategy for Transformers.")
    assert [m.text for m in e.mentions if m.proposed] == ["head-wise activation quantization strategy"]
    assert not mention(e, "Transformers").proposed


def test_a_known_concept_heading_the_object_of_we_propose_is_not_proposed(extractor: Extractor) -> None:
    # Sentences from the HF Daily Papers corpus (2405.20674, 2407.16637): the paper makes a new model or recipe.
    e = extract(
        extractor,
        "We first design a unified diffusion model tailored for multi-view video generation. "
        "To improve, we propose fine-tuning LLMs with preference learning. Diffusion models are strong.",
    )
    assert not any(m.proposed for m in e.mentions if m.concept in ("diffusion model", "Large Language Model"))


def test_used_methods_are_not_proposed(extractor: Extractor) -> None:
    e = extract(extractor, "We fine-tune BERT with Adam on GLUE.")
    assert e.mentions and not any(m.proposed for m in e.mentions)


# ------------------------------------------------------------------------------------------------------ patterns


def test_experiments_on_a_list_make_datasets(extractor: Extractor) -> None:
    e = extract(extractor, "Extensive experiments on FooBench, QuxSet-7 and ZedCorpus demonstrate the gains.")
    assert typed(e, "dataset") == ["FooBench", "QuxSet-7", "ZedCorpus"]


def test_outperforms_and_compared_with_make_methods(extractor: Extractor) -> None:
    e = extract(extractor, "Our model outperforms FooNet and BarFormer-XL, and compared with BazGPT it is faster.")
    assert typed(e, "method") == ["FooNet", "BarFormer-XL", "BazGPT"]
    assert all(m.source.startswith("patterns/") for m in e.mentions)


def test_an_unknown_coined_name_is_a_low_confidence_method(extractor: Extractor) -> None:
    e = extract(extractor, "The QuokkaNet layer is simple.")
    quokka = mention(e, "QuokkaNet")
    assert (quokka.type, quokka.source) == ("method", "patterns/coined")
    assert quokka.confidence < 0.5


# ------------------------------------------------------------------------------------------------------ hardware


@pytest.mark.parametrize(
    ("text", "mention_text", "label_part", "count", "vendor"),
    [
        ("We train on 8 GPUs.", "GPUs", "GPU", 8, None),
        ("We use 2,240 NVIDIA A100 GPUs.", "NVIDIA A100 GPUs", "A100", 2240, "NVIDIA"),
        ("It runs on an NVIDIA RTX 4090.", "NVIDIA RTX 4090", "RTX 4090", None, "NVIDIA"),
        ("Latency on a Jetson Nano board.", "Jetson Nano", "Jetson Nano", None, "NVIDIA"),
        ("On Snapdragon 835 our networks win.", "Snapdragon 835", "Snapdragon 835", None, "Qualcomm"),
        ("Deployed on a Raspberry Pi.", "Raspberry Pi", "Raspberry Pi", None, None),
        ("Trained on TPU v4 pods.", "TPU v4", "TPU", None, "Google"),
        ("Runs on edge devices and mobile phones.", "edge devices", "edge device", None, None),
        ("An FPGA beats an ASIC here.", "FPGA", "FPGA", None, None),
        ("Implemented in neuromorphic hardware.", "neuromorphic hardware", "neuromorphic", None, None),
        ("Built with analogue resistive memory.", "resistive memory", "resistive memory", None, None),
        ("Eight RTX 3090 GPUs suffice.", "RTX 3090 GPUs", "RTX 3090", 8, "NVIDIA"),
    ],
)
def test_hardware_with_counts_and_vendors(
    extractor: Extractor, text: str, mention_text: str, label_part: str, count: int | None, vendor: str | None
) -> None:
    e = extract(extractor, text)
    found = mention(e, mention_text)
    assert found.type == "hardware"
    assert label_part.lower() in found.concept.lower()
    assert found.count == count
    if vendor is not None:
        assert found.vendor == vendor


def test_hardware_is_never_a_substring(extractor: Extractor) -> None:
    e = extract(extractor, "The output and throughput of GPUless CPUfreq inputs; a TPUish outputs.")
    assert typed(e, "hardware") == []


# ----------------------------------------------------------------------------------------------- metrics, results


def test_metrics_are_found(extractor: Extractor) -> None:
    e = extract(extractor, "We report FID, top-1 accuracy, perplexity, BLEU, mIoU, speedup, latency and throughput.")
    assert typed(e, "metric") == [
        "FID", "top-1 accuracy", "perplexity", "BLEU", "mIoU", "speedup", "latency", "throughput"
    ]  # fmt: skip


def test_a_stated_number_becomes_a_result_with_its_dataset(extractor: Extractor) -> None:
    e = extract(extractor, "Our model achieves 3.5% higher accuracy than end-to-end training on ImageNet.")
    (result,) = e.results
    assert (result.metric, result.value, result.unit, result.dataset) == ("accuracy", "3.5", "%", "ImageNet")
    assert result.sentence.startswith("Our model achieves")


def test_reduces_memory_by_up_to_half(extractor: Extractor) -> None:
    e = extract(extractor, "Mesa reduces memory by up to 50% during training.")
    (result,) = e.results
    assert (result.value, result.unit, result.dataset) == ("50", "%", None)
    assert "memory" in result.metric


def test_each_number_goes_to_its_own_metric(extractor: Extractor) -> None:
    e = extract(extractor, "It reaches 62.5% top-1 accuracy on ImageNet and an FID of 2.1, with a 1.6x speedup.")
    values = {(r.value, r.unit): r.metric for r in e.results}
    assert values[("62.5", "%")] == "top-1 accuracy"
    assert "Inception" in values[("2.1", None)] or values[("2.1", None)] == "FID"
    assert values[("1.6", "x")] == "speedup"


def test_numbers_without_a_metric_are_not_results(extractor: Extractor) -> None:
    e = extract(extractor, "We train a 7B model for 3 days on 8 GPUs in 2023.")
    assert e.results == ()


# ---------------------------------------------------------------------------------------------------------- tasks


def test_tasks_are_found(extractor: Extractor) -> None:
    e = extract(extractor, "We study image classification, semantic segmentation and text-to-image generation.")
    assert typed(e, "task") == ["image classification", "semantic segmentation", "text-to-image generation"]


def test_head_nouns_type_unknown_phrases(extractor: Extractor) -> None:
    e = extract(extractor, "A statistical machine translation system improves zebra pose recognition.")
    assert ("statistical machine translation system", "method") in {(m.text, m.type) for m in e.mentions}
    assert ("zebra pose recognition", "task") in {(m.text, m.type) for m in e.mentions}


# ------------------------------------------------------------------------------------------------ canonicalisation


def test_plural_acronym_case_and_hyphen_variants_are_one_concept(extractor: Extractor) -> None:
    e = extract(
        extractor,
        "Large language models (LLMs) are popular. An LLM is a large language model. "
        "Our Mixture-of-Experts layer and mixture of experts layers.",
    )
    llm = {m.concept for m in e.mentions if "anguage" in m.text or m.text.startswith("LLM")}
    assert len(llm) == 1
    assert len([c for c in e.concepts if c.label == next(iter(llm))]) == 1


def test_labels_of_unknown_concepts_are_normal_forms() -> None:
    assert normal_label("Low-Rank Adaptations") == normal_label("low rank adaptation") == "low rank adaptation"
    assert normal_label("Mixtures of Experts") == "mixture of experts"
    assert normal_label("ResNet-50 models") == "ResNet-50 model"
    assert normal_label("LLMs") == "LLM"
    assert [singular(w) for w in ("analysis", "corpus", "strategies", "GPUs", "K-means")] == [
        "analysis", "corpus", "strategy", "GPU", "K-means"
    ]  # fmt: skip


def test_the_same_concept_gets_the_same_label_in_two_papers(extractor: Extractor) -> None:
    first = extract(extractor, "We propose the Zebra Attention Network for pose estimation.")
    second = extract(extractor, "Zebra attention networks are slow at pose estimation.")
    assert {c.label for c in first.concepts} == {c.label for c in second.concepts}


def test_generic_phrases_are_not_concepts(extractor: Extractor) -> None:
    e = extract(extractor, "Our method beats the baselines and other neural networks in deep learning.")
    assert e.mentions == ()


# --------------------------------------------------------------------------------------------------- every mention


def test_every_mention_carries_its_evidence(extractor: Extractor) -> None:
    title = "Mesa: A Memory-saving Training Framework for Transformers"
    abstract = "We present Mesa, a memory-saving framework. Experiments on ImageNet use 8 GPUs and report accuracy."
    e = extract(extractor, abstract, title=title)
    assert {m.type for m in e.mentions} <= set(CONCEPT_TYPES)
    for m in e.mentions:
        field = title if m.field == "title" else abstract
        assert field[m.start : m.end] == m.text
        assert m.text in m.sentence and (m.field == "title") == (m.sentence == title)
        assert 0.0 < m.confidence <= 1.0
        component, _, rule = m.source.partition("/")
        assert component and rule
