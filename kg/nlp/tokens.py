"""A cheap, shared view of a Doc's tokens: character offsets, word classes, and the hyphenated compounds.

Token objects cost a Python allocation per access and `Doc.to_array` about 20 ns per token and column, so the
`kg_tokens` component (`kg.nlp.lexical`) fetches two columns once per doc and every other component reads this
view: the offsets and the bits of `WordClass` per token.  They stay numpy columns, read through memoryviews, which
make a Python int only for the tokens a rule looks at (a few dozen of some 250): converting whole columns with
`tolist()` cost more than all the reads together.  The bits are of two kinds: cues, telling each component where
its rules can start (listed per class, so that no component scans the whole text), and word properties that the
rules test on the tokens around a cue (a possible modifier, a hyphen, a capital), so that they test a bit rather
than slice and lower-case the word each time.  A component can store its own per-word facts the same way
(`add_word_bits`).  The word's length rides in the same column (above `LENGTH_SHIFT`), so the end offsets come
without a third one.

spaCy splits a hyphenated compound into word, "-", word; a gazetteer term or a phrase must not be cut out of the
middle of one (the "memory" of "memory-saving" is not the memory metric), unless the other half is a suffix-like
word ("Transformer-based", "hardware-aware"), which still names its first half.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntFlag

import numpy as np
from spacy.attrs import SHAPE
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.nlp.text import word_set

TOKENS = "kg.tokens"  # TokenView of the doc, set by the kg_tokens component


class WordClass(IntFlag):
    """What a word type is; one bit each, stored per lexeme by `kg.nlp.lexical` (a function of the word alone)."""

    # Cues: where a rule can start; `TokenView.having` lists the tokens of each.
    HARDWARE = 1  # the first word of a hardware name ("A100", "Jetson", "edge")
    HEAD = 2  # the last word of a lexicon head ("recognition", "model")
    CONTEXT_CUE = 4  # the first word of a context rule ("outperforms", "experiments")
    COINED = 8  # a coined name or acronym ("CFSP", "LoRA"); also read as a word property
    WE_CUE = 16  # "we", "this", "our": the start of "we propose X"
    NAMED_CUE = 32  # "named", "dubbed", "termed"
    EXACT_LABEL = 64  # the first word of a case-sensitive vocabulary label ("SAM"); set by the gazetteer
    HYPHEN = 128  # "-": listed too, to find the inner hyphens of compounds; also read as a word property
    LONG = 256  # LONG_WORD characters or more: maybe blanks the extractor put over an overlong chunk of the text
    # Word properties, read per token from `TokenView.classes`.
    MODIFIER = 1 << 10  # can sit in a concept phrase before its head (`kg.nlp.text.modifier`)
    COMPOUND_PART = 1 << 11  # can be part of a hyphenated compound (`kg.nlp.text.compound_part`)
    MARKED = 1 << 12  # has a capital or a digit (`kg.nlp.text.marked`)
    GERUND = 1 << 13  # ends in "ing"
    PREPOSITION = 1 << 14  # a preposition a gerund can follow ("for", "by", "of")
    LOWER = 1 << 15  # `str.islower()`
    HYPHEN_SUFFIX = 1 << 16  # one of HYPHEN_SUFFIXES
    DATA_NAME = 1 << 17  # ends like the name of data ("PropBank", "TriviaQA"; `kg.nlp.patterns`)
    ALNUM_FIRST = 1 << 18  # its first character is a letter or digit
    ALNUM_LAST = 1 << 19  # its last character is a letter or digit
    NAME_PART = 1 << 20  # not lower-case, starts with a letter or digit, not a function word: maybe part of a name
    TITLE = 1 << 21  # `str.istitle()`
    UPPER = 1 << 22  # `str.isupper()`
    SENTENCE_BREAK = 1 << 23  # whitespace or ".", "!", "?", ":": a capital after it may only start a sentence
    LANGUAGE = 1 << 24  # a language name (`kg.nlp.text.LANGUAGES`), capitalised without naming anything


CUES = (
    WordClass.HARDWARE
    | WordClass.HEAD
    | WordClass.CONTEXT_CUE
    | WordClass.COINED
    | WordClass.WE_CUE
    | WordClass.NAMED_CUE
    | WordClass.EXACT_LABEL
    | WordClass.HYPHEN
    | WordClass.LONG
)
LENGTH_SHIFT = 32  # a lexeme's SHAPE is its WordClass bits plus its length shifted left by this
# Bits 25-27 hold a number kg_phrases stores per word (`add_word_bits`): which one-word head the word is, for a word
# that ends no longer head (0: any other word).
HEAD_KIND_SHIFT = 25
HEAD_KIND_MASK = 7
LONG_WORD = 100  # tokens at least this long are LONG: far beyond any word the tokenizer keeps whole
# Plain ints: an IntFlag operand makes `int & flag` a call into the enum module (about 1 us).
_CUES = int(CUES)
_CLASS_MASK = (1 << LENGTH_SHIFT) - 1
_LONG = int(WordClass.LONG)
_HYPHEN = int(WordClass.HYPHEN)
_LOWER = int(WordClass.LOWER)
_HYPHEN_SUFFIX = int(WordClass.HYPHEN_SUFFIX)
_ALNUM_FIRST = int(WordClass.ALNUM_FIRST)
_ALNUM_LAST = int(WordClass.ALNUM_LAST)
_CUE_BITS: tuple[int, ...] = tuple(int(c) for c in WordClass if c & CUES)
# The cue classes of each combination of cue bits: a token is appended to its classes' lists in one lookup.
_CLASSES_OF: tuple[tuple[int, ...], ...] = tuple(tuple(c for c in _CUE_BITS if bits & c) for bits in range(_CUES + 1))

# Second halves of hyphenated modifiers that are verbs or adjectives on their own ("Transformer-based").
HYPHEN_SUFFIXES: frozenset[str] = word_set(
    "based aware free driven guided specific level wise style like oriented agnostic conditioned augmented "
    "efficient friendly constrained dependent independent invariant supervised scale grained"
)


@dataclass(frozen=True, slots=True)
class TokenView:
    """Token i spans text[starts[i]:ends[i]] and has the WordClass bits classes[i], those of that text even where
    the doc's token was blanked (memoryviews over int columns: indexing gives an int, `bisect` works on starts);
    `classed` lists the tokens of each cue class (by their lexemes), `hyphens` the tokens that are inner hyphens of
    compounds."""

    text: str
    starts: memoryview
    ends: memoryview
    classes: memoryview
    classed: dict[int, list[int]]
    hyphens: frozenset[int]

    @classmethod
    def of(cls, text: str, starts: np.ndarray, shapes: np.ndarray, classify: Callable[[str], int]) -> TokenView:
        """The view of tokens at `starts` whose lexeme SHAPEs (length and WordClass bits) are `shapes`.

        `classify` gives the bits of a word: a LONG token's text may differ from its lexeme (the extractor blanks
        overlong chunks before tokenizing), so its bits are read from the text itself.
        """
        start_view = starts.data
        end_view = (starts + (shapes >> LENGTH_SHIFT)).data
        classes = (shapes & _CLASS_MASK).data
        classed: dict[int, list[int]] = {c: [] for c in _CUE_BITS}
        classes_of = _CLASSES_OF
        cues = shapes & _CUES
        cued = np.flatnonzero(cues)
        for index, bits in zip(cued.tolist(), cues[cued].tolist(), strict=True):
            for word_class in classes_of[bits]:
                classed[word_class].append(index)
        for index in classed[_LONG]:
            word = text[start_view[index] : end_view[index]]
            classes[index] = classify(word) & _CLASS_MASK
        hyphens = _inner_hyphens(start_view, end_view, classes, classed[_HYPHEN])
        return cls(text, start_view, end_view, classes, classed, hyphens)

    def __len__(self) -> int:
        return len(self.starts)

    def having(self, word_class: int) -> list[int]:
        """Indices of the tokens whose word has the cue class `word_class`."""
        return self.classed[int(word_class)]

    def word(self, index: int) -> str:
        return self.text[self.starts[index] : self.ends[index]]

    def spaced_after(self, index: int) -> bool:
        """Whether whitespace follows token `index` (the last token counts as followed by space)."""
        return index + 1 >= len(self.starts) or self.starts[index + 1] > self.ends[index]

    def index_at(self, offset: int) -> int | None:
        """The token starting exactly at character `offset`, if any."""
        index = bisect.bisect_left(self.starts, offset)
        return index if index < len(self.starts) and self.starts[index] == offset else None

    def is_inner_hyphen(self, index: int) -> bool:
        return index in self.hyphens

    def inside_compound(self, start: int, end: int) -> bool:
        """Whether tokens [start, end) are glued by a hyphen to an ordinary lower-case word before or after them."""
        hyphens = self.hyphens
        if not hyphens:
            return False
        if start > 1 and start - 1 in hyphens and self.classes[start - 2] & _LOWER:
            return True
        if end < len(self.starts) - 1 and end in hyphens:
            after = self.classes[end + 1]
            return bool(after & _LOWER) and not after & _HYPHEN_SUFFIX
        return False


def _inner_hyphens(starts: memoryview, ends: memoryview, classes: memoryview, dashes: list[int]) -> frozenset[int]:
    """Of the "-" tokens `dashes`, those joining two words: glued to both ("memory-saving"), or spaced on both
    sides as tokenized text writes it ("few - shot"), but not a dash after a word ("X - a method")."""
    found = set()
    last = len(starts) - 1
    for index in dashes:
        if 0 < index < last:
            position = starts[index]
            glued_before = ends[index - 1] == position
            glued_after = starts[index + 1] == position + 1
            if glued_before == glued_after and classes[index - 1] & _ALNUM_LAST and classes[index + 1] & _ALNUM_FIRST:
                found.add(index)
    return frozenset(found)


def add_word_class(vocab: Vocab, word_class: WordClass, words: frozenset[str]) -> None:
    """Add `word_class` to the SHAPE of `words`, present and future lexemes (after `use_word_classes`): for a
    component whose cue words come from its own data."""
    bit = int(word_class)
    add_word_bits(vocab, lambda word: bit if word in words else 0)
    for word in words:
        vocab[word]  # creates the lexeme, with its bits


def add_word_bits(vocab: Vocab, bits_of: Callable[[str], int]) -> None:
    """Add `bits_of(word)` to the SHAPE of every lexeme, present and future (after `use_word_classes`)."""
    getters = vocab.lex_attr_getters  # type: ignore[attr-defined]  # missing from spaCy's stubs
    classify: Callable[[str], int] = getters[SHAPE]

    def extended(word: str) -> int:
        return classify(word) | bits_of(word)

    getters[SHAPE] = extended
    for lexeme in vocab:
        bits = bits_of(lexeme.orth_)
        if bits:
            lexeme.shape = lexeme.shape | bits


def token_view(doc: Doc) -> TokenView:
    """The doc's TokenView, as the kg_tokens component stored it."""
    view: TokenView = doc.user_data[TOKENS]
    return view
