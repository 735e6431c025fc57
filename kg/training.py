"""`kg train`: fit the concept model on hf-dev, and measure it honestly with cross-validation.

Every paper's candidate concepts and their features are computed once (`collect`), then labelled from the gold
annotations by the scorer's own matching: a candidate is of the type of the gold entity one of its names matches,
else "none".  Cross-validation splits the papers into folds with a fixed seed; each fold's model is fitted on
the other folds alone (phrase filter, type model, proposal model) and applied by the real extraction pipeline to
its held-out papers, so the reported scores are those `kg eval --set hf-dev` would give on unseen papers.  The
out-of-fold probabilities fit the calibration of the final model, which is fitted on every paper.

Everything is deterministic (fixed seed, sorted features, a solver without randomness), so training twice writes
the same bytes.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.evaluation.concepts import ConceptScores, ConceptSet, GoldPaper, predict, score_concepts
from kg.nlp import Extractor
from kg.nlp.candidates import TITLE_END, candidates, text_of
from kg.nlp.classifier import worth_judging
from kg.nlp.concepts import ConceptCandidate, concept_candidates
from kg.nlp.corpus_stats import CorpusStats
from kg.nlp.features import Evidence, Features, PaperContext, candidate_features
from kg.nlp.lexical import pipeline_lexicon
from kg.nlp.model import NONE, Calibration, ConceptModel, LinearModel, PhraseFilter, decisions
from kg.nlp.ngrams import concept_key
from kg.nlp.text import normal_label
from kg.records import CONCEPT_TYPES, Paper

SEED = 13
FOLDS = 5
REGULARISATION = 0.5  # logistic regression's C, the same for both models
MIN_FEATURE_COUNT = 2  # features seen in fewer training candidates are dropped
FILTER_MIN_COUNT = 8  # a word bounding this many training n-grams, none of them a concept, is filtered
CONFIDENT = 0.8

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Row:
    """One candidate concept of one paper, with its features and gold labels."""

    paper: int  # index into the papers
    features: Features
    label: str  # a concept type, or NONE
    proposed: bool
    first_word: str | None  # lower-cased bounds of an n-gram-only candidate, which the phrase filter may drop
    last_word: str | None
    entity: tuple[str, int] | None = None  # the gold entity (type, index in the paper) it names


@dataclass(frozen=True)
class TrainingData:
    papers: tuple[Paper, ...]
    gold: tuple[GoldPaper, ...]
    rows: tuple[Row, ...]
    matched: tuple[frozenset[tuple[str, int]], ...]  # per paper: the gold entities (type, index) some row names


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def collect(concept_set: ConceptSet, stats: CorpusStats, progress: Progress = _no_progress) -> TrainingData:
    """Every paper's candidate concepts, featurised and labelled (the n-gram filter not yet applied)."""
    extractor = Extractor(extractor="candidates")
    evidence = Evidence.of(stats, pipeline_lexicon(extractor.nlp))
    papers = tuple(concept_set.papers)
    gold = tuple(concept_set.gold[paper.id] for paper in papers)
    rows: list[Row] = []
    matched = []
    for index, (doc, _, _) in enumerate(extractor.docs(papers)):
        progress("collect", index, len(papers))
        text = text_of(doc)
        found = concept_candidates(text, candidates(doc), lambda phrase: worth_judging(phrase.words, phrase.key, stats))
        paper_context = PaperContext(text, doc.user_data.get(TITLE_END, 0))
        names_matched: set[tuple[str, int]] = set()
        for candidate in found:
            label, proposed, entity = _gold_label(candidate, text, gold[index], stats)
            if entity is not None:
                names_matched.add(entity)
            words = candidate.words if not candidate.rules else ()
            rows.append(
                Row(
                    index,
                    candidate_features(candidate, paper_context, evidence),
                    label,
                    proposed,
                    words[0].lower() if words else None,
                    words[-1].lower() if words else None,
                    entity,
                )
            )
        matched.append(frozenset(names_matched))
    progress("collect", len(papers), len(papers))
    return TrainingData(papers, gold, tuple(rows), tuple(matched))


def candidate_names(candidate: ConceptCandidate, text: str, stats: CorpusStats) -> set[str]:
    """The normalised names a prediction of this candidate could be matched by: its surfaces and the labels the
    classifier might give it."""
    names = {concept_key(text[start:end]) for start, end in candidate.spans}
    names.update(concept_key(rule.label) for rule in candidate.rules if rule.label)
    if candidate.long_form is not None:
        names.add(concept_key(normal_label(candidate.long_form)))
    expansion = stats.expansions.get(candidate.key)
    if expansion:
        names.add(concept_key(normal_label(expansion)))
    return names


def _gold_label(
    candidate: ConceptCandidate, text: str, gold: GoldPaper, stats: CorpusStats
) -> tuple[str, bool, tuple[str, int] | None]:
    """(type or NONE, proposed, the matched gold entity) of a candidate."""
    names = candidate_names(candidate, text, stats)
    for kind in CONCEPT_TYPES:
        for position, entity in enumerate(gold.of(kind)):
            if entity.forms & names:
                return kind, entity.proposed, (kind, position)
    return NONE, False, None


