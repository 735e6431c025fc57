"""Reader for Hugging Face Daily Papers listings copied as text from the web page.

A listing is a sequence of title / abstract lines, with or without blank lines between them, wrapped in page
boilerplate ("new", "Get trending papers in your email inbox!", "Subscribe", "byAK and the research community",
"Daily Papers") and a listing-date header ("Mar 14"). "Subscribe" can be glued to the first title
("SubscribeActivation Space ..."). Pages of the search view add a metadata block after each abstract::

    <abstract>
      • 8 authors                 or   nyu-visionx NYU VisionX      (organisation: handle, then full name)
    ·
    Mar 7, 2024 1                      (date, optionally followed by the upvote count)

Title or abstract: lines are paired in order. A title is followed by its abstract; when a line that looks like a
title (short, no closing full stop) is itself followed by prose, the earlier line is a title with no abstract
and is rejected. An organisation line is recognised by the "·" line right after it; the author count is not
kept (the page gives a count, no names, and `Paper` has no field for it).

Dates without a year. The page prints the year only for dates outside its own (current) year, so every
yearless date, header included, lies in one year later than every year printed on the page. The rule is:
year = 1 + the latest year printed anywhere in the same file; a file that prints no year leaves yearless dates
as ``date=None``. Nothing comes from the clock or the file's timestamps. (Checked against the API corpus: the
yearless "Oct 13", "Jun 5" and "May 27" of seeds/003, whose latest printed year is 2024, are 2025 papers.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kg.ingest.lines import BadLine, ByteProgress, Limits, Line, iter_lines
from kg.ingest.normalize import count
from kg.ingest.paper import make_paper
from kg.records import Paper, Provenance, Rejected

FORMAT = "hf-listing"

BOILERPLATE = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
        "subscribe",
        "byak and the research community",
        "daily papers",
    }
)
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_DATE = re.compile(r"([A-Za-z]{3,9})\.? +(\d{1,2})(?:, *(\d{4}))?(?: +(\d+))?")
_AUTHORS = re.compile(r"[•·] *(\d+) +authors?", re.IGNORECASE)
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=[A-Z0-9])")
_DOTS = frozenset({"·", "•"})
_SENTENCE_END = (".", "!")
_MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class _Date:
    month: int
    day: int
    year: int | None
    upvotes: int | None


@dataclass(frozen=True)
class _Token:
    kind: str  # "text", "dot", "authors", "date", "bad"
    line: int
    text: str = ""
    date: _Date | None = None


@dataclass
class _Record:
    """The listing being assembled; mutable only inside the parser."""

    title: str
    line: int
    abstract: str | None = None
    organization: str | None = None
    date: _Date | None = None


def _parse_date(text: str) -> _Date | None:
    match = _DATE.fullmatch(text)
    if not match:
        return None
    word, day, year, upvotes = match.groups()
    month = _month_number(word.lower())
    if month is None:
        return None
    return _Date(month, int(day), int(year) if year else None, count(upvotes))


def _month_number(word: str) -> int | None:
    """1-12 for a month name or its abbreviation of at least three letters ("Mar", "Sept", "March")."""
    return next((i for i, name in enumerate(_MONTH_NAMES, start=1) if name.startswith(word)), None)


def _classify(item: Line | BadLine) -> _Token | None:
    """One token per meaningful line; blank lines and boilerplate give None."""
    if isinstance(item, BadLine):
        return _Token("bad", item.number, item.reason)
    text = item.text.strip()
    if not text or text.casefold() in BOILERPLATE:
        return None
    if text in _DOTS:
        return _Token("dot", item.number)
    if _AUTHORS.fullmatch(text):
        return _Token("authors", item.number, text)
    parsed = _parse_date(text)
    if parsed is not None:
        return _Token("date", item.number, text, parsed)
    return _Token("text", item.number, _GLUED_SUBSCRIBE.sub("", text, count=1))


def _is_prose(text: str) -> bool:
    """Abstract-like: longer than any title, or closed by a full stop as sentences are and titles are not."""
    return len(text) > _MAX_TITLE_CHARS or text.endswith(_SENTENCE_END)


def page_year(path: Path, limits: Limits) -> int | None:
    """The page's own year: one after the latest year printed in a date line of the file (see module doc)."""
    years = [
        parsed.year
        for item in iter_lines(path, limits)
        if isinstance(item, Line) and len(item.text) < 64
        and (parsed := _parse_date(item.text.strip())) is not None and parsed.year is not None
    ]  # fmt: skip
    return max(years) + 1 if years else None


