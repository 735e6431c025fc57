"""Word n-grams: the high-recall candidate generator of the learned extractor.

The rules propose what they recognise; a concept no rule knows (a task written in plain words, a dataset without a
head noun) can only be found by proposing every short phrase and letting the classifier decide.  A phrase is up to
`MAX_WORDS` consecutive words with nothing but a space between them, and never runs across a closed-class word
(determiners, prepositions, pronouns, auxiliaries): "fine-tuning large language models on GSM8K" gives
"fine-tuning", "large language models", "fine-tuning large language models", "GSM8K" and the rest.

`concept_key` is the form the hf-dev scorer compares names in, so two phrases with one key are one concept
candidate, and corpus statistics are counted per key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from kg.nlp.text import word_set

MAX_WORDS = 4

# A word: letters, digits and Greek, with inner hyphens, dots, plus signs and apostrophes ("GPT-4.5", "A+B").
_WORD = re.compile(r"[A-Za-z0-9\u0391-\u03c9][\w\-+.'\u0391-\u03c9]*[\w+]|[A-Za-z0-9\u0391-\u03c9]")
_IGNORED = re.compile(r"[\s\-_/.,:;()\[\]'\"]+")

# Closed-class words only: a concept name may hold an adjective ("large language model") but never these.
STOP_WORDS: frozenset[str] = word_set(
    """
    a an the this that these those its it their our his her my your we us they them he she i you one ones
    of in on at by for with without within from to into onto over under about across after before between
    through during against among upon via per than as like versus vs and or nor but yet so if then else because
    since while whereas although though unless until whether not no only also both either neither each every
    all any some many much more most few less such very too just even still already again further thus hence
    is are was were be been being am has have had having do does did done can could may might must shall should
    will would which who whom whose what when where why how there here however moreover furthermore e.g. i.e.
    etc. et al. al.
    """
)


class Phrase(NamedTuple):
    """A phrase of the text: its character span, its words as written, and its key."""

    start: int
    end: int
    words: tuple[str, ...]
    key: str


@lru_cache(maxsize=1 << 16)
def concept_key(text: str) -> str:
    """Lower case without whitespace and ``- _ / . , : ; ( ) [ ] ' "``, and a final "s" dropped when the rest is
    longer than 3 characters and does not end in "s": the hf-dev scorer's normal form of a name."""
    folded = _IGNORED.sub("", text.lower().replace("\u2019", "'"))
    if len(folded) > 3 and folded.endswith("s") and not folded.endswith("ss"):
        return folded[:-1]
    return folded


def word_runs(text: str) -> Iterator[list[re.Match[str]]]:
    """Runs of words separated by single spaces, cut at closed-class words and at anything else between words."""
    run: list[re.Match[str]] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if word.lower() in STOP_WORDS:
            if run:
                yield run
            run = []
            continue
        if run and text[run[-1].end() : match.start()] != " ":
            yield run
            run = []
        run.append(match)
    if run:
        yield run


def phrases(text: str, max_words: int = MAX_WORDS) -> Iterator[Phrase]:
    """Every phrase of 1 to `max_words` words of every run, in text order of their start."""
    for run in word_runs(text):
        for first in range(len(run)):
            for last in range(first, min(first + max_words, len(run))):
                start, end = run[first].start(), run[last].end()
                words = tuple(match.group() for match in run[first : last + 1])
                yield Phrase(start, end, words, concept_key(text[start:end]))
