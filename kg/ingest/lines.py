"""Bounded, line-by-line reading of text files in binary mode.

Every text reader goes through `iter_lines` so that the same guarantees hold everywhere:

* memory stays bounded by one chunk plus one line of at most `Limits.max_line_bytes`: a longer line is skipped
  chunk by chunk (never held) and reported as a `BadLine` with its size;
* each line is decoded on its own, so one invalid UTF-8 sequence costs that line only, not the whole file;
* a file whose first chunk holds NUL bytes is binary, which none of the text formats can be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1 << 16
BINARY_SNIFF_BYTES = 8192
UTF8_BOM = b"\xef\xbb\xbf"

ByteProgress = Callable[[int], None]
"""Called with the number of bytes of the current file consumed so far."""


@dataclass(frozen=True)
class Limits:
    """Size limits that keep one pathological input from exhausting memory."""

    max_line_bytes: int = 10 * 1024 * 1024
    max_json_bytes: int = 32 * 1024 * 1024


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Line:
    """One decoded line, without its line terminator; `number` is 1-based."""

    number: int
    text: str


@dataclass(frozen=True)
class BadLine:
    """A line that could not be used as text: too long, or not valid UTF-8."""

    number: int
    reason: str


def is_binary(head: bytes) -> bool:
    """NUL bytes never occur in the UTF-8 text formats we read, but are common in binary files."""
    return b"\x00" in head


def read_head(path: Path, size: int = BINARY_SNIFF_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _decode(number: int, raw: bytes) -> Line | BadLine:
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return Line(number, raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return BadLine(number, f"invalid UTF-8 (at byte {error.start})")


def iter_lines(
    path: Path, limits: Limits = DEFAULT_LIMITS, progress: ByteProgress | None = None
) -> Iterator[Line | BadLine]:
    """Yield every line of `path` as a `Line`, or a `BadLine` when it is too long or not UTF-8.

    A final line without a newline is still yielded. A leading UTF-8 byte-order mark is dropped.
    """
    number = 0
    pending = bytearray()  # the start of the current line, never longer than the limit
    overflow = 0  # bytes of the current line seen so far once it went over the limit (0: not over)
    consumed = 0
    first = True
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            consumed += len(chunk)
            if first:
                chunk = chunk.removeprefix(UTF8_BOM)
                first = False
            start = 0
            while (end := chunk.find(b"\n", start)) != -1:
                number += 1
                if overflow:
                    yield BadLine(number, f"line too long ({overflow + end - start} bytes)")
                    overflow = 0
                else:
                    pending += chunk[start:end]
                    yield _too_long(number, len(pending), limits) or _decode(number, bytes(pending))
                pending.clear()
                start = end + 1
            rest = chunk[start:]
            if overflow:
                overflow += len(rest)
            elif len(pending) + len(rest) > limits.max_line_bytes:
                overflow = len(pending) + len(rest)
                pending.clear()
            else:
                pending += rest
            if progress is not None:
                progress(consumed)
    if overflow:
        yield BadLine(number + 1, f"line too long ({overflow} bytes)")
    elif pending:
        yield _too_long(number + 1, len(pending), limits) or _decode(number + 1, bytes(pending))


def _too_long(number: int, size: int, limits: Limits) -> BadLine | None:
    return BadLine(number, f"line too long ({size} bytes)") if size > limits.max_line_bytes else None
