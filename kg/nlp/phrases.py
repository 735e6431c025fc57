"""Head-noun phrases: "statistical machine translation system" is a method because it ends in "system".

Most concepts in abstracts are not in any vocabulary, but their last noun says what they are (the lexicon's heads:
"... recognition" is a task, "... network" a method, "... corpus" a dataset, "... error rate" a metric).  Head
words are found in one vectorised lookup over the token array; only there does Python walk left over the
modifiers, stopping at function words, verbs, numbers and punctuation, since a blank pipeline has no tagger.
Head tokens are marked by a lexeme flag (computed once per word type) and the walk reads the shared TokenView, so
no Token object is created.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import Candidate, candidates
from kg.nlp.gazetteer import pattern_docs
from kg.nlp.lexical import pipeline_lexicon
from kg.nlp.patterns import is_coined
from kg.nlp.text import COMMON_VERBS, FUNCTION_WORDS, LANGUAGES, marked, plural, singular, word_set
from kg.nlp.tokens import TokenView, WordClass, token_view
from kg.records import CONCEPT_TYPES
from kg.vocabulary import Lexicon

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
    """Adds a `phrases/head` candidate for each phrase of modifiers ending in a lexicon head, and a
    `phrases/extended` one for each vocabulary term of `extend_types` with modifiers before it."""

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
        all_heads = sorted({head for heads in lexicon.heads.values() for head in heads})
        head_docs = dict(zip(all_heads, pattern_docs(nlp, all_heads), strict=True))
        for kind in CONCEPT_TYPES:
            for head in sorted(lexicon.heads.get(kind, ())):
                words = [token.lower_ for token in head_docs[head]]
                last = words[-1]
                forms = {last, plural(last)} if singular(plural(last)) == last else {last}
                for form in forms:
                    by_last.setdefault(form, []).append(Head(tuple(words[:-1]), kind))
        # Longer heads first: "word error rate" decides before "rate".
        self.by_last = {word: sorted(heads, key=lambda h: -len(h.before)) for word, heads in by_last.items()}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        view = token_view(doc)
        found = candidates(doc)
        # Tokens inside a named candidate (a dataset, hardware, metric) are never modifiers: their start offsets.
        named = frozenset(
            start
            for c in found
            if c.type in _NAME_TYPES
            for start in view.starts[bisect_left(view.starts, c.start) : bisect_left(view.starts, c.end)]
        )
        spans = {(c.start, c.end, c.type) for c in found}
        known = [c for c in found if c.type in self.extend_types and c.source.startswith("gazetteer")]
        for index in view.having(WordClass.HEAD):
            phrase = self._phrase(view, index, named, spans)
            if phrase is not None:
                found.append(phrase)
                spans.add((phrase.start, phrase.end, phrase.type))
        for candidate in known:
            first = view.index_at(candidate.start)
            start = self._modifiers_start(view, first, named) if first is not None else None
            if first is not None and start is not None and start < first and self._extends(view, start, first):
                found.append(
                    Candidate(view.starts[start], candidate.end, candidate.type, "phrases/extended", self.confidence)
                )
        return doc

    def _phrase(
        self, view: TokenView, index: int, named: frozenset[int], spans: set[tuple[int, int, str]]
    ) -> Candidate | None:
        for head in self.by_last.get(view.word(index).lower(), ()):
            head_start = index - len(head.before)
            if head_start < 0 or tuple(view.word(i).lower() for i in range(head_start, index)) != head.before:
                continue
            start = self._modifiers_start(view, head_start, named)
            if start == head_start and head.type not in self.bare_types:
                return None
            if start < head_start and (view.starts[start], view.ends[head_start - 1], head.type) in spans:
                return None  # "BERT model", "ImageNet dataset": the name already is the mention
            if head.type in self.named_types:
                named_start = self._name_start(view, start, head_start, index, head.type)
                if named_start is None:
                    return None
                start = named_start
            return Candidate(view.starts[start], view.ends[index], head.type, "phrases/head", self.confidence)
        return None

    @staticmethod
    def _extends(view: TokenView, start: int, first: int) -> bool:
        """Whether modifiers [start, first) make a kind of the term that follows: any modifier of an ordinary term
        ("sparse convolution"), but a coined name only takes modifiers with capitals or digits ("3D CNNs",
        "Holistic SparseCNN"), not lower-case words, which are as often verbs ("we prompt SAM")."""
        term = view.word(first)
        if not is_coined(term) and not term.isupper():
            return True
        return all(word == "-" or marked(word) for word in map(view.word, range(start, first)))

    def _name_start(self, view: TokenView, start: int, head_start: int, index: int, kind: str) -> int | None:
        """Where the name in a phrase of a named type starts: its first capitalised modifier ("Penn Treebank",
        "Chinese Treebank"); the bare head if nothing but a language is capitalised, or None if it may not stand."""
        names = [i for i in range(start, index + 1) if _is_name_part(view, i)]
        if any(view.word(i).lower() not in LANGUAGES for i in names) and names[0] < head_start:
            return names[0]
        return head_start if kind in self.bare_types else None

    def _modifiers_start(self, view: TokenView, head_start: int, named: frozenset[int]) -> int:
        """Index of the first token of the modifier run that ends right before `head_start`."""
        start, words = head_start, 0
        while start > 0 and words < self.max_modifiers:
            if view.is_inner_hyphen(start - 1):
                if start - 2 >= 0 and compound_part(view.word(start - 2)):
                    start -= 2  # a compound counts as one word, however many parts it has
                    continue
                # "high-performance Transformers": the compound cannot be taken whole, so none of it is.
                return start + 1 if start < head_start else start
            word = view.word(start - 1)
            in_compound = start - 2 >= 0 and view.is_inner_hyphen(start - 2)
            if not (compound_part(word) if in_compound else modifier(word)):
                break
            if view.starts[start - 1] in named:
                break
            start -= 1
            words += 1
        # A leading hyphenated half-word left over by the word limit is dropped, and so is a leading gerund after a
        # preposition, which is a verb: "for [evaluating] multimodal models".
        while start < head_start and (view.word(start) == "-" or _gerund_after_preposition(view, start)):
            start += 1
        return start


_PREPOSITIONS = word_set("for by of in on with without through when while after before via from into towards toward")


def _gerund_after_preposition(view: TokenView, index: int) -> bool:
    return index > 0 and view.word(index).endswith("ing") and view.word(index - 1).lower() in _PREPOSITIONS


@lru_cache(maxsize=1 << 16)
def modifier(word: str) -> bool:
    """Whether `word` can sit inside a concept phrase before its head (memoised: words recur across papers)."""
    lower = word.lower()
    if lower in FUNCTION_WORDS or lower in COMMON_VERBS:
        return False
    core = word.replace("-", "")
    if not core.isalnum() or not any(char.isalpha() for char in core):
        return False  # punctuation, numbers ("2,240", "3.5")
    return not (lower.endswith("ly") and lower not in _LY_NOUNS)


@lru_cache(maxsize=1 << 16)
def compound_part(word: str) -> bool:
    """Inside a hyphenated compound any content word can sit ("few-shot", "large-scale", "Transformer-based")."""
    return word.lower() not in _NEVER_IN_COMPOUND and word.replace("-", "").isalnum()


def _is_name_part(view: TokenView, index: int) -> bool:
    """A capitalised, upper-case or alphanumeric word that is not capitalised only because a sentence starts."""
    word = view.word(index)
    if word.islower() or not word[:1].isalnum() or word.lower() in FUNCTION_WORDS:
        return False
    before = view.word(index - 1) if index else ""
    sentence_start = not before or before.isspace() or before in (".", "!", "?", ":")
    return not (word.istitle() and sentence_start)


@Language.factory(
    "kg_phrases",
    default_config={
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
    confidence: float,
    bare_types: list[str],
    named_types: list[str],
    extend_types: list[str],
    max_modifiers: int,
) -> HeadPhrases:
    """Reads the pipeline's cue lexicon from its kg_tokens component."""
    lexicon = pipeline_lexicon(nlp)
    return HeadPhrases(nlp, lexicon, confidence, bare_types, named_types, extend_types, max_modifiers)
