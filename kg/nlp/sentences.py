"""Sentence boundaries from the raw text, in one linear pass.

A blank pipeline has no parser, and spaCy's rule-based sentencizer would cost a Python call per token; a mention
only needs the sentence around it, so boundaries are computed once per text as character ranges.  The boundary
pattern (with its look-behinds) is only tried where a boundary can start, at sentence punctuation or a newline,
found with `str.find` (tried at every position, the pattern cost four times as much; even a one-character-class
regex that finds the candidates costs twice as much as `str.find`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

# A boundary is sentence punctuation (optionally closed by a quote or bracket) followed by space and something
# that can start a sentence, or a blank line.  Common abbreviations that end in a period are not boundaries.
_ABBREVIATIONS = ("e.g", "i.e", "et al", "cf", "vs", "Fig", "Eq", "Sec", "approx", "resp", "No", "Tab", "etc")


def _not_after(words: tuple[str, ...]) -> str:
    """Look-behinds that reject a period closing any of `words`: one per word length (a look-behind's
    alternatives must share a width) rather than one per word, which made matching at the cues of the seed texts
    a sixth cheaper."""
    by_length: dict[int, list[str]] = {}
    for word in words:
        by_length.setdefault(len(word), []).append(re.escape(word))
    return "".join(rf"(?<!\b(?:{'|'.join(same)})\.)" for _, same in sorted(by_length.items()))


_BOUNDARY = re.compile(
    r"(?P<stop>[.!?](?<!\b[A-Z]\.)"
    + _not_after(_ABBREVIATIONS)
    + r"[\"')\]]?)(?=\s)[ \t]*(?:\n[ \t]*)?(?=[A-Z0-9\"'(\[$\\])"
    r"|\n[ \t]*\n\s*"
)
# Where a boundary can start: every match of _BOUNDARY starts with one of these characters.
_CUES = ".!?\n"


MAX_EVIDENCE = 600


class Located(Protocol):
    """Anything with a character span, such as a mention."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class Sentences:
    """The sentence ranges of one text, searchable by offset."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]  # (starts[i], ends[i])

    @classmethod
    def of(cls, text: str) -> Sentences:
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        boundary_at = _BOUNDARY.match
        for at in _cues(text):
            # The first boundary at or after `position`, as `_BOUNDARY.finditer` would find it (its look-behinds
            # see the text before `at` either way).
            if at < position or (match := boundary_at(text, at)) is None:
                continue
            stop = match.end("stop")
            _append(text, position, stop if stop >= 0 else at, starts, ends)
            position = match.end()
        _append(text, position, len(text), starts, ends)
        return cls(text, tuple(starts), tuple(ends), tuple(zip(starts, ends, strict=True)))

    def index(self, offset: int) -> int:
        """Index of the sentence containing `offset` (the nearest one before it when it falls between two)."""
        return max(bisect.bisect_right(self.starts, offset) - 1, 0)

    def span(self, offset: int) -> tuple[int, int]:
        if not self.starts:
            return (0, 0)
        return self.spans[self.index(offset)]

    def evidence(self, start: int, end: int) -> tuple[int, int]:
        """The span of the sentence around [start, end), or of a window of at most MAX_EVIDENCE characters of it
        (cut at spaces) when the "sentence" is longer: text without punctuation must not make every mention carry
        the whole text, which would be quadratic.  A short sentence's span is returned as stored (shared)."""
        if not self.starts:
            return (0, 0)
        span = self.spans[self.index(start)]
        first, last = span
        if last - first <= MAX_EVIDENCE:
            return span
        margin = max(0, (MAX_EVIDENCE - (end - start)) // 2)
        low, high = max(first, start - margin), min(last, end + margin)
        if low > first and (space := self.text.find(" ", low, start)) >= 0:
            low = space + 1
        if high < last and (space := self.text.rfind(" ", end, high)) >= 0:
            high = space
        return low, high

    def evidence_texts(self, spans: Iterable[Located]) -> list[str]:
        """The text of `evidence` for each span, one string per sentence shared by the spans in it: one call per
        paper instead of one per mention, so that most mentions cost one bisection."""
        if not self.starts:
            return ["" for _ in spans]
        text, sentence_spans = self.text, self.spans
        found = []
        whole: dict[int, str] = {}  # the text of each sentence short enough to be its own evidence
        for span in spans:
            index = self.index(span.start)
            sentence = whole.get(index)
            if sentence is None:
                first, last = sentence_spans[index]
                if last - first <= MAX_EVIDENCE:
                    sentence = whole[index] = text[first:last]
                else:
                    low, high = self.evidence(span.start, span.end)
                    sentence = text[low:high]
            found.append(sentence)
        return found


def _cues(text: str) -> list[int]:
    """The offsets of the characters in _CUES, in order."""
    found = []
    for char in _CUES:
        at = text.find(char)
        while at >= 0:
            found.append(at)
            at = text.find(char, at + 1)
    found.sort()
    return found


def _append(text: str, start: int, end: int, starts: list[int], ends: list[int]) -> None:
    """Record [start, end) trimmed of surrounding whitespace, if anything is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        starts.append(start)
        ends.append(end)