# ---------------------------------------------------------------------------------------------------------- fitting


def fit_filter(rows: Sequence[Row]) -> PhraseFilter:
    """Bounding words of many n-gram-only candidates, none of which is a concept."""
    filtered = []
    for attribute in ("first_word", "last_word"):
        seen: Counter[str] = Counter()
        positive: Counter[str] = Counter()
        for row in rows:
            word = getattr(row, attribute)
            if word is not None:
                seen[word] += 1
                positive[word] += row.label != NONE
        filtered.append(frozenset(w for w, count in seen.items() if count >= FILTER_MIN_COUNT and not positive[w]))
    return PhraseFilter(filtered[0], filtered[1])


def kept_rows(rows: Sequence[Row], phrase_filter: PhraseFilter) -> list[Row]:
    return [
        row
        for row in rows
        if row.first_word is None or row.last_word is None or phrase_filter.keeps(row.first_word, row.last_word)
    ]


def fit_linear(features: Sequence[Features], labels: Sequence[str]) -> LinearModel:
    """A logistic model over the features seen at least MIN_FEATURE_COUNT times (sorted, so deterministic)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts: Counter[str] = Counter(name for row in features for name in row)
    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(
        [{name: value for name, value in row.items() if counts[name] >= MIN_FEATURE_COUNT} for row in features]
    )
    model = LogisticRegression(C=REGULARISATION, max_iter=3000, solver="lbfgs")
    model.fit(matrix, list(labels))
    weights = model.coef_.T  # features x classes (one column for two classes)
    return LinearModel(
        tuple(str(c) for c in model.classes_), tuple(vectorizer.feature_names_), weights, model.intercept_
    )


def fit(rows: Sequence[Row], calibration: Calibration = Calibration(), choose_threshold: bool = True) -> ConceptModel:
    """The phrase filter, type model and proposal model fitted on `rows`; the keep threshold is chosen by an inner
    cross-validation over the same rows' papers (never on the data it will be judged on)."""
    phrase_filter = fit_filter(rows)
    kept = kept_rows(rows, phrase_filter)
    types = fit_linear([row.features for row in kept], [row.label for row in kept])
    methods = [row for row in kept if row.label == "method"]
    proposed = fit_linear([row.features for row in methods], ["yes" if row.proposed else "no" for row in methods])
    threshold = inner_threshold(kept) if choose_threshold else 0.5
    return ConceptModel(types, proposed, calibration, phrase_filter, threshold)


THRESHOLDS = tuple(round(0.2 + 0.05 * step, 2) for step in range(9))  # 0.2 ... 0.6
INNER_FOLDS = 3


def inner_threshold(rows: Sequence[Row]) -> float:
    """The keep threshold with the best candidate-level micro F1 over out-of-fold probabilities (papers dealt
    into INNER_FOLDS folds by index)."""
    decided: list[tuple[np.ndarray, np.ndarray, list[Row]]] = []
    for fold in range(INNER_FOLDS):
        train = [row for row in rows if row.paper % INNER_FOLDS != fold]
        test = [row for row in rows if row.paper % INNER_FOLDS == fold]
        model = fit(train, choose_threshold=False)
        probabilities = model.types.probabilities([row.features for row in test])
        decided.append((probabilities, np.array(model.types.classes), test))
    # Gold entities some candidate names: two candidates naming one entity count once, as the scorer counts them.
    positives = len({(row.paper, row.entity) for row in rows if row.entity is not None})
    best_threshold, best_f1 = 0.5, -1.0
    for threshold in THRESHOLDS:
        found: set[tuple[int, tuple[str, int] | None]] = set()
        predicted = 0
        for probabilities, classes, test in decided:
            best, _ = decisions(probabilities, list(classes).index(NONE), threshold)
            predicted += int((best >= 0).sum())
            found.update(
                (row.paper, row.entity)
                for row, column in zip(test, best, strict=True)
                if column >= 0 and classes[column] == row.label
            )
        tp = len(found)
        f1 = 2 * tp / (predicted + positives) if predicted + positives else 0.0
        if f1 > best_f1:
            best_threshold, best_f1 = threshold, f1
    return best_threshold


def fit_calibration(raw: np.ndarray, correct: np.ndarray) -> Calibration:
    """Isotonic regression of correctness on the raw probability, kept as its breakpoints."""
    from sklearn.isotonic import IsotonicRegression

    isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, correct)
    return Calibration(
        tuple(round(float(x), 6) for x in isotonic.X_thresholds_),
        tuple(round(float(y), 6) for y in isotonic.y_thresholds_),
    )


