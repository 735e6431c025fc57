"""Abbreviation pairs: "Low-Rank Adaptation (LoRA)" makes "LoRA" mean "Low-Rank Adaptation" in the whole text.

The long form is found with the Schwartz & Hearst (2003) algorithm: walk the short form's characters from the end
and find each one, in order, in the words before the parenthesis, the first one at the start of a word.  The pair
takes its type from what the earlier components saw in the long form (or the short form), or from the long form's
head noun; both forms become mentions with one label, so canonicalisation merges them into one concept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import compress

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import PAIRS, AbbreviationPair, Candidate, by_end, candidates, make_candidate, text_of
from kg.nlp.lexical import pipeline_lexicon
from kg.nlp.text import normal_label, plural, singular, word_set, word_spans
from kg.vocabulary import Lexicon

# "(LoRA)", "(LoRA;" or "(LoRA," — a short form of 2-12 characters with a capital, right after the long form.
_PAREN = re.compile(r"\( ?(?P<short>[A-Za-z0-9][A-Za-z0-9\-+./&]{0,10}[A-Za-z0-9+]s?)(?= ?[);,])")
_MAX_LONG_CHARS = 120
# Title-case long forms are named techniques, unless they name an institution or a venue.
_INSTITUTIONAL = word_set(
    "conference workshop symposium journal proceedings university institute laboratory department association "
    "society foundation organization organisation committee agency center centre"
)


_ByEnd = dict[int, list[Candidate]]  # candidates by their end offset


class Abbreviations:
    """Adds `abbreviations/long` and `abbreviations/short` candidates sharing the pair's canonical label."""

    def __init__(self, lexicon: Lexicon, confidence: float, merged_types: Sequence[str]) -> None:
        self.lexicon = lexicon
        self.confidence = confidence
        self.merged_types = frozenset(merged_types)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        written = written_pairs(text)
        if not written:
            doc.user_data[PAIRS] = ()
            return doc
        found = candidates(doc)
        # The earlier components' candidates that end where a long or short form ends, by end offset.
        ends = {pair[1] for pair in written} | {pair[4] for pair in written}
        ending_at: _ByEnd = {}
        for candidate in compress(found, map(ends.__contains__, map(by_end, found))):
            ending_at.setdefault(candidate[1], []).append(candidate)
        pairs = []
        shorts: set[str] = set()
        confidence = self.confidence
        for long_start, long_end, short, short_start, short_end in written:
            typed = self._type_of(text, long_start, long_end, short_start, short_end, ending_at)
            if typed is None:
                continue
            kind, label = typed
            pairs.append(AbbreviationPair(long_start, long_end, short, short_start, short_end, kind, label))
            # "statistical machine translation (SMT)" is one mention of a task, dataset or metric; a method's short
            # form is its name and a mention of its own.
            close = text.find(")", short_end, short_end + 2) if kind in self.merged_types else -1
            mention_end = close + 1 if close >= 0 else long_end
            found.append(make_candidate(long_start, mention_end, kind, "abbreviations/long", confidence, label))
            if short in shorts:
                continue  # its occurrences are already mentions
            shorts.add(short)
            found += [
                make_candidate(start, end, kind, "abbreviations/short", confidence, label)
                for start, end in word_spans(text, _forms(short))
            ]
        doc.user_data[PAIRS] = tuple(pairs)
        return doc

    def _type_of(
        self, text: str, long_start: int, long_end: int, short_start: int, short_end: int, ending_at: _ByEnd
    ) -> tuple[str, str] | None:
        """(type, label) of a pair: from a candidate ending the long form, one on the short form, or the head.

        `ending_at` holds the earlier components' candidates by end offset.
        """
        long_text = text[long_start:long_end]
        ending = [c for c in ending_at.get(long_end, ()) if c.start >= long_start]
        on_short = [c for c in ending_at.get(short_end, ()) if c.start == short_start]
        for group in (ending, on_short):
            if group:
                best = max(group, key=lambda c: (c.length, c.confidence))
                # A vocabulary label names the pair only if it covers the whole long form (or is the short form's):
                # "statistical machine translation" is not the "machine translation" it ends with.
                whole = best.start == long_start or group is on_short
                return best.type, (best.label if whole else None) or normal_label(long_text)
        kinds = self.lexicon.types_of_head(long_text)
        if kinds:
            return kinds[0], normal_label(long_text)
        words = long_text.split()
        if all(word[:1].isupper() for word in words) and not _INSTITUTIONAL.intersection(w.lower() for w in words):
            return "method", normal_label(long_text)  # a named technique written in title case
        return None


