"""From overlapping candidates to one reading of the text: the longest span wins, then the most confident.

Every rule proposes freely; this is the one place that decides.  Generic phrases ("our method", "neural networks")
are never chosen and never block, so they can never hide a real concept (a surface is judged generic only when its
candidate would be chosen: most candidates are blocked, and a blocked one needs no answer).  Low-confidence guesses
(a coined name typed "method" by default) only fill gaps: they never beat an overlapping typed candidate, however
long.  Candidates that agree on the chosen span pass on what they know (the proposal flag, a vocabulary label, a
hardware count or vendor).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import MENTIONS, Candidate, by_confidence, by_span, by_type, candidates, text_of
from kg.nlp.lexical import pipeline_lexicon
from kg.nlp.text import FUNCTION_WORDS, normal_label, singular
from kg.records import CONCEPT_TYPES
from kg.vocabulary import Lexicon

_TYPE_RANK: dict[str, int] = {kind: rank for rank, kind in enumerate(CONCEPT_TYPES)}
# " 2012", " 5.1", " v2", and the same as tokenized text writes them (" 2 0 1 2", " 5 . 1").
_VERSION = re.compile(r" (?:v ?)?(?:(?:19|20)\d\d|\d+(?: ?\. ?\d+)+|\d(?: \d){3})(?![\w.])")


class Resolver:
    """Chooses non-overlapping mentions among the candidates and stores them under `MENTIONS`."""

    def __init__(self, lexicon: Lexicon, guess_below: float, min_confidence: float) -> None:
        self.lexicon = lexicon
        self.guess_below = guess_below
        self.min_confidence = min_confidence
        # The same surface forms recur in every abstract: decide each one once (bounded memo per component).
        self.generic_surface = lru_cache(maxsize=1 << 16)(self._generic_surface)
        self.dataset_name = dataset_namer(lexicon)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        usable = candidates(doc)
        if usable and min(map(by_confidence, usable)) < self.min_confidence:
            usable = [candidate for candidate in usable if candidate[4] >= self.min_confidence]
        if "dataset" in map(by_type, usable):
            usable = self._with_dataset_forms(text, usable)
        # The resolution order: guesses last, then the longest, the most confident, the first, then by type and
        # source so that the order never depends on the components' order.  Guess and length make one int (spans lie
        # within the text, so a guess's is above any other's), and most comparisons end at that first item.
        guess_below, guess = self.guess_below, len(text) + 1
        priorities = [
            (
                start - end + guess if confidence < guess_below else start - end,
                -confidence,
                start,
                _TYPE_RANK[kind],
                source,
            )
            for start, end, kind, source, confidence, _, _, _, _ in usable
        ]
        generic_surface = self.generic_surface
        taken = bytearray(len(text))
        # The candidates on each chosen span (and type), in priority order: the chosen one first, then the ones it
        # blocks on the very same span, which pass on what they know.
        on_span: dict[tuple[int, int, str], list[Candidate]] = {}
        groups = []  # on_span's list of each chosen candidate
        for index in sorted(range(len(usable)), key=priorities.__getitem__):  # stable: ties keep candidate order
            candidate = usable[index]
            start, end, kind = span = candidate[:3]
            if taken.find(1, start, end) >= 0:
                # Blocked.  One on a chosen span and type shares its surface, so it is no more generic than that.
                same = on_span.get(span)
                if same is not None:
                    same.append(candidate)
                continue
            # Whether a surface is generic matters only here, for a candidate that would be chosen.
            if kind != "dataset" and generic_surface(text[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            # A candidate on a chosen span and type would have been blocked, unless the span is empty.
            same = on_span.get(span) if start == end else None
            if same is None:
                same = on_span[span] = [candidate]
            else:  # only an empty span is never blocked by its own kind
                same.append(candidate)
            groups.append(same)
        chosen = [_merged(same) for same in groups]
        chosen.sort(key=by_span)
        doc.user_data[MENTIONS] = tuple(chosen)
        return doc

    def _with_dataset_forms(self, text: str, found: list[Candidate]) -> list[Candidate]:
        """The candidates with every dataset in its mention form.  A generic dataset is dropped here, on its span as
        proposed (its mention's may be longer); other generic surfaces are dropped when chosen."""
        usable = list(found)
        datasets = [index for index, kind in enumerate(map(by_type, found)) if kind == "dataset"]
        for index in reversed(datasets):
            start, end = found[index][:2]
            if self.generic_surface(text[start:end]):
                del usable[index]
            else:
                usable[index] = self.dataset_form(text, found[index])
        return usable

    def _generic_surface(self, surface: str) -> bool:
        """A phrase that is never a concept (as written or with a singular head), or one of function words only."""
        words = surface.lower().split()
        if not words or all(word in FUNCTION_WORDS for word in words):
            return True
        generic = self.lexicon.generic
        return " ".join(words) in generic or " ".join([*words[:-1], singular(words[-1])]) in generic

    def dataset_form(self, text: str, candidate: Candidate) -> Candidate:
        """A dataset is labelled by its name: "Europarl corpus" is the concept "Europarl" ("Penn Treebank" stays).

        The mention keeps its span, as papers and annotators both write the noun, but not the label.  A year or
        version right after the name is part of the mention ("PASCAL VOC 2012", "CTB 5.1", "COCO 2017").
        """
        if candidate.type != "dataset":
            return candidate
        version = _VERSION.match(text, candidate.end)
        if version is not None:
            candidate = candidate._replace(end=version.end())
        if candidate.label:
            return candidate
        label = self.dataset_name(text[candidate.start : candidate.end])
        return candidate if label is None else candidate._replace(label=label)


def dataset_namer(lexicon: Lexicon) -> Callable[[str], str | None]:
    """`dataset_name` with the lexicon's dataset head nouns ("corpus", "benchmark"), longest first, memoised (the
    same surfaces recur in every abstract)."""
    nouns = tuple(sorted(lexicon.heads.get("dataset", ()), key=len, reverse=True))
    return lru_cache(maxsize=1 << 16)(lambda surface: dataset_name(surface, nouns))


def dataset_name(surface: str, nouns: tuple[str, ...]) -> str | None:
    """The label of the name in "Europarl corpus" ("Europarl"), or None when the surface is no name and noun."""
    for noun in nouns:
        if surface.endswith(" " + noun):  # the lexicon's nouns are lower case: a capitalised one is a name
            rest = surface[: -len(noun)].rstrip()
            if rest != rest.lower():
                return normal_label(rest)
    return None


def _merged(same: list[Candidate]) -> Candidate:
    """The first of candidates on one span, completed with the proposal flag, label, count and vendor of all."""
    chosen = same[0]
    if len(same) == 1:
        return chosen
    start, end, kind, source, confidence, label, proposed, units, vendor = chosen
    label, proposed, vendor = label or None, bool(proposed), vendor or None
    for other in same[1:]:
        if label is None and other.label:
            label = other.label
        if other.proposed:
            proposed = True
        if units is None:
            units = other.units
        if vendor is None and other.vendor:
            vendor = other.vendor
    if (label, proposed, units, vendor) == chosen[5:] and type(chosen.proposed) is bool:
        return chosen  # the others add nothing, as they mostly do not
    return Candidate(start, end, kind, source, confidence, label, proposed, units, vendor)


@Language.factory("kg_resolver", default_config={"guess_below": 0.5, "min_confidence": 0.1})
def make_resolver(nlp: Language, name: str, guess_below: float, min_confidence: float) -> Resolver:
    """`guess_below`: candidates less confident than this only fill gaps left by the others.  Generic phrases
    come from the pipeline's cue lexicon (its kg_tokens component)."""
    return Resolver(pipeline_lexicon(nlp), guess_below, min_confidence)
