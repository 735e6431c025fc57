"""Sentence boundaries from the raw text, in one linear regex pass.

A blank pipeline has no parser, and spaCy's rule-based sentencizer would cost a Python call per token; a mention
only needs the sentence around it, so boundaries are computed once per text as character ranges.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# A boundary is sentence punctuation (optionally closed by a quote or bracket) followed by space and something
# that can start a sentence, or a blank line.  Common abbreviations that end in a period are not boundaries.
_ABBREVIATIONS = ("e.g", "i.e", "et al", "cf", "vs", "Fig", "Eq", "Sec", "approx", "resp", "No", "Tab", "etc")
_BOUNDARY = re.compile(
    r"(?P<stop>[.!?](?<!\b[A-Z]\.)"
    + "".join(rf"(?<!\b{re.escape(word)}\.)" for word in _ABBREVIATIONS)
    + r"[\"')\]]?)(?=\s)[ \t]*(?:\n[ \t]*)?(?=[A-Z0-9\"'(\[$\\])"
    r"|\n[ \t]*\n\s*"
)


MAX_EVIDENCE = 600


@dataclass(frozen=True)
class Sentences:
    """The sentence ranges of one text, searchable by offset."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Sentences:
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for match in _BOUNDARY.finditer(text):
            cut = match.end("stop") if match.group("stop") else match.start()
            _append(text, position, cut, starts, ends)
            position = match.end()
        _append(text, position, len(text), starts, ends)
        return cls(text, tuple(starts), tuple(ends))

    def index(self, offset: int) -> int:
        """Index of the sentence containing `offset` (the nearest one before it when it falls between two)."""
        return max(bisect.bisect_right(self.starts, offset) - 1, 0)

    def span(self, offset: int) -> tuple[int, int]:
        if not self.starts:
            return (0, 0)
        i = self.index(offset)
        return (self.starts[i], self.ends[i])

    def evidence(self, start: int, end: int) -> tuple[int, int]:
        """The span of the sentence around [start, end), or of a window of at most MAX_EVIDENCE characters of it
        (cut at spaces) when the "sentence" is longer: text without punctuation must not make every mention carry
        the whole text, which would be quadratic."""
        first, last = self.span(start)
        if last - first <= MAX_EVIDENCE:
            return first, last
        margin = max(0, (MAX_EVIDENCE - (end - start)) // 2)
        low, high = max(first, start - margin), min(last, end + margin)
        if low > first and (space := self.text.find(" ", low, start)) >= 0:
            low = space + 1
        if high < last and (space := self.text.rfind(" ", end, high)) >= 0:
            high = space
        return low, high


def _append(text: str, start: int, end: int, starts: list[int], ends: list[int]) -> None:
    """Record [start, end) trimmed of surrounding whitespace, if anything is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        starts.append(start)
        ends.append(end)
