"""Canonicalisation of one paper's mentions: grouping, labels, aliases, proposal flags and concept order."""

from __future__ import annotations

from kg.nlp.candidates import Candidate
from kg.nlp.canon import canonicalise, reading
from kg.records import Concept


def mention(
    kind: str, surface: str, label: str | None = None, confidence: float = 0.5, proposed: bool = False
) -> tuple[Candidate, str]:
    return Candidate(0, len(surface), kind, "test/rule", confidence, label, proposed), surface


def test_a_single_mention_is_its_own_concept_with_its_normal_label() -> None:
    canonical = canonicalise([mention("task", "Image Classification")])
    assert canonical.labels == ("image classification",)
    assert canonical.concepts == (Concept("task", "image classification", ("Image Classification",)),)
    assert canonical.proposed == (False,)


def test_a_mention_written_as_its_label_has_no_alias() -> None:
    assert canonicalise([mention("method", "LoRA", "LoRA")]).concepts == (Concept("method", "LoRA", ()),)


def test_mentions_whose_labels_fold_together_are_one_concept_labelled_by_the_most_confident_known_label() -> None:
    canonical = canonicalise(
        [
            mention("dataset", "cifar 10", "CIFAR-10", confidence=0.6),
            mention("dataset", "CIFAR10", "CIFAR10", confidence=0.9),
            mention("dataset", "CIFAR-10"),
        ]
    )
    assert canonical.labels == ("CIFAR10", "CIFAR10", "CIFAR10")
    assert canonical.concepts == (Concept("dataset", "CIFAR10", ("cifar 10", "CIFAR-10")),)


def test_repeated_identical_mentions_give_one_concept() -> None:
    canonical = canonicalise([mention("method", "Transformers")] * 3)
    assert canonical.labels == ("transformer",) * 3
    assert canonical.concepts == (Concept("method", "transformer", ("Transformers",)),)


def test_without_a_known_label_the_smallest_normal_form_is_the_label() -> None:
    canonical = canonicalise([mention("task", "Language Models"), mention("task", "language model")])
    assert canonical.labels == ("language model", "language model")
    assert canonical.concepts == (Concept("task", "language model", ("Language Models",)),)


def test_aliases_sort_case_insensitively_then_by_form() -> None:
    canonical = canonicalise(
        [mention("method", form, "x y") for form in ("X-y", "x-Y", "X Y", "x y", "x_y")],
    )
    assert canonical.concepts == (Concept("method", "x y", ("X Y", "X-y", "x-Y", "x_y")),)


def test_abbreviation_pair_forms_become_aliases_of_a_concept_mentioned_in_the_paper() -> None:
    pairs = [
        ("method", "low rank adaptation", ("Low-Rank Adaptation", "LoRA")),
        ("method", "unmentioned", ("Unmentioned", "U")),
    ]
    canonical = canonicalise([mention("method", "LoRA", "low rank adaptation")], pairs)
    assert canonical.concepts == (Concept("method", "low rank adaptation", ("LoRA", "Low-Rank Adaptation")),)


def test_a_concept_is_proposed_when_any_of_its_mentions_is() -> None:
    canonical = canonicalise(
        [
            mention("method", "FooNet", "FooNet"),
            mention("method", "FooNet", "FooNet", proposed=True),
            mention("task", "parsing"),
        ]
    )
    assert canonical.proposed == (True, True, False)


def test_concepts_sort_by_type_then_label() -> None:
    canonical = canonicalise(
        [
            mention("task", "b task"),
            mention("method", "Zeta", "Zeta"),
            mention("method", "Alpha", "Alpha"),
            mention("dataset", "Data", "Data"),
        ]
    )
    assert [(c.type, c.label) for c in canonical.concepts] == [
        ("method", "Alpha"),
        ("method", "Zeta"),
        ("dataset", "Data"),
        ("task", "b task"),
    ]


def test_reading_is_memoised_per_type_label_and_surface() -> None:
    assert reading("method", None, "LoRA") is reading("method", None, "LoRA")
    assert reading("method", "LoRA", "lora").concept == Concept("method", "LoRA", ("lora",))
