"""Result values: a stated number tied to the metric it measures and the dataset it was measured on.

"3.5% higher accuracy on ImageNet", "reduces memory by up to 50%", "a 1.6x speedup", "FID of 2.1": a number with
a unit (%, x, points, dB) goes to the nearest metric mention of its sentence; a bare number only to a metric right
next to it ("BLEU of 28.4", "28.4 BLEU").  The dataset is the nearest dataset mention of the same sentence.  Runs
after the resolver, on its mentions, so results always point at mentions the paper reports.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import RESULTS, Candidate, ResultSpan, mentions, sentences, text_of
from kg.nlp.text import word_set

_VALUE = re.compile(
    r"(?<![\w.,])(?P<value>\d+(?:\.\d+)?)(?![\d.,]\d)"
    r"(?: ?(?P<unit>\\?%|[x\u00d7](?![\w])|times\b|pp\b|points?\b|dB\b))?"
)
_UNITS = {"\\%": "%", "\u00d7": "x", "times": "x", "point": "points", "pp": "points"}
# What may stand between a metric and a bare number: "BLEU of 28.4", "FID: 2.1", "accuracy reaches 91".
_CONNECTORS = word_set("of is = : to reaches reached achieves achieved score scores by up an a only")
_BARE_GAP = 24


class Results:
    """Stores a `ResultSpan` for every number that some metric mention in its sentence reports."""

    def __init__(self, max_gap: int) -> None:
        self.max_gap = max_gap

    def __call__(self, doc: Doc) -> Doc:
        chosen = mentions(doc)
        metrics = [m for m in chosen if m.type == "metric"]
        if not metrics:
            doc.user_data[RESULTS] = ()
            return doc
        text = text_of(doc)
        bounds = sentences(doc)
        datasets = [m for m in chosen if m.type == "dataset"]
        found = []
        done: set[tuple[int, int]] = set()
        for metric in metrics:
            start, end = bounds.span(metric.start)
            if (start, end) in done:
                continue
            done.add((start, end))
            here = [m for m in metrics if start <= m.start < end]
            taken = [(m.start, m.end) for m in chosen if start <= m.start < end]
            for value in _VALUE.finditer(text, start, end):
                if any(a <= value.start() < b for a, b in taken):
                    continue  # digits inside a mention: "CIFAR-10", "8 A100", "top-1 accuracy"
                result = self._result(text, value, here, [d for d in datasets if start <= d.start < end])
                if result is not None:
                    found.append(ResultSpan(*result, sentence_start=start, sentence_end=end))
        doc.user_data[RESULTS] = tuple(found)
        return doc

    def _result(
        self, text: str, value: re.Match[str], metrics: list[Candidate], datasets: list[Candidate]
    ) -> tuple[Candidate, str, str | None, Candidate | None] | None:
        unit = value.group("unit")
        best = min(metrics, key=lambda m: (_gap(m, value.start(), value.end()), m.start))
        gap = _gap(best, value.start(), value.end())
        if unit is None:
            between = text[best.end : value.start()] if best.end <= value.start() else text[value.end() : best.start]
            if gap > _BARE_GAP or not _CONNECTORS.issuperset(between.replace(":", " : ").split()):
                return None
        elif gap > self.max_gap:
            return None
        dataset = min(datasets, key=lambda d: (_gap(d, value.start(), value.end()), d.start)) if datasets else None
        return best, value.group("value"), _UNITS.get(unit, unit) if unit else None, dataset


def _gap(mention: Candidate, start: int, end: int) -> int:
    """Characters between a mention and [start, end)."""
    return max(mention.start - end, start - mention.end, 0)


@Language.factory("kg_results", default_config={"max_gap": 80})
def make_results(nlp: Language, name: str, max_gap: int) -> Results:
    """`max_gap`: the most characters between a number with a unit and the metric it is tied to."""
    return Results(max_gap)
