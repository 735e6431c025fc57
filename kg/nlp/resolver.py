"""From overlapping candidates to one reading of the text: the longest span wins, then the most confident.

Every rule proposes freely; this is the one place that decides.  Generic phrases ("our method", "neural networks")
are dropped first, so they can never hide a real concept.  Low-confidence guesses (a coined name typed "method" by
default) only fill gaps: they never beat an overlapping typed candidate, however long.  Candidates that agree on
the chosen span pass on what they know (the proposal flag, a vocabulary label, a hardware count or vendor).
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import MENTIONS, Candidate, candidates, text_of
from kg.nlp.lexical import pipeline_lexicon
from kg.nlp.text import FUNCTION_WORDS, normal_label, singular
from kg.records import CONCEPT_TYPES
from kg.vocabulary import Lexicon

# " 2012", " 5.1", " v2", and the same as tokenized text writes them (" 2 0 1 2", " 5 . 1").
_VERSION = re.compile(r" (?:v ?)?(?:(?:19|20)\d\d|\d+(?: ?\. ?\d+)+|\d(?: \d){3})(?![\w.])")


class Resolver:
    """Chooses non-overlapping mentions among the candidates and stores them under `MENTIONS`."""

    def __init__(self, lexicon: Lexicon, guess_below: float, min_confidence: float) -> None:
        self.lexicon = lexicon
        self.guess_below = guess_below
        self.min_confidence = min_confidence
        self.dataset_nouns = sorted(lexicon.heads.get("dataset", ()), key=len, reverse=True)
        # The same surface forms recur in every abstract: decide each one once (bounded memo per component).
        self.generic_surface = lru_cache(maxsize=1 << 16)(self._generic_surface)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        usable = [
            self.dataset_form(text, c)
            for c in candidates(doc)
            if c.confidence >= self.min_confidence and not self.generic_surface(text[c.start : c.end])
        ]
        usable.sort(key=self._priority)
        by_span: dict[tuple[int, int, str], list[Candidate]] = {}
        for candidate in usable:
            by_span.setdefault((candidate.start, candidate.end, candidate.type), []).append(candidate)
        taken = bytearray(len(text))
        chosen = []
        for candidate in usable:
            if any(taken[candidate.start : candidate.end]):
                continue
            taken[candidate.start : candidate.end] = b"\x01" * candidate.length
            chosen.append(_merged(by_span[(candidate.start, candidate.end, candidate.type)]))
        doc.user_data[MENTIONS] = tuple(sorted(chosen, key=lambda c: (c.start, c.end)))
        return doc

    def _priority(self, c: Candidate) -> tuple[int, int, float, int, int, str]:
        guess = 1 if c.confidence < self.guess_below else 0
        return (guess, -c.length, -c.confidence, c.start, CONCEPT_TYPES.index(c.type), c.source)

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
        surface = text[candidate.start : candidate.end]
        for noun in self.dataset_nouns:
            if surface.endswith(" " + noun):  # the lexicon's nouns are lower case: a capitalised one is a name
                rest = surface[: -len(noun)].rstrip()
                if rest != rest.lower():
                    return candidate._replace(label=normal_label(rest))
        return candidate


def _merged(same: list[Candidate]) -> Candidate:
    """The first of candidates on one span, completed with the proposal flag, label, count and vendor of all."""
    chosen = same[0]
    if len(same) == 1:
        return chosen
    labelled = [c for c in same if c.label]
    return Candidate(
        chosen.start,
        chosen.end,
        chosen.type,
        chosen.source,
        chosen.confidence,
        label=chosen.label or (labelled[0].label if labelled else None),
        proposed=any(c.proposed for c in same),
        units=next((c.units for c in same if c.units is not None), None),
        vendor=next((c.vendor for c in same if c.vendor), None),
    )


@Language.factory("kg_resolver", default_config={"guess_below": 0.5, "min_confidence": 0.1})
def make_resolver(nlp: Language, name: str, guess_below: float, min_confidence: float) -> Resolver:
    """`guess_below`: candidates less confident than this only fill gaps left by the others.  Generic phrases
    come from the pipeline's cue lexicon (its kg_tokens component)."""
    return Resolver(pipeline_lexicon(nlp), guess_below, min_confidence)
