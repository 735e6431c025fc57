"""Hyphenated compounds, which spaCy splits into word, "-", word.

A gazetteer term or a phrase must not be cut out of the middle of a compound: the "memory" of "memory-saving" is
not the memory metric, and the "precision" of "low-precision" is not the precision metric.  A compound whose second
half is a suffix-like word ("Transformer-based", "hardware-aware") still names its first half.
"""

from __future__ import annotations

from spacy.tokens import Doc

from kg.nlp.text import word_set

# Second halves of hyphenated modifiers that are verbs or adjectives on their own ("Transformer-based").
HYPHEN_SUFFIXES: frozenset[str] = word_set(
    "based aware free driven guided specific level wise style like oriented agnostic conditioned augmented "
    "efficient friendly constrained dependent independent invariant supervised scale grained"
)


def is_inner_hyphen(doc: Doc, index: int) -> bool:
    """A "-" token joining two words: glued to both ("memory-saving"), or spaced on both sides as tokenized text
    writes it ("few - shot"), but not a dash after a word ("X - a method")."""
    if not 0 < index < len(doc) - 1 or doc[index].text != "-":
        return False
    before, after = doc[index - 1].whitespace_, doc[index].whitespace_
    return before == after and doc[index - 1].text[-1:].isalnum() and doc[index + 1].text[:1].isalnum()


def inside_compound(doc: Doc, start: int, end: int) -> bool:
    """Whether tokens [start, end) are glued by a hyphen to an ordinary lower-case word before or after them."""
    if start > 1 and is_inner_hyphen(doc, start - 1) and doc[start - 2].is_lower:
        return True
    if end < len(doc) - 1 and is_inner_hyphen(doc, end):
        after = doc[end + 1]
        return after.is_lower and after.lower_ not in HYPHEN_SUFFIXES
    return False
