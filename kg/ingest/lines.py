"""Bounded, line-by-line reading of text files in binary mode.

Every text reader goes through `iter_lines` (or `read_utf8` for a whole document) so that the same guarantees hold
everywhere:

* memory stays bounded by one chunk plus one line of at most `Limits.max_line_bytes`: a longer line is skipped
  chunk by chunk (never held) and reported as a `BadLine` with its size;
* each line is decoded on its own, so one invalid UTF-8 sequence costs that line only, not the whole file;
* the encoding is read from the first bytes (`text_encoding`): UTF-8 (with or without a byte-order mark), and
  UTF-16 or UTF-32 (with a byte-order mark, or UTF-16 recognised by its zero bytes), which are transcoded to UTF-8
  as they stream; a file is binary only when its first bytes are neither, so one stray NUL in a text file costs
  the line holding it, not the file;
* line ends are LF, CRLF, or bare CR (old Mac text) when the first bytes hold CRs and no LF.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1 << 16
SNIFF_BYTES = 1 << 16
UTF8 = "utf-8"

ByteProgress = Callable[[int], None]
"""Called with the number of bytes of the current file consumed so far."""

# Longest first: the UTF-32 little-endian mark starts with the UTF-16 one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, UTF8),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# UTF-8 text may hold a few stray NUL bytes (each costs its line); binary files hold more, or are not UTF-8.
_MAX_STRAY_NULS = 8
_MAX_STRAY_NUL_SHARE = 0.01


@dataclass(frozen=True)
class Limits:
    """Size limits that keep one pathological input from exhausting memory or the extractor.

    `max_text_chars` bounds a record's title plus abstract: a longer record is rejected at ingest (see
    `kg.ingest.pipeline`), so the extractor never sees text near spaCy's `max_length` (1,000,000 characters).
    """

    max_line_bytes: int = 10 * 1024 * 1024
    max_json_bytes: int = 32 * 1024 * 1024
    max_text_chars: int = 100_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Line:
    """One decoded line, without its line terminator; `number` is 1-based."""

    number: int
    text: str


@dataclass(frozen=True)
class BadLine:
    """A line that could not be used as text: too long, or not valid UTF-8.

    `quotes` counts its double-quote bytes, all a CSV reader needs to stay in step past a line it cannot read.
    """

    number: int
    reason: str
    quotes: int = 0


@dataclass(frozen=True)
class TextEncoding:
    """How a text file is stored: its codec, the length of its byte-order mark, and whether lines end in bare CR."""

    codec: str = UTF8
    bom: int = 0
    cr_lines: bool = False


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def text_encoding(head: bytes) -> TextEncoding | None:
    """The encoding of a file that starts with `head`, or None when it is binary (no text format can be)."""
    codec, bom = _codec(head)
    if codec is None:
        return None
    text = head[bom:].decode(codec, errors="ignore")
    return TextEncoding(codec, bom, "\r" in text and "\n" not in text)


def is_binary(head: bytes) -> bool:
    return text_encoding(head) is None


def head_text(head: bytes, encoding: TextEncoding) -> str:
    """The first bytes of a file as text, for format detection (a character cut at the end is dropped)."""
    text = head[encoding.bom :].decode(encoding.codec, errors="replace").rstrip("\ufffd")
    return text.replace("\r", "\n") if encoding.cr_lines else text


def _codec(head: bytes) -> tuple[str | None, int]:
    for mark, codec in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return codec, len(mark)
    if b"\x00" not in head:
        return UTF8, 0
    utf16 = _utf16_without_mark(head)
    if utf16 is not None:
        return utf16, 0
    if head.count(0) <= max(_MAX_STRAY_NULS, _MAX_STRAY_NUL_SHARE * len(head)) and _valid_utf8(head):
        return UTF8, 0
    return None, 0


def _utf16_without_mark(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark, recognised by text's many zero high bytes, all on one side."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0) / pairs, head[1 : 2 * pairs : 2].count(0) / pairs
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def _valid_utf8(head: bytes) -> bool:
    """Whether `head` is UTF-8, but for a character cut at its end (the head is a prefix of the file)."""
    try:
        head.decode(UTF8)
    except UnicodeDecodeError as error:
        return error.reason == "unexpected end of data" and error.start >= len(head) - 3
    return True


def utf8_chunks(path: Path) -> Iterator[tuple[bytes, int]]:
    """The file's text as UTF-8 bytes, chunk by chunk, each with the number of the file's bytes read so far.

    UTF-8 passes through untouched (invalid sequences stay for the line decoder to report); UTF-16 and UTF-32 are
    decoded incrementally (a malformed code unit becomes U+FFFD) and re-encoded; bare CR line ends become LF.
    """
    encoding = text_encoding(read_head(path)) or TextEncoding()
    decoder = None if encoding.codec == UTF8 else codecs.getincrementaldecoder(encoding.codec)(errors="replace")
    with path.open("rb") as handle:
        consumed = len(handle.read(encoding.bom))
        while chunk := handle.read(CHUNK_BYTES):
            consumed += len(chunk)
            yield _recoded(chunk, decoder, encoding.cr_lines), consumed
        if decoder is not None:
            yield _recoded(b"", decoder, encoding.cr_lines, final=True), consumed


def _recoded(chunk: bytes, decoder: codecs.IncrementalDecoder | None, cr_lines: bool, final: bool = False) -> bytes:
    if decoder is not None:
        chunk = decoder.decode(chunk, final).encode(UTF8, errors="surrogatepass")
    return chunk.replace(b"\r", b"\n") if cr_lines else chunk


def read_utf8(path: Path) -> bytes:
    """The whole file as UTF-8 bytes (see `utf8_chunks`); for documents small enough to hold."""
    return b"".join(chunk for chunk, _ in utf8_chunks(path))


def _decode(number: int, raw: bytes) -> Line | BadLine:
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        return Line(number, raw.decode(UTF8))
    except UnicodeDecodeError as error:
        return BadLine(number, f"invalid UTF-8 (at byte {error.start})", raw.count(b'"'))


def iter_lines(
    path: Path, limits: Limits = DEFAULT_LIMITS, progress: ByteProgress | None = None
) -> Iterator[Line | BadLine]:
    """Yield every line of `path` as a `Line`, or a `BadLine` when it is too long or not UTF-8.

    A final line without a newline is still yielded. A leading byte-order mark is dropped; line lengths are
    counted in UTF-8 bytes whatever the file's encoding (see `utf8_chunks`).
    """
    number = 0
    pending = bytearray()  # the start of the current line, never longer than the limit
    overflow = 0  # bytes of the current line seen so far once it went over the limit (0: not over)
    quotes = 0  # double quotes in those bytes
    for chunk, consumed in utf8_chunks(path):
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            number += 1
            if overflow:
                overflow += end - start
                yield _too_long(number, overflow, quotes + chunk.count(b'"', start, end))
                overflow = quotes = 0
            else:
                pending += chunk[start:end]
                yield _checked(number, pending, limits)
            pending.clear()
            start = end + 1
        if overflow:
            overflow += len(chunk) - start
            quotes += chunk.count(b'"', start)
        elif len(pending) + len(chunk) - start > limits.max_line_bytes:
            overflow = len(pending) + len(chunk) - start
            quotes = pending.count(b'"') + chunk.count(b'"', start)
            pending.clear()
        else:
            pending += chunk[start:]
        if progress is not None:
            progress(consumed)
    if overflow:
        yield _too_long(number + 1, overflow, quotes)
    elif pending:
        yield _checked(number + 1, pending, limits)


def _checked(number: int, raw: bytearray, limits: Limits) -> Line | BadLine:
    if len(raw) > limits.max_line_bytes:
        return _too_long(number, len(raw), raw.count(b'"'))
    return _decode(number, bytes(raw))


def _too_long(number: int, size: int, quotes: int) -> BadLine:
    return BadLine(number, f"line too long ({size} bytes)", quotes)
