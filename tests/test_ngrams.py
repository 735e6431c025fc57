"""Word n-grams, the learned extractor's high-recall candidates, and the scorer's normal form of names."""

from __future__ import annotations

from kg.evaluation.concepts import normalize
from kg.nlp.ngrams import MAX_WORDS, concept_key, phrases


def texts(text: str) -> list[str]:
    return [text[phrase.start : phrase.end] for phrase in phrases(text)]


def test_phrases_never_run_across_closed_class_words_or_punctuation() -> None:
    found = texts("We fine-tune large language models on GSM8K, and report accuracy.")
    assert "large language models" in found
    assert "fine-tune large language models" in found
    assert "GSM8K" in found
    assert not [phrase for phrase in found if " on " in f" {phrase} " or "," in phrase or "We" in phrase.split()]
    assert "GSM8K and report" not in found


def test_phrases_are_at_most_max_words_long_and_stay_within_a_field() -> None:
    found = texts("alpha beta gamma delta epsilon zeta\n\nTitle Words")
    assert max(len(phrase.split()) for phrase in found) == MAX_WORDS
    assert not [phrase for phrase in found if "\n" in phrase]


def test_the_concept_key_is_the_reference_scorers_normal_form() -> None:
    for name in ("LLMs", "Low-Rank Adaptation", "loss", "GPT-4o", "Text-to-Video Generation", "bias", "A100s", "it's"):
        assert concept_key(name) == normalize(name)
    assert concept_key("Large Language Models") == concept_key("large language model")
