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


# Second halves of hyphenated modifiers that are verbs or adjectives on their own ("Transformer-based").
HYPHEN_SUFFIXES: frozenset[str] = word_set(
    "based aware free driven guided specific level wise style like oriented agnostic conditioned augmented "
    "efficient friendly constrained dependent independent invariant supervised scale grained"
)


@dataclass(frozen=True)
class TokenView:
    """Token i spans text[starts[i]:ends[i]]."""

    text: str
    starts: list[int]
    ends: list[int]
    classes: np.ndarray  # WordClass bits per token

    def __len__(self) -> int:
        return len(self.starts)

    def having(self, word_class: WordClass) -> list[int]:
        """Indices of the tokens whose word has `word_class`."""
        return np.flatnonzero(self.classes & word_class).tolist() if len(self.starts) else []

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
        """A "-" token joining two words: glued to both ("memory-saving"), or spaced on both sides as tokenized
        text writes it ("few - shot"), but not a dash after a word ("X - a method")."""
        if not 0 < index < len(self.starts) - 1 or self.word(index) != "-":
            return False
        before, after = self.text[self.ends[index - 1] - 1], self.text[self.starts[index + 1]]
        return self.spaced_after(index - 1) == self.spaced_after(index) and before.isalnum() and after.isalnum()

    def inside_compound(self, start: int, end: int) -> bool:
        """Whether tokens [start, end) are glued by a hyphen to an ordinary lower-case word before or after them."""
        if start > 1 and self.is_inner_hyphen(start - 1) and self.word(start - 2).islower():
            return True
        if end < len(self.starts) - 1 and self.is_inner_hyphen(end):
            after = self.word(end + 1)
            return after.islower() and after not in HYPHEN_SUFFIXES
        return False


def token_view(doc: Doc) -> TokenView:
    """The doc's TokenView, as the kg_tokens component stored it."""
    view: TokenView = doc.user_data[TOKENS]
    return view
