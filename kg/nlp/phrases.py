"""Head-noun phrases: "statistical machine translation system" is a method because it ends in "system".

Most concepts in abstracts are not in any vocabulary, but their last noun says what they are (the lexicon's heads:
"... recognition" is a task, "... network" a method, "... corpus" a dataset, "... error rate" a metric).  Head
words are found in one vectorised lookup over the token array; only there does Python walk left over the
modifiers, stopping at function words, verbs, numbers and punctuation, since a blank pipeline has no tagger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.tokens import Doc, Token

from kg.nlp.candidates import Candidate, candidates
from kg.nlp.text import COMMON_VERBS, FUNCTION_WORDS, plural, singular, word_set
from kg.records import CONCEPT_TYPES
from kg.vocabulary import Lexicon, load_lexicon

# Second halves of hyphenated modifiers that are verbs or adjectives on their own ("Transformer-based").
HYPHEN_SUFFIXES: frozenset[str] = word_set(
    "based aware free driven guided specific level wise style like oriented agnostic conditioned augmented "
    "efficient friendly constrained dependent independent invariant supervised scale grained"
)
# Nouns that end in -ly, so that the adverb test does not cut them off ("anomaly detection").
_LY_NOUNS: frozenset[str] = word_set("anomaly assembly family supply reply monopoly butterfly ply poly")
# Types whose head alone is a concept ("parsing", "accuracy"); a bare "model" or "corpus" is generic.
DEFAULT_BARE_TYPES: tuple[str, ...] = ("task", "metric")
# Named things a phrase does not absorb as a modifier: "ImageNet classification" is a dataset and a task.
_NAME_TYPES: frozenset[str] = frozenset({"dataset", "hardware", "metric"})


@dataclass(frozen=True)
class Head:
    """One lexicon head, split into tokens: the words before its last word, and the type it marks."""

    before: tuple[str, ...]
    type: str


class HeadPhrases:
    """Adds a `phrases/head` candidate for each phrase of modifiers ending in a lexicon head."""

    def __init__(
        self,
        nlp: Language,
        lexicon: Lexicon,
        confidence: float,
        bare_types: Sequence[str],
        max_modifiers: int,
    ) -> None:
        self.confidence = confidence
        self.bare_types = frozenset(bare_types)
        self.max_modifiers = max_modifiers
        self.generic = lexicon.generic
        by_last: dict[str, list[Head]] = {}
        for kind in CONCEPT_TYPES:
            for head in sorted(lexicon.heads.get(kind, ())):
                words = [token.lower_ for token in nlp.make_doc(head)]
                last = words[-1]
                forms = {last, plural(last)} if singular(plural(last)) == last else {last}
                for form in forms:
                    by_last.setdefault(form, []).append(Head(tuple(words[:-1]), kind))
        # Longer heads first: "word error rate" decides before "rate".
        self.by_last = {word: sorted(heads, key=lambda h: -len(h.before)) for word, heads in by_last.items()}
        self.hashes = np.array(sorted(nlp.vocab.strings.add(word) for word in self.by_last), dtype=np.uint64)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc) or not len(self.hashes):
            return doc
        lowers = doc.to_array(LOWER).astype(np.uint64)
        found = candidates(doc)
        named = [c for c in found if c.type in _NAME_TYPES]
        for index in np.flatnonzero(np.isin(lowers, self.hashes)):
            phrase = self._phrase(doc, int(index), named)
            if phrase is not None:
                found.append(phrase)
        return doc

    def _phrase(self, doc: Doc, index: int, named: list[Candidate]) -> Candidate | None:
        token = doc[index]
        for head in self.by_last[token.lower_]:
            head_start = index - len(head.before)
            if head_start < 0 or tuple(t.lower_ for t in doc[head_start:index]) != head.before:
                continue
            start = self._modifiers_start(doc, head_start, named)
            if start == head_start and head.type not in self.bare_types:
                return None
            if start < head_start and _same_type_name(doc, start, head_start, head.type):
                return None  # "BERT model", "ImageNet dataset": the name already is the mention
            span = doc[start : index + 1]
            return Candidate(span.start_char, span.end_char, head.type, "phrases/head", self.confidence)
        return None

    def _modifiers_start(self, doc: Doc, head_start: int, named: list[Candidate]) -> int:
        """Index of the first token of the modifier run that ends right before `head_start`."""
        start, words = head_start, 0
        while start > 0 and words < self.max_modifiers:
            token = doc[start - 1]
            if _is_inner_hyphen(doc, start - 1):
                if start - 2 >= 0 and _is_modifier(doc[start - 2], hyphenated=True):
                    start -= 2
                    words += 1
                    continue
                break
            hyphenated = start - 2 >= 0 and _is_inner_hyphen(doc, start - 2)
            if not _is_modifier(token, hyphenated) or _inside(named, token):
                break
            start -= 1
            words += 1
        # A leading hyphenated half-word left over by the word limit is dropped.
        while start < head_start and doc[start].text == "-":
            start += 1
        return start


def _is_inner_hyphen(doc: Doc, index: int) -> bool:
    """A "-" token glued to the words on both sides ("memory-saving")."""
    return doc[index].text == "-" and index > 0 and not doc[index - 1].whitespace_ and not doc[index].whitespace_


def _is_modifier(token: Token, hyphenated: bool = False) -> bool:
    """Whether `token` can sit inside a concept phrase before its head."""
    lower = token.lower_
    if hyphenated and lower in HYPHEN_SUFFIXES:
        return True
    if lower in FUNCTION_WORDS or lower in COMMON_VERBS or token.like_num:
        return False
    if not token.is_alpha:
        core = token.text.replace("-", "")
        if not core.isalnum() or core.isdigit():
            return False
    return not (lower.endswith("ly") and lower not in _LY_NOUNS)


def _inside(named: list[Candidate], token: Token) -> bool:
    return any(c.start <= token.idx < c.end for c in named)


def _same_type_name(doc: Doc, start: int, head_start: int, kind: str) -> bool:
    """Whether the modifiers are exactly one earlier candidate of the head's type."""
    first, last = doc[start].idx, doc[head_start - 1].idx + len(doc[head_start - 1])
    return any(c.start == first and c.end == last and c.type == kind for c in candidates(doc))


@Language.factory(
    "kg_phrases",
    default_config={
        "lexicon": None,
        "confidence": 0.6,
        "bare_types": list(DEFAULT_BARE_TYPES),
        "max_modifiers": 4,
    },
)
def make_phrases(
    nlp: Language, name: str, lexicon: str | None, confidence: float, bare_types: list[str], max_modifiers: int
) -> HeadPhrases:
    """`lexicon`: path of the cue lexicon (default: the project's `ontology/lexicon.tsv`)."""
    return HeadPhrases(nlp, load_lexicon(Path(lexicon) if lexicon else None), confidence, bare_types, max_modifiers)