def assign_folds(count: int, folds: int, seed: int) -> list[int]:
    """A fold per paper: a seeded shuffle dealt round-robin, so folds differ in size by at most one."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    fold_of = [0] * count
    for position, paper in enumerate(order):
        fold_of[paper] = position % folds
    return fold_of


# -------------------------------------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class CrossValidation:
    scores: ConceptScores
    raw: np.ndarray  # out-of-fold probability of the chosen type, per kept row
    correct: np.ndarray  # whether that choice was right
    predictions: dict[str, dict[str, Any]]  # paper id -> its out-of-fold extraction, as `kg extract` writes it


def cross_validate(
    data: TrainingData,
    stats_path: Path,
    folds: int = FOLDS,
    seed: int = SEED,
    progress: Progress = _no_progress,
    share: float = 1.0,
) -> CrossValidation:
    """Out-of-fold scores; with `share` < 1 each fold's model sees only that share of its training papers (a
    seeded choice), which gives a point of the learning curve."""
    fold_of = assign_folds(len(data.papers), folds, seed)
    in_share = _training_share(len(data.papers), share, seed)
    predictions: dict[str, dict[str, Any]] = {}
    raw: list[np.ndarray] = []
    correct: list[np.ndarray] = []
    with tempfile.TemporaryDirectory(prefix="kg-train-") as folder:
        for fold in range(folds):
            progress("cross-validate", fold, folds)
            train = [row for row in data.rows if fold_of[row.paper] != fold and in_share[row.paper]]
            test = [row for row in data.rows if fold_of[row.paper] == fold]
            model = fit(train)
            kept = kept_rows(test, model.phrase_filter)
            best, probability = model.decide([row.features for row in kept])
            is_kept = best >= 0
            chosen = np.array(model.types.classes)[best]
            raw.append(probability[is_kept])
            correct.append((chosen == np.array([row.label for row in kept]))[is_kept])
            path = Path(folder) / f"fold{fold}.json.gz"
            model.save(path)
            papers = [paper for index, paper in enumerate(data.papers) if fold_of[index] == fold]
            extractor = Extractor(
                extractor="learned", overrides={"kg_classifier": {"model": str(path), "stats": str(stats_path)}}
            )
            predictions.update(predict(extractor, papers))
    progress("cross-validate", folds, folds)
    gold = {paper.id: data.gold[index] for index, paper in enumerate(data.papers)}
    return CrossValidation(score_concepts(gold, predictions), np.concatenate(raw), np.concatenate(correct), predictions)


def _training_share(count: int, share: float, seed: int) -> list[bool]:
    """Whether each paper may be trained on: a seeded `share` of them (all when `share` is 1)."""
    order = list(range(count))
    random.Random(seed + 1).shuffle(order)
    allowed = set(order[: round(count * share)])
    return [index in allowed for index in range(count)]


LEARNING_CURVE = (0.25, 0.5, 0.75, 1.0)


def learning_curve(data: TrainingData, stats_path: Path, folds: int, seed: int, progress: Progress) -> dict[str, float]:
    """Cross-validated micro F1 with each fold's model trained on a share of its training papers."""
    return {
        f"{share:.0%}": round(cross_validate(data, stats_path, folds, seed, progress, share).scores.micro.f1, 3)
        for share in LEARNING_CURVE
    }


def candidate_ceiling(data: TrainingData) -> dict[str, float]:
    """Per type, the share of gold entities that some candidate names (before the learned n-gram filter): the
    best recall any decision over these candidates could reach."""
    totals = Counter(kind for paper in data.gold for kind in CONCEPT_TYPES for _ in paper.of(kind))
    hits = Counter(kind for entities in data.matched for kind, _ in entities)
    return {kind: round(hits[kind] / totals[kind], 3) if totals[kind] else 0.0 for kind in CONCEPT_TYPES}


def precision_at(calibration: Calibration, raw: np.ndarray, correct: np.ndarray, threshold: float) -> dict[str, float]:
    confident = calibration(raw) >= threshold
    share = float(confident.mean()) if len(raw) else 0.0
    precision = float(correct[confident].mean()) if confident.any() else 0.0
    return {"threshold": threshold, "precision": round(precision, 3), "share": round(share, 3)}


def train(
    concept_set: ConceptSet,
    stats: CorpusStats,
    stats_path: Path,
    folds: int = FOLDS,
    seed: int = SEED,
    progress: Progress = _no_progress,
    with_learning_curve: bool = False,
) -> tuple[ConceptModel, CrossValidation]:
    """The final model (fitted on every paper, calibrated out of fold) and its cross-validation."""
    data = collect(concept_set, stats, progress)
    validation = cross_validate(data, stats_path, folds, seed, progress)
    curve = learning_curve(data, stats_path, folds, seed, progress) if with_learning_curve else None
    calibration = fit_calibration(validation.raw, validation.correct.astype(float))
    model = fit(data.rows, calibration)
    meta = {
        "papers": len(data.papers),
        "candidates": len(data.rows),
        "folds": folds,
        "seed": seed,
        "cross_validation": validation.scores.as_dict(),
        "candidate_ceiling": candidate_ceiling(data),
        "precision_at_confidence": precision_at(calibration, validation.raw, validation.correct, CONFIDENT),
    }
    if curve is not None:
        meta["learning_curve"] = curve
    return ConceptModel(
        model.types, model.proposed, calibration, model.phrase_filter, model.threshold, meta
    ), validation
