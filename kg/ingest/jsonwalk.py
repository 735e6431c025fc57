"""Items of a JSON document with the line each one starts on.

`json.load` forgets positions, yet every listing needs its line for provenance. This walker steps through the
top-level array (or the array under a top-level object's "data" key) with `JSONDecoder.raw_decode`, which parses
each item in C and reports where it ended. Errors surface as `json.JSONDecodeError` with line and column.

Every JSON the readers parse goes through `DECODER`: an integer too long for Python's int conversion (over 4,300
digits, where `json.loads` raises a plain ValueError) stays a string of digits, so one absurd field costs that
field, never the record or the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def _int_or_digits(digits: str) -> int | str:
    try:
        return int(digits)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        return digits


DECODER = json.JSONDecoder(parse_int=_int_or_digits)
_WHITESPACE = " \t\n\r"
ITEMS_KEY = "data"


def loads(text: str) -> Any:
    """`json.loads` through `DECODER`; raises `json.JSONDecodeError` (or RecursionError) on malformed JSON."""
    return DECODER.decode(text)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _expect(text: str, pos: int, chars: str, what: str) -> int:
    pos = _skip(text, pos)
    if pos >= len(text) or text[pos] not in chars:
        raise json.JSONDecodeError(f"Expecting {what}", text, pos)
    return pos


class _LineCounter:
    """Converts increasing character offsets to 1-based line numbers in time linear in the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def line_of(self, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _array_items(text: str, pos: int, lines: _LineCounter) -> Iterator[tuple[int, Any]]:
    """(line, item) for each item of the array whose "[" is at `pos`."""
    pos = _skip(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        return
    while True:
        pos = _skip(text, pos)
        item, end = DECODER.raw_decode(text, pos)
        yield lines.line_of(pos), item
        pos = _expect(text, end, ",]", "',' delimiter")
        if text[pos] == "]":
            return
        pos += 1


def _closing(text: str, start: int) -> int:
    """Offset just after the array or object that starts at `start`."""
    return DECODER.raw_decode(text, start)[1]


def iter_items(text: str) -> Iterator[tuple[int, Any]]:
    """(line, item) for each item of a top-level array, or of the array under a top-level object's "data".

    Raises `json.JSONDecodeError` for malformed JSON and `ValueError` when the document holds no such array.
    """
    lines = _LineCounter(text)
    pos = _expect(text, 0, "[{", "'[' or '{'")
    if text[pos] == "[":
        end = _closing(text, pos)
        _ensure_end(text, end)
        yield from _array_items(text, pos, lines)
        return
    value, end = DECODER.raw_decode(text, pos)
    _ensure_end(text, end)
    if not isinstance(value.get(ITEMS_KEY), list):
        raise ValueError(f"a JSON object without a {ITEMS_KEY!r} list")
    start = _data_array_start(text, pos)
    yield from _array_items(text, start, lines)


def _ensure_end(text: str, end: int) -> None:
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip(text, end))


def _data_array_start(text: str, pos: int) -> int:
    """Offset of the "[" of the "data" member of the object at `pos` (already known to be valid JSON)."""
    pos = _skip(text, pos + 1)
    while True:
        key, pos = DECODER.raw_decode(text, pos)
        pos = _skip(text, _expect(text, pos, ":", "':'") + 1)
        if key == ITEMS_KEY:
            return pos
        pos = _expect(text, _closing(text, pos), ",", "','") + 1
        pos = _skip(text, pos)
