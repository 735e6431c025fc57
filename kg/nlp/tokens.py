"""A cheap, shared view of a Doc's tokens: character offsets, word classes, and the hyphenated compounds.

Token objects cost a Python allocation per access and `Doc.to_array` about 50 ns per token and column, so the
`kg_tokens` component (`kg.nlp.lexical`) fetches three columns once per doc and every other component reads this
view: plain lists of offsets, and a bit set of word classes per token (`WordClass`) telling each component where
its rules can start, so that no component scans the whole text.

spaCy splits a hyphenated compound into word, "-", word; a gazetteer term or a phrase must not be cut out of the
middle of one (the "memory" of "memory-saving" is not the memory metric), unless the other half is a suffix-like
word ("Transformer-based", "hardware-aware"), which still names its first half.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from enum import IntFlag

import numpy as np
from spacy.tokens import Doc

from kg.nlp.text import word_set

TOKENS = "kg.tokens"  # TokenView of the doc, set by the kg_tokens component


class WordClass(IntFlag):
    """What a word type can start; one bit each, stored per lexeme by `kg.nlp.lexical`."""

    HARDWARE = 1  # the first word of a hardware name ("A100", "Jetson", "edge")
    HEAD = 2  # the last word of a lexicon head ("recognition", "model")
    CONTEXT_CUE = 4  # the first word of a context rule ("outperforms", "experiments")
    COINED = 8  # a coined name or acronym ("CFSP", "LoRA")
    WE_CUE = 16  # "we", "this", "our": the start of "we propose X"
    NAMED_CUE = 32  # "named", "dubbed", "termed"


_CLASS_BITS: tuple[int, ...] = tuple(int(c) for c in WordClass)

# Second halves of hyphenated modifiers that are verbs or adjectives on their own ("Transformer-based").
HYPHEN_SUFFIXES: frozenset[str] = word_set(
    "based aware free driven guided specific level wise style like oriented agnostic conditioned augmented "
    "efficient friendly constrained dependent independent invariant supervised scale grained"
)


@dataclass(frozen=True)
class TokenView:
    """Token i spans text[starts[i]:ends[i]]; `classed` lists the tokens of each word class, `hyphens` the tokens
    that are inner hyphens of compounds."""

    text: str
    starts: list[int]
    ends: list[int]
    classed: dict[int, list[int]]
    hyphens: frozenset[int]

    @classmethod
    def of(cls, text: str, starts: list[int], ends: list[int], classes: np.ndarray) -> TokenView:
        """The view of tokens at `starts`/`ends` whose word classes are `classes` (one int of bits per token)."""
        marked = np.flatnonzero(classes)
        bits = classes[marked]
        classed = {c: marked[(bits & c) != 0].tolist() for c in _CLASS_BITS}
        return cls(text, starts, ends, classed, _inner_hyphens(text, starts, ends))

    def __len__(self) -> int:
        return len(self.starts)

    def having(self, word_class: WordClass) -> list[int]:
        """Indices of the tokens whose word has `word_class`."""
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
        if start > 1 and self.is_inner_hyphen(start - 1) and self.word(start - 2).islower():
            return True
        if end < len(self.starts) - 1 and self.is_inner_hyphen(end):
            after = self.word(end + 1)
            return after.islower() and after not in HYPHEN_SUFFIXES
        return False


def _inner_hyphens(text: str, starts: list[int], ends: list[int]) -> frozenset[int]:
    """Tokens that are a "-" joining two words: glued to both ("memory-saving"), or spaced on both sides as
    tokenized text writes it ("few - shot"), but not a dash after a word ("X - a method")."""
    found = set()
    position = text.find("-")
    while position >= 0:
        index = bisect.bisect_left(starts, position)
        if 0 < index < len(starts) - 1 and starts[index] == position and ends[index] == position + 1:
            glued_before = ends[index - 1] == position
            glued_after = starts[index + 1] == position + 1
            words_around = text[ends[index - 1] - 1].isalnum() and text[starts[index + 1]].isalnum()
            if glued_before == glued_after and words_around:
                found.add(index)
        position = text.find("-", position + 1)
    return frozenset(found)


def token_view(doc: Doc) -> TokenView:
    """The doc's TokenView, as the kg_tokens component stored it."""
    view: TokenView = doc.user_data[TOKENS]
    return view
