"""The learned concept model: the weights `kg train` fits, and the arithmetic that applies them.

Two logistic models over the features of `kg.nlp.features`: one picks among "not a concept" and the five types,
the other says whether the paper proposes a method.  The probability of the chosen type is mapped through an
isotonic calibration fitted on out-of-fold predictions, so a mention's confidence reads as the share of such
mentions that are right.  The phrase filter holds the words that never begin or end a concept in the training
data although many n-grams do ("propose", "achieves"): n-grams with them are not judged at all.

Applying the model needs only numpy and scipy (a sparse product per paper); scikit-learn is needed to fit it.
The file is gzipped JSON with sorted keys, so a retrained model is byte-identical when its inputs are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from kg.atomic import read_json_gz, write_json_gz
from kg.nlp.features import Features
from kg.nlp.ngrams import Phrase

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "concept_model.json.gz"
NONE = "none"  # the class of a candidate that is not a concept


@dataclass(frozen=True)
class Calibration:
    """A monotone map from a raw probability to the share of right answers (isotonic, piecewise linear)."""

    raw: tuple[float, ...] = (0.0, 1.0)
    calibrated: tuple[float, ...] = (0.0, 1.0)

    def __call__(self, probability: np.ndarray) -> np.ndarray:
        return np.interp(probability, self.raw, self.calibrated)


@dataclass(frozen=True)
class PhraseFilter:
    """Words that never begin (`first`) or end (`last`) a concept although many n-grams do, lower-cased."""

    first: frozenset[str] = frozenset()
    last: frozenset[str] = frozenset()

    def __call__(self, phrase: Phrase) -> bool:
        return self.keeps(phrase.words[0].lower(), phrase.words[-1].lower())

    def keeps(self, first: str, last: str) -> bool:
        """Whether a phrase bounded by these lower-cased words is judged."""
        return first not in self.first and last not in self.last


@dataclass(frozen=True)
class LinearModel:
    """Weights (features x classes) and intercepts of a logistic model, with its feature index."""

    classes: tuple[str, ...]
    features: tuple[str, ...]
    weights: np.ndarray
    intercept: np.ndarray
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {name: position for position, name in enumerate(self.features)})

    def matrix(self, rows: Sequence[Features]) -> csr_matrix:
        index = self.index
        columns: list[int] = []
        values: list[float] = []
        pointers = [0]
        for row in rows:
            for name, value in row.items():
                column = index.get(name)
                if column is not None:
                    columns.append(column)
                    values.append(value)
            pointers.append(len(columns))
        return csr_matrix((values, columns, pointers), shape=(len(rows), len(self.features)))

    def probabilities(self, rows: Sequence[Features]) -> np.ndarray:
        """One row per input, one column per class (a single column, of the positive class, for two classes)."""
        scores = self.matrix(rows) @ self.weights + self.intercept
        if len(self.classes) == 2:
            return 1 / (1 + np.exp(-scores))
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def as_json(self) -> dict[str, Any]:
        return {
            "classes": list(self.classes),
            "features": list(self.features),
            "weights": np.round(self.weights, 6).tolist(),
            "intercept": np.round(self.intercept, 6).tolist(),
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> LinearModel:
        return cls(
            tuple(document["classes"]),
            tuple(document["features"]),
            np.asarray(document["weights"], dtype=float).reshape(len(document["features"]), -1),
            np.asarray(document["intercept"], dtype=float),
        )


@dataclass(frozen=True)
class ConceptModel:
    types: LinearModel
    proposed: LinearModel
    calibration: Calibration
    phrase_filter: PhraseFilter
    threshold: float = 0.5  # a candidate is kept when its probability of being some concept reaches this
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def decide(self, rows: Sequence[Features]) -> tuple[np.ndarray, np.ndarray]:
        """The most likely type of each row (its column in `types.classes`; -1 for not kept) and its raw
        probability."""
        return decisions(self.types.probabilities(rows), self.types.classes.index(NONE), self.threshold)

    def save(self, path: Path) -> None:
        document = {
            "types": self.types.as_json(),
            "proposed": self.proposed.as_json(),
            "calibration": {"raw": list(self.calibration.raw), "calibrated": list(self.calibration.calibrated)},
            "phrase_filter": {"first": sorted(self.phrase_filter.first), "last": sorted(self.phrase_filter.last)},
            "threshold": self.threshold,
            "meta": self.meta,
        }
        write_json_gz(path, document)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> ConceptModel:
        document = read_json_gz(path)
        calibration = document["calibration"]
        return cls(
            LinearModel.from_json(document["types"]),
            LinearModel.from_json(document["proposed"]),
            Calibration(tuple(calibration["raw"]), tuple(calibration["calibrated"])),
            PhraseFilter(frozenset(document["phrase_filter"]["first"]), frozenset(document["phrase_filter"]["last"])),
            document["threshold"],
            document.get("meta", {}),
        )


def decisions(probabilities: np.ndarray, none: int, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """For each row of class probabilities (column `none` for "not a concept"): the column of its most likely
    type, or -1 when its probability of being some concept is under `threshold`, and that type's probability."""
    typed = probabilities.copy()
    typed[:, none] = -1
    best = typed.argmax(axis=1)
    kept = np.where(1 - probabilities[:, none] >= threshold, best, -1)
    return kept, typed[np.arange(len(typed)), best]
