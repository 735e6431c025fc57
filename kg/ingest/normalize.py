"""Text normalisation shared by every reader: titles, wrapped abstracts, arXiv ids and dates.

Why one module: deduplication compares what different readers produced, so they must all normalise the same way.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from email.utils import parsedate_to_datetime

_SPACES = re.compile(r"\s+")
# Control characters and lone surrogates (JSON can encode them) are invalid in XML exports and in UTF-8.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# A hyphen at a line end (a literal first character keeps the scan fast); `_glue_hyphen` decides what it joins.
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\n[ \t]*")
_CONJUNCTION = re.compile(r"(?:and|or|nor|to|vs)\b")

_TRAILING_PUNCTUATION = frozenset({"Po", "Pd"})  # other punctuation (.,;:!?) and dashes
_MODERN_ARXIV = re.compile(r"\d{4}\.\d{4,5}")
_OLD_ARXIV = re.compile(r"[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7}")
_ARXIV_VERSION = re.compile(r"v\d+$")
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf|html)/([^\s?#]+)", re.IGNORECASE)
MAX_COUNT_DIGITS = 18  # counts stay below 10**18, within xsd:long, whatever the input claims


def collapse(text: str) -> str:
    """Single spaces, no leading or trailing whitespace, no control characters."""
    return _SPACES.sub(" ", _UNPRINTABLE.sub("", text)).strip()


def join_wrapped(text: str) -> str:
    """Undo hard line wrapping: a line break inside a paragraph becomes one space.

    A hyphen at a line end is part of the text: "multi-\\nmodal" becomes "multi-modal" (no space), except before
    "and"/"or"/"to", where it is a suspended hyphen ("low- and high-resolution"), and after a free-standing
    dash. Blank lines separate paragraphs and are kept as one blank line.
    """
    if "\n" not in text:
        return collapse(text)
    paragraphs = _PARAGRAPH_BREAK.split(text.strip())
    joined = (collapse(_LINE_END_HYPHEN.sub(_glue_hyphen, paragraph)) for paragraph in paragraphs)
    return "\n\n".join(p for p in joined if p)


def _glue_hyphen(match: re.Match[str]) -> str:
    """Glue a word split after its hyphen ("pre-\ntrained", "GPT-\n4"); keep the break, which `collapse`
    makes one space, after a free-standing dash ("data -\nfast") or a suspended hyphen ("low-\nand high-")."""
    text, start, end = match.string, match.start(), match.end()
    word_before = start > 0 and text[start - 1].isalnum()
    word_after = end < len(text) and text[end].isalnum() and not _CONJUNCTION.match(text, end)
    return "-" if word_before and word_after else match.group()


def normalize_title(title: str) -> str:
    """The dedup form of a title: NFKC, case-folded, single spaces, no trailing punctuation.

    Only sentence punctuation and dashes are stripped ("Title." = "Title?" = "Title"); closing brackets and
    quotes stay, so "Model (XYZ)" keeps its balance.
    """
    folded = collapse(unicodedata.normalize("NFKC", title).casefold())
    end = len(folded)
    while end and (unicodedata.category(folded[end - 1]) in _TRAILING_PUNCTUATION or folded[end - 1].isspace()):
        end -= 1
    return folded[:end]


def arxiv_id(value: str | None) -> str | None:
    """The versionless arXiv id in `value` (a bare id or an arxiv.org URL), else None."""
    if not value:
        return None
    text = value.strip()
    match = _ARXIV_URL.search(text)
    if match:
        text = match.group(1).rstrip("/").removesuffix(".pdf")
    text = text.removeprefix("arXiv:").removeprefix("arxiv:")
    text = _ARXIV_VERSION.sub("", text)
    if _MODERN_ARXIV.fullmatch(text) or _OLD_ARXIV.fullmatch(text):
        return text
    return None


def count(value: object) -> int | None:
    """A count (upvotes, stars) from an integer or a string of ASCII digits, else None.

    A bad count costs that field only: "²" (a digit to `str.isdigit`, not to `int`), negatives, fractions and
    numbers of more than MAX_COUNT_DIGITS digits give None rather than an error or an absurd value.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**MAX_COUNT_DIGITS else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= MAX_COUNT_DIGITS:
            return int(text)
    return None


def iso_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from an ISO date/datetime string or an RFC 2822 date, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None
