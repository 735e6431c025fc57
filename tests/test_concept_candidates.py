"""Concept candidates: one per concept of a paper, whatever proposed it and however often it is written."""

from __future__ import annotations

from kg.nlp.candidates import make_candidate
from kg.nlp.concepts import concept_candidates


def keep_all(phrase: object) -> bool:
    return True


def test_occurrences_written_differently_are_one_candidate() -> None:
    text = "LLMs reason\n\nWe study how an LLM plans."
    found = {candidate.key: candidate for candidate in concept_candidates(text, [], keep_all)}
    assert sorted(found["llm"].spans) == [(0, 4), (29, 32)]


def test_an_abbreviation_pair_merges_the_short_form_into_the_long_form() -> None:
    text = "We use Group Relative Policy Optimization (GRPO). GRPO is stable."
    found = {candidate.key: candidate for candidate in concept_candidates(text, [], keep_all)}
    merged = found["grouprelativepolicyoptimization"]
    assert merged.long_form == "Group Relative Policy Optimization"
    assert "grpo" in merged.short_keys and "grpo" not in found
    assert {text[start:end] for start, end in merged.spans} >= {"GRPO", "Group Relative Policy Optimization"}


def test_rule_candidates_are_kept_as_evidence_even_when_no_phrase_is() -> None:
    text = "Trained on 8 A100 GPUs."
    rule = make_candidate(11, 22, "hardware", "hardware/vocabulary", 0.9)
    found = {candidate.key: candidate for candidate in concept_candidates(text, [rule], lambda phrase: False)}
    assert found["8a100gpu"].rules == [rule]
    assert list(found) == ["8a100gpu"]
