"""The records the pipeline components exchange through a Doc, and the helpers that read and write them.

Components work in character offsets into the text as read (`text_of`; regex rules find them directly, token rules
convert), so every component speaks the same unit and the resolver can compare spans from any source.  They are
kept in `doc.user_data` rather than in Span extensions, which would be process-wide registrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

from spacy.tokens import Doc

from kg.nlp.sentences import Sentences

CANDIDATES = "kg.candidates"  # list[Candidate]: every proposal of every component, overlapping
MENTIONS = "kg.mentions"  # tuple[Candidate, ...]: the resolver's non-overlapping choice, in text order
RESULTS = "kg.results"  # tuple[ResultSpan, ...]
PAIRS = "kg.abbreviations"  # tuple[AbbreviationPair, ...]
TEXT = "kg.text"  # str: the text as read (doc.text is rebuilt from the tokens on every access, and may be blanked)
SENTENCES = "kg.sentences"  # Sentences of doc.text, computed once on first use
TITLE_END = "kg.title_end"  # int: the text is "title\n\nabstract" and the title ends here (absent: no title)


class Candidate(NamedTuple):
    """A typed span some rule believes denotes a concept.

    `label` is the canonical label when the rule knows it (a vocabulary prefLabel, or the long form of an
    abbreviation); otherwise canonicalisation derives one from the text.  A NamedTuple rather than a frozen
    dataclass: dozens are made per abstract, and a tuple is built several times faster.
    """

    start: int
    end: int
    type: str
    source: str
    confidence: float
    label: str | None = None
    proposed: bool = False
    units: int | None = None  # hardware: "8 GPUs" -> 8 (not `count`, which tuples already have)
    vendor: str | None = None

    @property
    def length(self) -> int:
        return self.end - self.start


# Field getters for candidates, as sort keys or for `map`: a Candidate is a tuple, and `itemgetter` reads its fields
# without a Python-level call per candidate.
by_start = itemgetter(0)  # a candidate's start
by_span = itemgetter(0, 1)  # a candidate's (start, end)
by_end = itemgetter(1)  # a candidate's end
by_type = itemgetter(2)  # a candidate's type
by_confidence = itemgetter(4)  # a candidate's confidence


def make_candidate(
    start: int, end: int, kind: str, source: str, confidence: float, label: str | None = None, proposed: bool = False
) -> Candidate:
    """Candidate(start, end, kind, source, confidence, label, proposed), with no count or vendor, built as the tuple
    it is: the NamedTuple's own constructor goes through its keyword-handling `__new__` (measured 250 ns, against
    185 ns for this call), and the rules make dozens per abstract."""
    return tuple.__new__(Candidate, (start, end, kind, source, confidence, label, proposed, None, None))


@dataclass(frozen=True)
class AbbreviationPair:
    """ "Low-Rank Adaptation (LoRA)": the long form's span and the short form as written; once typed, the type and
    canonical label of the concept both forms denote."""

    long_start: int
    long_end: int
    short: str
    short_start: int
    short_end: int
    type: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class ResultSpan:
    """A stated number tied to a metric mention, with the dataset mention of the same sentence if there is one."""

    metric: Candidate
    value: str
    unit: str | None
    dataset: Candidate | None
    sentence_start: int
    sentence_end: int


def candidates(doc: Doc) -> list[Candidate]:
    """The doc's growing list of candidates (created empty on first use)."""
    found: list[Candidate] = doc.user_data.setdefault(CANDIDATES, [])
    return found


def mentions(doc: Doc) -> tuple[Candidate, ...]:
    """The resolved mentions; empty until the resolver has run."""
    chosen: tuple[Candidate, ...] = doc.user_data.get(MENTIONS, ())
    return chosen


def sentences(doc: Doc) -> Sentences:
    """The doc's sentence ranges, computed on first use and shared by every later reader."""
    found: Sentences | None = doc.user_data.get(SENTENCES)
    if found is None:
        found = doc.user_data[SENTENCES] = Sentences.of(text_of(doc))
    return found


def text_of(doc: Doc) -> str:
    """The doc's text, joined from its tokens once and kept (`doc.text` joins them again on every access)."""
    text: str | None = doc.user_data.get(TEXT)
    if text is None:
        text = doc.user_data[TEXT] = doc.text
    return text
