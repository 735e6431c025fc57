"""The helpers behind abbreviation occurrences, the object of "we propose" and the resolver, on hand-made
candidates: each must give what the plain definition gives, however it gets there."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from kg.nlp.candidates import CANDIDATES, MENTIONS, TEXT, Candidate
from kg.nlp.lexical import pipeline_lexicon
from kg.nlp.pipeline import build_nlp
from kg.nlp.proposal import _heads
from kg.nlp.resolver import Resolver, _merged
from kg.nlp.text import word_occurrences, word_spans


def test_a_word_occurs_only_as_a_whole_word() -> None:
    text = "LoRA and LoRA-based tuning beat QLoRA, LoRAs and LoRA-FA; (LoRA)"
    assert word_occurrences(text, "LoRA") == [0, 9, 59]


def test_a_singular_and_its_plural_are_found_in_one_scan_as_each_alone() -> None:
    text = "LLMs and an LLM; LLMs-based, xLLM, LLM_s and LLM-7B; LLMsx"
    forms = ("LLM", "LLMs")
    expected = sorted((start, start + len(form)) for form in forms for start in word_occurrences(text, form))
    assert sorted(word_spans(text, forms)) == expected
    assert expected == [(0, 4), (12, 15), (17, 21)]


def test_forms_that_do_not_share_a_beginning_are_scanned_one_by_one() -> None:
    text = "one query, two queries"
    assert word_spans(text, ("queries", "query")) == [(15, 22), (4, 9)]


def candidate(start: int, end: int, kind: str, source: str, confidence: float = 0.9, **fields: object) -> Candidate:
    return Candidate(start, end, kind, source, confidence, **fields)  # type: ignore[arg-type]


def test_the_heads_of_a_clause_are_new_methods_and_datasets_inside_it() -> None:
    found = [
        candidate(10, 25, "method", "phrases/head"),  # known: the gazetteer has the same span
        candidate(10, 25, "task", "gazetteer/label"),
        candidate(30, 40, "dataset", "patterns/data"),
        candidate(30, 40, "method", "proposal/title", proposed=True),  # already proposed
        candidate(32, 40, "metric", "gazetteer/label"),  # not a method or dataset
        candidate(35, 60, "method", "phrases/head"),  # ends past the clause
        candidate(5, 12, "method", "phrases/head"),  # starts before it
    ]
    assert _heads(found, 10, 50) == [found[2]]


def test_a_merge_that_adds_nothing_keeps_the_chosen_candidate() -> None:
    chosen = candidate(0, 4, "method", "gazetteer/label", label="LoRA")
    same = [chosen, candidate(0, 4, "method", "phrases/head")]
    assert _merged(same) is chosen


def test_a_merge_completes_the_chosen_candidate_with_what_the_others_know() -> None:
    chosen = candidate(0, 4, "method", "gazetteer/label")
    others = [
        candidate(0, 4, "method", "proposal/we-propose", proposed=True),
        candidate(0, 4, "method", "x", label="L"),
    ]
    assert _merged([chosen, *others]) == candidate(0, 4, "method", "gazetteer/label", label="L", proposed=True)


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(pipeline_lexicon(build_nlp()), guess_below=0.5, min_confidence=0.1)


def resolve(resolver: Resolver, text: str, found: list[Candidate]) -> tuple[Candidate, ...]:
    doc = Doc(spacy.blank("en").vocab, words=text.split())
    doc.user_data[TEXT] = text
    doc.user_data[CANDIDATES] = found
    mentions: tuple[Candidate, ...] = resolver(doc).user_data[MENTIONS]
    return mentions


def test_a_generic_phrase_never_blocks_a_concept(resolver: Resolver) -> None:
    text = "our method LoRA-style adapters"
    generic = candidate(0, 10, "method", "phrases/head", 0.95)  # "our method", the longest
    real = candidate(4, 15, "method", "phrases/head", 0.6)
    assert resolve(resolver, text, [generic, real]) == (real,)


def test_candidates_blocked_on_the_chosen_span_pass_on_their_label(resolver: Resolver) -> None:
    text = "we tune Low-Rank Adaptation here"
    longest = candidate(8, 27, "method", "abbreviations/long", 0.95)
    labelled = candidate(8, 27, "method", "gazetteer/label", 0.9, label="low rank adaptation")
    inner = candidate(17, 27, "method", "phrases/head", 0.9)
    (mention,) = resolve(resolver, text, [inner, labelled, longest])
    assert mention == candidate(8, 27, "method", "abbreviations/long", 0.95, label="low rank adaptation")


def test_candidates_below_the_floor_are_never_mentions(resolver: Resolver) -> None:
    text = "we tune Adapters here"
    assert resolve(resolver, text, [candidate(8, 16, "method", "patterns/coined", 0.05)]) == ()


def test_a_dataset_mention_takes_its_version_or_its_name_as_label(resolver: Resolver) -> None:
    text = "results on Europarl corpus and COCO 2017 are"
    corpus, coco = resolve(
        resolver, text, [candidate(11, 26, "dataset", "phrases/head"), candidate(31, 35, "dataset", "x")]
    )
    assert (corpus.start, corpus.end, corpus.label) == (11, 26, "europarl")
    assert (coco.start, coco.end, coco.label) == (31, 40, None)


def test_a_guess_only_fills_a_gap_however_long(resolver: Resolver) -> None:
    text = "we tune the Foo Bar Baz model and Qux"
    guess = candidate(12, 29, "method", "patterns/coined", 0.3)  # "Foo Bar Baz model"
    typed = candidate(16, 19, "method", "gazetteer/label", 0.9)  # "Bar"
    gap = candidate(34, 37, "method", "patterns/coined", 0.3)  # "Qux"
    assert resolve(resolver, text, [guess, typed, gap]) == (typed, gap)
