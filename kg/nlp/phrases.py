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
from kg.nlp.compounds import is_inner_hyphen
from kg.nlp.text import COMMON_VERBS, FUNCTION_WORDS, LANGUAGES, plural, singular, word_set
from kg.records import CONCEPT_TYPES
from kg.vocabulary import Lexicon, load_lexicon

# Words that cannot be part of a hyphenated compound modifier.
_NEVER_IN_COMPOUND: frozenset[str] = word_set("a an the this that these those our their its his her my your we they it")
# Nouns that end in -ly, so that the adverb test does not cut them off ("anomaly detection").
_LY_NOUNS: frozenset[str] = word_set("anomaly assembly family supply reply monopoly butterfly ply poly")
# Types whose head alone is a concept ("parsing", "accuracy"); a bare "model" or "corpus" is generic.
DEFAULT_BARE_TYPES: tuple[str, ...] = ("task",)
# Types whose phrases must contain a name: "Penn Treebank" and "Europarl corpus" are datasets, "labeled data" and
# "parallel corpora" are descriptions.
DEFAULT_NAMED_TYPES: tuple[str, ...] = ("dataset", "metric")
# Types whose vocabulary terms are heads too: "sparse convolution" is a kind of convolution.
DEFAULT_EXTEND_TYPES: tuple[str, ...] = ("method", "task")
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
        named_types: Sequence[str],
        extend_types: Sequence[str],
        max_modifiers: int,
    ) -> None:
        self.confidence = confidence
        self.bare_types = frozenset(bare_types)
        self.named_types = frozenset(named_types)
        self.extend_types = frozenset(extend_types)
        self.max_modifiers = max_modifiers
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
        known = [c for c in found if c.type in self.extend_types and c.source.startswith("gazetteer")]
        for index in np.flatnonzero(np.isin(lowers, self.hashes)):
            phrase = self._phrase(doc, int(index), named)
            if phrase is not None:
                found.append(phrase)
        for candidate in known:
            span = doc.char_span(candidate.start, candidate.end)
            start = self._modifiers_start(doc, span.start, named) if span is not None else None
            if span is not None and start is not None and start < span.start:
                found.append(
                    Candidate(doc[start].idx, candidate.end, candidate.type, "phrases/extended", self.confidence)
                )
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
            if head.type in self.named_types:
                named_start = self._name_start(doc, start, head_start, index, head.type)
                if named_start is None:
                    return None
                start = named_start
            span = doc[start : index + 1]
            return Candidate(span.start_char, span.end_char, head.type, "phrases/head", self.confidence)
        return None

    def _name_start(self, doc: Doc, start: int, head_start: int, index: int, kind: str) -> int | None:
        """Where the name in a phrase of a named type starts: its first capitalised modifier ("Penn Treebank",
        "Chinese Treebank"); the bare head if nothing but a language is capitalised, or None if it may not stand."""
        names = [i for i in range(start, index + 1) if _is_name_part(doc, i)]
        if any(doc[i].lower_ not in LANGUAGES for i in names) and names[0] < head_start:
            return names[0]
        return head_start if kind in self.bare_types else None

    def _modifiers_start(self, doc: Doc, head_start: int, named: list[Candidate]) -> int:
        """Index of the first token of the modifier run that ends right before `head_start`."""
        start, words = head_start, 0
        while start > 0 and words < self.max_modifiers:
            token = doc[start - 1]
            if is_inner_hyphen(doc, start - 1):
                if start - 2 >= 0 and _is_modifier(doc[start - 2], in_compound=True):
                    start -= 2
                    words += 1
                    continue
                # "high-performance Transformers": the compound cannot be taken whole, so none of it is.
                return start + 1 if start < head_start else start
            in_compound = start - 2 >= 0 and is_inner_hyphen(doc, start - 2)
            if not _is_modifier(token, in_compound) or _inside(named, token):
                break
            start -= 1
            words += 1
        # A leading hyphenated half-word left over by the word limit is dropped.
        while start < head_start and doc[start].text == "-":
            start += 1
        return start


def _is_modifier(token: Token, in_compound: bool = False) -> bool:
    """Whether `token` can sit inside a concept phrase before its head.

    Inside a hyphenated compound any content word can ("few-shot", "large-scale", "Transformer-based").
    """
    lower = token.lower_
    if in_compound:
        return lower not in _NEVER_IN_COMPOUND and token.text.replace("-", "").isalnum()
    if lower in FUNCTION_WORDS or lower in COMMON_VERBS or token.like_num:
        return False
    if not token.is_alpha:
        core = token.text.replace("-", "")
        if not core.isalnum() or core.isdigit():
            return False
    return not (lower.endswith("ly") and lower not in _LY_NOUNS)


def _is_name_part(doc: Doc, index: int) -> bool:
    """A capitalised, upper-case or alphanumeric word that is not capitalised only because a sentence starts."""
    token = doc[index]
    if token.is_lower or token.is_punct or token.lower_ in FUNCTION_WORDS:
        return False
    sentence_start = index == 0 or doc[index - 1].is_space or doc[index - 1].text in (".", "!", "?", ":")
    return not (token.is_title and sentence_start)


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
        "named_types": list(DEFAULT_NAMED_TYPES),
        "extend_types": list(DEFAULT_EXTEND_TYPES),
        "max_modifiers": 4,
    },
)
def make_phrases(
    nlp: Language,
    name: str,
    lexicon: str | None,
    confidence: float,
    bare_types: list[str],
    named_types: list[str],
    extend_types: list[str],
    max_modifiers: int,
) -> HeadPhrases:
    """`lexicon`: path of the cue lexicon (default: the project's `ontology/lexicon.tsv`)."""
    loaded = load_lexicon(Path(lexicon) if lexicon else None)
    return HeadPhrases(nlp, loaded, confidence, bare_types, named_types, extend_types, max_modifiers)
