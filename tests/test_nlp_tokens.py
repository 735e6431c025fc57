"""The shared token view (`kg.nlp.tokens`, built by the kg_tokens component) and the word classes and helpers the
head-phrase rule reads from it."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from kg.nlp import Extractor
from kg.nlp.candidates import Candidate
from kg.nlp.lexical import use_word_classes, word_classifier
from kg.nlp.phrases import Head, HeadPhrases, _earlier, _longest_head, _no_modifiers
from kg.nlp.tokens import HEAD_KIND_MASK, HEAD_KIND_SHIFT, TokenView, WordClass, add_word_bits, token_view


@pytest.fixture(scope="module")
def nlp() -> Language:
    return Extractor().nlp


def view_of(nlp: Language, text: str) -> TokenView:
    doc = nlp.make_doc(text)
    nlp.get_pipe("kg_tokens")(doc)
    return token_view(doc)


def test_the_view_gives_each_tokens_offsets_and_classes_as_ints(nlp: Language) -> None:
    text = "We train a BERT-based model on ImageNet."
    view = view_of(nlp, text)
    doc = nlp.make_doc(text)
    assert [view.starts[i] for i in range(len(view))] == [token.idx for token in doc]
    assert [view.word(i) for i in range(len(view))] == [token.text for token in doc]
    assert all(type(view.classes[i]) is int for i in range(len(view)))
    assert view.index_at(text.index("model")) == 6 and view.index_at(1) is None
    assert view.having(WordClass.HEAD) == [6]
    assert view.having(WordClass.HYPHEN) == [4] and view.is_inner_hyphen(4)


def test_word_classes_tell_names_from_sentence_starts() -> None:
    classify = word_classifier(frozenset())

    def has(word: str, word_class: WordClass) -> bool:
        return bool(classify(word) & word_class)

    assert has("Penn", WordClass.NAME_PART) and has("BERT", WordClass.NAME_PART) and has("3D", WordClass.NAME_PART)
    assert not has("The", WordClass.NAME_PART) and not has("model", WordClass.NAME_PART)
    assert has("Penn", WordClass.TITLE) and not has("BERT", WordClass.TITLE)
    assert has("BERT", WordClass.UPPER) and not has("LoRA", WordClass.UPPER)
    assert all(has(word, WordClass.SENTENCE_BREAK) for word in (".", "?", ":", "\n\n"))
    assert not has(",", WordClass.SENTENCE_BREAK)
    assert has("Chinese", WordClass.LANGUAGE) and not has("Penn", WordClass.LANGUAGE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the model", True),  # a function word is no modifier
        ("model", True),  # nothing before the head
        ("neural model", False),
        ("few-shot model", False),  # the end of a compound
        ("X - model", False),  # a spaced hyphen is walked over, then dropped by the walk
    ],
)
def test_no_modifiers_tells_whether_the_walk_stops_at_once(nlp: Language, text: str, expected: bool) -> None:
    view = view_of(nlp, text)
    assert _no_modifiers(view.classes, view.hyphens, len(view) - 1) is expected


def test_the_longest_head_ending_in_a_word_wins(nlp: Language) -> None:
    phrases = nlp.get_pipe("kg_phrases")
    assert isinstance(phrases, HeadPhrases)
    view = view_of(nlp, "a low word error rate")
    assert _longest_head(view, 4, phrases.by_last["rate"]) == (Head(("word", "error"), "metric"), 2)
    view = view_of(nlp, "the learning rate")
    assert _longest_head(view, 2, phrases.by_last["rate"]) == (Head((), "metric"), 2)


def test_earlier_candidates_are_read_in_one_pass(nlp: Language) -> None:
    view = view_of(nlp, "sparse convolution on Penn Treebank")
    method = Candidate(0, 18, "method", "gazetteer/folded", 0.9)
    dataset = Candidate(22, 35, "dataset", "gazetteer/folded", 0.9)
    coined = Candidate(0, 6, "method", "patterns/coined", 0.4)
    named, spans, known = _earlier([method, dataset, coined], view.starts, frozenset({"method"}))
    assert named == {3, 4}
    assert spans == {(0, 18, "method"), (22, 35, "dataset"), (0, 6, "method")}
    assert known == [method]


def test_one_word_heads_are_read_from_the_word_class(nlp: Language) -> None:
    phrases = nlp.get_pipe("kg_phrases")
    assert isinstance(phrases, HeadPhrases)
    view = view_of(nlp, "a neural Network and a word error rate")

    def head_of(index: int) -> Head | None:
        number = view.classes[index] >> HEAD_KIND_SHIFT & HEAD_KIND_MASK
        return phrases.one_word_heads[number] if number else None

    assert head_of(2) == Head((), "method")  # any casing of the word
    assert head_of(1) is None  # no head
    assert head_of(7) is None  # "rate" also ends "word error rate": looked up with the words before it


def test_added_word_bits_reach_present_and_future_words() -> None:
    vocab = spacy.blank("en").vocab
    use_word_classes(vocab, word_classifier(frozenset()))
    vocab["present"]  # creates the lexeme
    add_word_bits(vocab, lambda word: 1 << 28 if word.startswith("pre") else 0)
    assert vocab["present"].shape & 1 << 28
    assert vocab["prefuture"].shape & 1 << 28
    assert not vocab["future"].shape & 1 << 28
    assert vocab["future"].shape & WordClass.LOWER  # the classes from before stay
