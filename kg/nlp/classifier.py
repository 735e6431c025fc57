"""The learned extractor's decision: which candidate concepts a paper is linked to, of which type.

It takes the resolver's place in the pipeline.  The rules have proposed typed spans; the word n-grams add every
short phrase that could be a name (`kg.nlp.ngrams`); `kg.nlp.concepts` groups them per concept; the model
(`kg.nlp.model`, fitted by `kg train`) judges each concept from its features.  A kept concept's occurrences become
its mentions, longest first where they overlap, each with the calibrated confidence of its concept and the label
the concept is known by: the vocabulary's, the long form of an abbreviation pair, or the long form the corpus
gives an acronym, so "GRPO" in one paper and "Group Relative Policy Optimization" in another are one node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import MENTIONS, TITLE_END, Candidate, candidates, text_of
from kg.nlp.concepts import ConceptCandidate, concept_candidates
from kg.nlp.corpus_stats import STATS_FILE, CorpusStats
from kg.nlp.features import Evidence, Features, PaperContext, candidate_features
from kg.nlp.lexical import pipeline_lexicon
from kg.nlp.model import MODEL_FILE, ConceptModel
from kg.nlp.ngrams import Phrase
from kg.nlp.resolver import dataset_namer
from kg.nlp.text import is_name_like, normal_label
from kg.vocabulary import Lexicon

SOURCE = "learned"
_KNOWING = ("gazetteer", "hardware")  # rules whose labels come from the vocabulary
HARDWARE_RULE_CONFIDENCE = 0.9  # the hardware rules' measured precision on hf-dev (README)


@dataclass(frozen=True)
class Judged:
    """A candidate concept with the model's verdict."""

    candidate: ConceptCandidate
    type: str
    confidence: float
    proposed: bool


class Classifier:
    def __init__(self, lexicon: Lexicon, model: ConceptModel, stats: CorpusStats) -> None:
        self.model = model
        self.evidence = Evidence.of(stats, lexicon)
        self.dataset_name = dataset_namer(lexicon)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        found = self.candidates(doc)
        judged = self.judge(found, self.features(doc, found))
        doc.user_data[MENTIONS] = tuple(self.mentions(text, judged))
        return doc

    def keeps_phrase(self, phrase: Phrase) -> bool:
        """An n-gram is judged when no filtered word bounds it and it looks like a name or the corpus uses it."""
        return self.model.phrase_filter(phrase) and worth_judging(phrase.words, phrase.key, self.evidence.stats)

    def candidates(self, doc: Doc) -> list[ConceptCandidate]:
        return concept_candidates(text_of(doc), candidates(doc), self.keeps_phrase)

    def features(self, doc: Doc, found: list[ConceptCandidate]) -> list[Features]:
        text = text_of(doc)
        paper = PaperContext(text, doc.user_data.get(TITLE_END, 0))
        return [candidate_features(candidate, paper, self.evidence) for candidate in found]

    def judge(self, found: list[ConceptCandidate], features: list[Features]) -> list[Judged]:
        """The candidates the model keeps, with their type, calibrated confidence and proposal flag."""
        if not found:
            return []
        best, raw = self.model.decide(features)
        # Hardware names are few and closed-class, and the hardware rules know them better than a model fitted on
        # a few dozen examples: a candidate they found is hardware.
        hardware = self.model.types.classes.index("hardware")
        for row, candidate in enumerate(found):
            if any(rule.type == "hardware" for rule in candidate.rules):
                best[row], raw[row] = hardware, max(raw[row], HARDWARE_RULE_CONFIDENCE)
        kept = np.flatnonzero(best >= 0)
        if not len(kept):
            return []
        confidence = self.model.calibration(raw[kept])
        proposed = self.model.proposed.probabilities([features[row] for row in kept])[:, 0] >= 0.5
        return [
            Judged(found[row], self.model.types.classes[best[row]], float(round(score, 4)), bool(flag))
            for row, score, flag in zip(kept, confidence, proposed, strict=True)
        ]

    def mentions(self, text: str, judged: list[Judged]) -> list[Candidate]:
        """Each kept concept's occurrences, hardware first where they overlap, then the longest, then the more
        confident."""
        spans = [(start, end, verdict) for verdict in judged for start, end in verdict.candidate.spans]
        # Hardware first: its rules are precise, and "8 GPUs" must not lose its count to a longer phrase.
        spans.sort(key=lambda item: (item[2].type != "hardware", item[0] - item[1], -item[2].confidence, item[0]))
        facts = {id(verdict): self._facts(verdict, text) for verdict in judged}
        taken = np.zeros(len(text) + 1, dtype=bool)
        chosen = []
        for start, end, verdict in spans:
            if taken[start:end].any():
                continue
            taken[start:end] = True
            label, on_span = facts[id(verdict)]
            chosen.append(self._mention(start, end, verdict, label, on_span.get((start, end), ())))
        chosen.sort(key=lambda candidate: (candidate.start, candidate.end))
        return chosen

    def _facts(self, verdict: Judged, text: str) -> tuple[str | None, dict[tuple[int, int], list[Candidate]]]:
        """A kept concept's label, and its rule candidates of the chosen type by span (read once per concept: a
        pathological text repeats one name thousands of times)."""
        typed = [rule for rule in verdict.candidate.rules if rule.type == verdict.type]
        on_span: dict[tuple[int, int], list[Candidate]] = {}
        for rule in typed:
            on_span.setdefault((rule.start, rule.end), []).append(rule)
        return self.label(verdict, typed, text), on_span

    def _mention(
        self, start: int, end: int, verdict: Judged, label: str | None, exact: Sequence[Candidate]
    ) -> Candidate:
        kind = verdict.type
        units = next((rule.units for rule in exact if rule.units is not None), None)
        vendor = next((rule.vendor for rule in exact if rule.vendor), None)
        proposed = (verdict.proposed and kind == "method") or (kind == "dataset" and any(r.proposed for r in exact))
        return Candidate(start, end, kind, SOURCE, verdict.confidence, label, proposed, units, vendor)

    def label(self, verdict: Judged, typed_rules: list[Candidate], text: str) -> str | None:
        """The label a rule knows (the vocabulary's or a hardware family's first), else the long form of the
        paper's or the corpus's abbreviation pair, else none
        (canonicalisation labels the concept from its text)."""
        known = sorted((not rule.source.startswith(_KNOWING), rule.label) for rule in typed_rules if rule.label)
        if known:
            return known[0][1]
        candidate = verdict.candidate
        if verdict.type == "dataset":  # "MATH benchmark" is the dataset MATH, as the rules label it
            named = self.dataset_name(candidate.long_form or candidate.surface(text))
            if named:
                return named
        if candidate.long_form is not None:
            return normal_label(candidate.long_form)
        expansion = self.evidence.stats.expansions.get(candidate.key)
        return normal_label(expansion) if expansion else None


def worth_judging(words: Sequence[str], key: str, stats: CorpusStats) -> bool:
    """An n-gram looks like a name, or the corpus uses it: anything else is too rare to be judged."""
    return any(map(is_name_like, words)) or stats.of(key) is not None


@Language.factory("kg_classifier", default_config={"model": "", "stats": ""})
def make_classifier(nlp: Language, name: str, model: str, stats: str) -> Classifier:
    """`model` and `stats`: the files `kg train` writes; empty for the ones shipped in the package."""
    return Classifier(
        pipeline_lexicon(nlp),
        ConceptModel.load(Path(model) if model else MODEL_FILE),
        CorpusStats.load(Path(stats) if stats else STATS_FILE),
    )
