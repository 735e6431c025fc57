"""Sentence ranges and the evidence text a mention carries."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from kg.nlp.sentences import _ABBREVIATIONS, MAX_EVIDENCE, Sentences


class Span(NamedTuple):
    start: int
    end: int


def test_sentences_split_at_punctuation_but_not_at_abbreviations() -> None:
    text = "We use e.g. LoRA. It helps! Results follow."
    found = Sentences.of(text)
    assert [text[start:end] for start, end in found.spans] == ["We use e.g. LoRA.", "It helps!", "Results follow."]


@pytest.mark.parametrize("word", _ABBREVIATIONS)
def test_no_boundary_follows_an_abbreviation_but_one_follows_an_ordinary_word(word: str) -> None:
    assert len(Sentences.of(f"As in {word}. Then more.").spans) == 1
    assert len(Sentences.of(f"As in x{word}. Then more.").spans) == 2


def test_evidence_texts_are_the_sentences_around_each_span_shared_per_sentence() -> None:
    text = "First sentence here. Second one with LoRA and BERT."
    found = Sentences.of(text)
    first, second, third = found.evidence_texts([Span(0, 5), Span(37, 41), Span(46, 50)])
    assert first == "First sentence here."
    assert second == third == "Second one with LoRA and BERT." and second is third


def test_evidence_texts_window_a_sentence_longer_than_the_limit_as_evidence_does() -> None:
    text = " ".join(f"word{i}" for i in range(400))
    found = Sentences.of(text)
    spans = [Span(10, 15), Span(2000, 2007)]
    assert found.evidence_texts(spans) == [text[slice(*found.evidence(s.start, s.end))] for s in spans]
    assert all(len(evidence) <= MAX_EVIDENCE for evidence in found.evidence_texts(spans))


def test_evidence_texts_of_an_empty_text_are_empty() -> None:
    assert Sentences.of("").evidence_texts([Span(0, 0)]) == [""]