class _Parser:
    """Pairs titles with abstracts and attaches metadata blocks; yields Papers and Rejected in line order."""

    def __init__(self, source: str, year: int | None) -> None:
        self.source = source
        self.year = year
        self.current: _Record | None = None
        self.after_dot = False

    def feed(self, token: _Token, following: _Token | None) -> Iterator[Paper | Rejected]:
        """Consume one token; `following` is the next one (None at the end), the parser's only lookahead."""
        after_dot, self.after_dot = self.after_dot, token.kind == "dot"
        if token.kind == "bad":
            yield from self._bad_line(token)
        elif token.kind == "text" and self._is_organization(token, following):
            yield from self._meta(organization=token.text)
        elif token.kind == "text":
            yield from self._text(token, following)
        elif token.kind in ("dot", "authors") or (token.kind == "date" and after_dot):
            yield from self._meta(when=token.date)
        # A date not preceded by "·" is the listing-date header: it dates the page, not a paper.

    def _bad_line(self, token: _Token) -> Iterator[Paper | Rejected]:
        """An unreadable line right after a title was its abstract: one record lost, one Rejected."""
        reason = token.text
        if self.current is not None and self.current.abstract is None:
            reason += f", the abstract of the title on line {self.current.line}"
            self.current = None
        yield from self._flush()
        yield Rejected(self.source, token.line, reason)

    def _is_organization(self, token: _Token, following: _Token | None) -> bool:
        """An organisation line sits between a complete abstract and the "·" of the metadata block."""
        complete = self.current is not None and self.current.abstract is not None
        return complete and following is not None and following.kind == "dot" and not _is_prose(token.text)

    def finish(self) -> Iterator[Paper | Rejected]:
        yield from self._flush()

    def _text(self, token: _Token, following: _Token | None) -> Iterator[Paper | Rejected]:
        record = self.current
        next_is_prose = following is not None and following.kind == "text" and _is_prose(following.text)
        if record is not None and record.abstract is None:
            if not _is_prose(token.text) and next_is_prose:
                yield Rejected(self.source, record.line, "title with no abstract")
                self.current = _Record(token.text, token.line)
            else:
                record.abstract = token.text
            return
        yield from self._flush()
        if _is_prose(token.text) and not next_is_prose:
            yield Rejected(self.source, token.line, "text with no title before it")
        else:
            self.current = _Record(token.text, token.line)

    def _meta(self, organization: str | None = None, when: _Date | None = None) -> Iterator[Paper | Rejected]:
        """Attach a metadata line to the complete record; a date ends the block and the record."""
        record = self.current
        if record is None:
            return
        if record.abstract is None:
            yield from self._drop_open_title()
            return
        if organization is not None:
            record.organization = organization
        if when is not None:
            record.date = when
            yield from self._flush()

    def _drop_open_title(self) -> Iterator[Rejected]:
        if self.current is not None and self.current.abstract is None:
            yield Rejected(self.source, self.current.line, "title with no abstract")
            self.current = None

    def _flush(self) -> Iterator[Paper | Rejected]:
        record, self.current = self.current, None
        if record is None:
            return
        if record.abstract is None:
            yield Rejected(self.source, record.line, "title with no abstract")
            return
        upvotes = record.date.upvotes if record.date else None
        yield make_paper(
            title=record.title,
            abstract=record.abstract,
            provenance=Provenance(self.source, record.line, FORMAT),
            date=self._iso(record.date),
            organization=_organization_name(record.organization),
            upvotes=upvotes,
        )

    def _iso(self, when: _Date | None) -> str | None:
        if when is None:
            return None
        year = when.year or self.year
        if year is None:
            return None
        try:
            return date(year, when.month, when.day).isoformat()
        except ValueError:
            return None


def _organization_name(line: str | None) -> str | None:
    """The display name from "nyu-visionx NYU VisionX" (handle, then full name); the handle if alone."""
    if not line:
        return None
    handle, _, full = line.partition(" ")
    return full.strip() or handle


def read(path: Path, source: str, limits: Limits, progress: ByteProgress | None = None) -> Iterator[Paper | Rejected]:
    """Stream the listings of one text file (see the module docstring for the grammar and the date rule)."""
    parser = _Parser(source, page_year(path, limits))
    previous: _Token | None = None
    for item in iter_lines(path, limits, progress):
        token = _classify(item)
        if token is None:
            continue
        if previous is not None:
            yield from parser.feed(previous, token)
        previous = token
    if previous is not None:
        yield from parser.feed(previous, None)
    yield from parser.finish()
