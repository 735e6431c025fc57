"""Result values: a stated number tied to the metric it measures and the dataset it was measured on.

"3.5% higher accuracy on ImageNet", "reduces memory by up to 50%", "a 1.6x speedup", "FID of 2.1": a number with
a unit (%, x, points, dB) goes to the nearest metric mention of its sentence; a bare number only to a metric right
next to it ("BLEU of 28.4", "28.4 BLEU").  The dataset is the nearest dataset mention of the same sentence.  Runs
after the resolver, on its mentions, so results always point at mentions the paper reports.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import RESULTS, Candidate, ResultSpan, by_type, mentions, sentences, text_of
from kg.nlp.text import word_set

# A number (not inside a word or a longer number) and its unit; LaTeX writes "3.5\%" and "$2\times$" in
# abstracts copied from papers.  The look-behind sits after the first digit, so it is only tried at digits.
_VALUE = re.compile(
    r"(?P<value>\d(?<![\w.,]\d)\d*(?:\.\d+)?)(?![\d.,]\d)"
    r"(?: ?(?P<unit>\\?%|[x\u00d7](?![\w])|\\times\b\$?|times\b|pp\b|points?\b|dB\b))?"
)
_UNITS = {"\\%": "%", "\u00d7": "x", "\\times": "x", "\\times$": "x", "times": "x", "point": "points", "pp": "points"}
# What may stand between a metric and a bare number: "BLEU of 28.4", "FID: 2.1", "accuracy reaches 91".
_CONNECTORS = word_set("of is = : to reaches reached achieves achieved score scores by up an a only")
_BARE_GAP = 24


class Results:
    """Stores a `ResultSpan` for every number that some metric mention in its sentence reports.

    Mentions are in text order, so the metrics and datasets around a number are found by bisection: the work stays
    linear in the text however many numbers and metrics a (pathological) sentence holds.
    """

    def __init__(self, max_gap: int) -> None:
        self.max_gap = max_gap

    def __call__(self, doc: Doc) -> Doc:
        chosen = mentions(doc)
        if "metric" not in map(by_type, chosen):
            doc.user_data[RESULTS] = ()
            return doc
        text = text_of(doc)
        metrics = Ordered([m for m in chosen if m.type == "metric"])
        bounds = sentences(doc)
        datasets = Ordered([m for m in chosen if m.type == "dataset"])
        every = Ordered(list(chosen))
        found = []
        done: set[tuple[int, int]] = set()
        for metric in metrics.items:
            start, end = bounds.span(metric.start)
            if (start, end) in done:
                continue
            done.add((start, end))
            # Digits inside a mention ("CIFAR-10", "8 A100", "top-1 accuracy") are not values.
            values = [v for v in _VALUE.finditer(text, start, end) if every.covering(v.start()) is None]
            for index, value in enumerate(values):
                # A metric reports the values next to it: none is tied across another value.
                low = values[index - 1].end() if index else start
                high = values[index + 1].start() if index + 1 < len(values) else end
                result = self._result(
                    text, value, metrics.nearest(value, low, high), datasets.nearest(value, start, end)
                )
                if result is not None:
                    low, high = bounds.evidence(value.start(), value.end())
                    found.append(ResultSpan(*result, sentence_start=low, sentence_end=high))
        doc.user_data[RESULTS] = tuple(found)
        return doc

    def _result(
        self, text: str, value: re.Match[str], best: Candidate | None, dataset: Candidate | None
    ) -> tuple[Candidate, str, str | None, Candidate | None] | None:
        if best is None:
            return None
        unit = value.group("unit")
        gap = _gap(best, value.start(), value.end())
        if unit is None:
            between = text[best.end : value.start()] if best.end <= value.start() else text[value.end() : best.start]
            if gap > _BARE_GAP or not _CONNECTORS.issuperset(between.replace(":", " : ").split()):
                return None
        elif gap > self.max_gap:
            return None
        return best, value.group("value"), _UNITS.get(unit, unit) if unit else None, dataset


class Ordered:
    """Non-overlapping mentions in text order, searchable by offset."""

    def __init__(self, items: list[Candidate]) -> None:
        self.items = items
        self.starts = [item.start for item in items]

    def covering(self, offset: int) -> Candidate | None:
        index = bisect_right(self.starts, offset) - 1
        return self.items[index] if index >= 0 and self.items[index].end > offset else None

    def nearest(self, value: re.Match[str], start: int, end: int) -> Candidate | None:
        """The mention inside [start, end) closest to the value (the earlier one on a tie)."""
        value_start, value_end = value.span()
        index = bisect_left(self.starts, value_start)
        best, best_key = None, (0, 0)
        for mention in self.items[max(index - 1, 0) : index + 1]:  # the mentions just before and after it
            if start <= mention.start < end:
                key = (_gap(mention, value_start, value_end), mention.start)
                if best is None or key < best_key:
                    best, best_key = mention, key
        return best


def _gap(mention: Candidate, start: int, end: int) -> int:
    """Characters between a mention and [start, end)."""
    return max(mention.start - end, start - mention.end, 0)


@Language.factory("kg_results", default_config={"max_gap": 80})
def make_results(nlp: Language, name: str, max_gap: int) -> Results:
    """`max_gap`: the most characters between a number with a unit and the metric it is tied to."""
    return Results(max_gap)
