"""The evidence about one concept candidate, as named features for a linear model.

Each feature is a string with a value (1 for indicators).  Numbers are bucketed into indicators, and the corpus
counts are crossed with the candidate's shape, so a linear model can learn that a lower-case phrase used by a
thousand papers is generic while a capitalised one is a popular name.  Feature names carry no paper identity: the
same phrase gets the same features in any paper with the same context.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from kg.nlp.concepts import ConceptCandidate
from kg.nlp.corpus_stats import CorpusStats
from kg.nlp.ngrams import STOP_WORDS
from kg.nlp.text import singular
from kg.vocabulary import Lexicon

Features = dict[str, float]


@dataclass(frozen=True)
class Evidence:
    """What features read besides the paper: the corpus statistics and the cue lexicon's head nouns and generic
    phrases, with the lexicon's lookups memoised (the same surfaces recur paper after paper, and finding the head
    types of a phrase scans every head)."""

    stats: CorpusStats
    head_types: Callable[[str], tuple[str, ...]]
    is_generic: Callable[[str], bool]

    @classmethod
    def of(cls, stats: CorpusStats, lexicon: Lexicon) -> Evidence:
        return cls(
            stats, lru_cache(maxsize=1 << 16)(lexicon.types_of_head), lru_cache(maxsize=1 << 16)(lexicon.is_generic)
        )


@dataclass(frozen=True)
class PaperContext:
    """What features read besides the candidate: the paper's text and where its title ends."""

    text: str
    title_end: int


def candidate_features(candidate: ConceptCandidate, paper: PaperContext, evidence: Evidence) -> Features:
    text = paper.text
    surface = candidate.surface(text)
    features: Features = {}
    _rule_features(candidate, features)
    shape = _shape_class(surface)
    features[f"shape={shape}"] = 1
    words = surface.split()
    features[f"words={min(len(words), 5)}"] = 1
    _lexical_features(words, features)
    for kind in evidence.head_types(surface):
        features[f"head_type={kind}"] = 1
    if evidence.is_generic(surface) or evidence.is_generic(" ".join([*words[:-1], singular(words[-1].lower())])):
        features["generic"] = 1
    _position_features(candidate, paper, features)
    _corpus_features(candidate, evidence.stats, shape, features)
    _context_features(candidate, text, features)
    return features


def _rule_features(candidate: ConceptCandidate, features: Features) -> None:
    for rule in candidate.rules:
        features[f"rule={rule.source}:{rule.type}"] = 1
        features[f"rule_type={rule.type}"] = 1
        if rule.label and rule.source.startswith("gazetteer"):
            features[f"vocabulary={rule.type}"] = 1
        if rule.proposed:
            features["rule_proposed"] = 1
    if not candidate.rules:
        features["ngram_only"] = 1
    if candidate.long_form is not None:
        features["abbreviation_pair"] = 1


def _shape_class(surface: str) -> str:
    """lower, capitalised (first letters), acronym (a word in capitals), mixed ("LoRA", "GPT-4o") or digit."""
    words = surface.split()
    if any(len(word) > 1 and word.isupper() for word in words):
        return "acronym"
    if any(any(char.isupper() for char in word[1:]) for word in words):
        return "mixed"
    if any(char.isdigit() for char in surface):
        return "digit"
    if all(word[:1].isupper() for word in words):
        return "capitalised"
    if surface[:1].isupper():
        return "first_capital"
    return "lower"


def _lexical_features(words: list[str], features: Features) -> None:
    head = singular(words[-1].lower())
    features[f"head={head}"] = 1
    features[f"suffix={head[-3:]}"] = 1
    features[f"first={words[0].lower()}"] = 1
    if len(words) == 1:
        features[f"word={head}"] = 1
    for word in words[:-1]:
        features[f"contains={word.lower()}"] = 1
    if any("-" in word for word in words):
        features["hyphen"] = 1


def _position_features(candidate: ConceptCandidate, paper: PaperContext, features: Features) -> None:
    spans = candidate.ordered_spans()
    in_title = sum(end <= paper.title_end for _, end in spans)
    if in_title:
        features["in_title"] = 1
    count = len(spans) - in_title
    features[f"abstract_count={min(count, 4)}"] = 1
    length = max(len(paper.text) - paper.title_end, 1)
    first = max(spans[0][0] - paper.title_end, 0)
    features[f"first_third={min(3 * first // length, 2)}"] = 1


_PAPER_BUCKETS = (0, 3, 6, 16, 51, 201, 1001)


def _corpus_features(candidate: ConceptCandidate, stats: CorpusStats, shape: str, features: Features) -> None:
    stat = stats.of(candidate.key)
    papers = stat.papers if stat is not None else 0
    bucket = sum(papers >= edge for edge in _PAPER_BUCKETS)
    features[f"corpus_papers={bucket}"] = 1
    features[f"corpus_papers={bucket}|{shape}"] = 1
    features["corpus_log_papers"] = math.log1p(papers) / 10
    if stat is not None:
        for name, share in (
            ("capitalised", stat.capitalised / papers),
            ("whole", stat.whole / papers),
            ("title", stat.title / papers),
        ):
            features[f"corpus_{name}={min(int(share * 5), 4)}"] = 1
    if candidate.key in stats.expansions or any(key in stats.expansions for key in candidate.short_keys):
        features["corpus_expanded"] = 1


_WINDOW = 3  # words on each side that count as an occurrence's neighbourhood
# A stated value: "50%", "3.5 points", "2x", "by 12": what a paper reports for a metric.
_VALUE = re.compile(r"\d(?:[\d.,]*\d)?\s?(?:\\?%|\u00d7|x\b|times\b|points?\b|pp\b)|\bby\s+\d")
_VALUE_REACH = 40  # characters on each side of an occurrence searched for a value


def _context_features(candidate: ConceptCandidate, text: str, features: Features) -> None:
    """The word right before and after each occurrence ("on ImageNet", "accuracy of"), and the words near it
    ("... achieves state-of-the-art accuracy on ...")."""
    for start, end in candidate.ordered_spans():
        before = [word.lower().strip("(),.;:\"'") for word in text[max(0, start - 60) : start].split()]
        after = [word.lower().strip("(),.;:\"'") for word in text[end : end + 60].split()]
        if before:
            features[f"before={before[-1]}"] = 1
        if after:
            features[f"after={after[0]}"] = 1
        for word in before[-_WINDOW:] + after[:_WINDOW]:
            if word and word not in STOP_WORDS:
                features[f"near={word}"] = 1
        # Whether a name-like run of words goes on past the occurrence: "language model" inside "large language
        # model" is a fragment, "language model" alone may be the concept.
        left = _continues(text[max(0, start - 1) : start], before)
        right = _continues(text[end : end + 1], after, leading=False)
        features[f"run={'L' * left}{'R' * right}"] = 1
        if _VALUE.search(text, max(0, start - _VALUE_REACH), min(len(text), end + _VALUE_REACH)):
            features["value_near"] = 1  # "run=": the occurrence is a whole run


def _continues(gap: str, words: list[str], leading: bool = True) -> bool:
    """Whether the word across a single-space `gap` belongs to the same run (not a closed-class word)."""
    if gap != " " or not words:
        return False
    word = words[-1] if leading else words[0]
    return bool(word) and word not in STOP_WORDS and word.isalnum()