def written_pairs(text: str) -> list[tuple[int, int, str, int, int]]:
    """(long_start, long_end, short, short_start, short_end) of every pair written in the text."""
    pairs = []
    for match in _PAREN.finditer(text):
        short = match.group("short")
        if short == short.lower():
            continue  # no capital (the pattern's characters are ASCII: a capital is a letter too)
        long_end = match.start()
        while long_end > 0 and text[long_end - 1].isspace():
            long_end -= 1
        window_start = max(0, long_end - _MAX_LONG_CHARS)
        found = long_form_start(text[window_start:long_end], short)
        if found is not None:
            pairs.append((window_start + found, long_end, short, match.start("short"), match.end("short")))
    return pairs


def long_form_start(before: str, short: str) -> int | None:
    """Offset in `before` where the long form of `short` starts (Schwartz & Hearst), or None.

    The long form has at most min(len(short) + 5, 2 * len(short)) words, ends right before the parenthesis, and
    every letter or digit of the short form occurs in it in order, the first one at the start of a word.
    """
    core, chars = _letters(short)
    if len(chars) < 2:
        return None
    limit = min(len(chars) + 5, 2 * len(chars))
    # Words are runs of characters other than whitespace and "(": split from the end, the last `limit` of them
    # make the window (as plain string methods: a regex match object per word cost twice as much).
    words = before.replace("(", " ").rstrip()
    if not words:
        return None
    parts = words.rsplit(None, limit)
    tail = words[len(parts[0]) :] if len(parts) > limit else words
    window_start = len(words) - len(tail.lstrip())
    window = before[window_start : len(words)].lower()
    # Each character at its last occurrence before the one after it (`rfind`: the walk back runs in C); the first
    # one at the start of a word.
    position = len(window)
    for char in chars[:0:-1]:
        position = window.rfind(char, 0, position)
        if position < 0:
            return None
    start = window.rfind(chars[0], 0, position)
    while start > 0 and window[start - 1].isalnum():
        start = window.rfind(chars[0], 0, start)
    if start < 0:
        return None
    long_text = window[start:]
    if len(long_text) <= len(core) or core.lower() in long_text.split():
        return None
    return window_start + start


@lru_cache(maxsize=1 << 14)
def _letters(short: str) -> tuple[str, tuple[str, ...]]:
    """The short form without a plural "s" ("LLMs" -> "LLM"), and its letters and digits in lower case."""
    core = singular(short) if short.endswith("s") and short[:-1].upper() == short[:-1] else short
    return core, tuple(char.lower() for char in core if char.isalnum())


@lru_cache(maxsize=1 << 14)
def _forms(short: str) -> tuple[str, ...]:
    """The forms of a short form that are uses of it: singular or plural ("LLM", "LLMs"), shortest first (then
    alphabetical); every whole-word occurrence of one, not inside a longer name, is a mention (memoised: the same
    short forms recur)."""
    return tuple(sorted({short, singular(short), plural(singular(short))}, key=lambda form: (len(form), form)))


@Language.factory(
    "kg_abbreviations",
    default_config={"confidence": 0.95, "merged_types": ["dataset", "metric", "task"]},
)
def make_abbreviations(nlp: Language, name: str, confidence: float, merged_types: list[str]) -> Abbreviations:
    """`merged_types`: types whose long form and parenthesised short form make one mention.  The default
    confidence is above the gazetteer's: what a paper defines its abbreviation to mean beats what the vocabulary
    says it usually means."""
    return Abbreviations(pipeline_lexicon(nlp), confidence, merged_types)
