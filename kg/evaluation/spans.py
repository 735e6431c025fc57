"""Span-level scores against annotated dev data: precision, recall and F1 per type, exact and partial.

Three sets are read from `../shared/data` (see its README):

* ``scierc``: SciERC dev, one abstract per document.  Method -> method, Metric -> metric, Task -> task, and
  Material -> dataset, which is only an approximation (Material also covers corpora, speech, images, text);
  Generic and OtherScientificTerm are not scored.
* ``scier``: SciER dev (`dev-doc.jsonl`), one paper per document; Method, Task, Dataset.
* ``tdmsci``: TDMSci train used as dev, one sentence per document (IOB2 TASK / DATASET / METRIC).

Text is rebuilt from the gold tokens by joining them with single spaces (PTB escapes such as ``-LRB-`` are turned
back into the characters they stand for), each document becomes a `Paper` with ``title=""`` and the text as its
abstract, and the extractor's abstract mentions are compared with the gold spans by character offsets.

Scoring, per type and only for the types a set annotates:

* **exact**: a prediction is correct when a gold span has the same type, start and end;
* **partial**: a prediction is correct when it overlaps a gold span of the same type.  Each gold span and each
  prediction is used at most once: candidate pairs are matched greedily in order of decreasing overlap
  (intersection over union, then overlap length, then position), so an exact pair is always taken first and one
  long prediction covering two gold spans earns one true positive, not two.

Predictions are a set: the same (type, start, end) predicted twice counts once.  Counts are summed over documents
(micro-averaging); the pooled report sums them over sets as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.evaluation.base import Counts, SupportsExtract, extractions, json_lines
from kg.records import CONCEPT_TYPES, Extraction, Paper

SET_NAMES: tuple[str, ...] = ("scierc", "scier", "tdmsci")
TARGET_PARTIAL_F1 = 0.60
TARGET_EXACT_F1 = 0.45
POOLED = "pooled"

# PTB escapes used by SciERC tokens, mapped back to the characters a paper contains.
PTB_ESCAPES: dict[str, str] = {
    "-LRB-": "(",
    "-RRB-": ")",
    "-LSB-": "[",
    "-RSB-": "]",
    "-LCB-": "{",
    "-RCB-": "}",
    "``": '"',
    "''": '"',
}


@dataclass(frozen=True, order=True)
class Span:
    """A typed character span [start, end) of a document's text."""

    start: int
    end: int
    type: str

    def overlap(self, other: Span) -> int:
        return max(0, min(self.end, other.end) - max(self.start, other.start))


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    gold: tuple[Span, ...]


@dataclass(frozen=True)
class EvalSet:
    name: str
    source: str  # the file it was read from
    types: tuple[str, ...]  # the concept types this set annotates, the only ones scored
    documents: tuple[Document, ...]
    note: str = ""


@dataclass(frozen=True)
class TypeScore:
    exact: Counts = field(default_factory=Counts)
    partial: Counts = field(default_factory=Counts)

    def __add__(self, other: TypeScore) -> TypeScore:
        return TypeScore(self.exact + other.exact, self.partial + other.partial)

    @property
    def gold(self) -> int:
        return self.exact.gold

    @property
    def predicted(self) -> int:
        return self.exact.predicted

    def meets_targets(self) -> bool:
        return self.partial.f1 >= TARGET_PARTIAL_F1 and self.exact.f1 >= TARGET_EXACT_F1

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "exact": self.exact.as_dict(),
            "partial": self.partial.as_dict(),
            "meets_targets": self.meets_targets(),
        }


@dataclass(frozen=True)
class ErrorExample:
    """One mistake, for tuning: kind is "false positive", "false negative" or "boundary" (partial, not exact)."""

    kind: str
    type: str
    document: str
    text: str  # the predicted text (false positive), the gold text (false negative), or "gold -> predicted"
    context: str


@dataclass(frozen=True)
class SetReport:
    name: str
    documents: int
    scores: dict[str, TypeScore]
    errors: tuple[ErrorExample, ...] = ()
    offset_mismatches: int = 0  # predicted mentions whose text differs from the document text at their offsets
    note: str = ""

    @property
    def micro(self) -> TypeScore:
        total = TypeScore()
        for score in self.scores.values():
            total = total + score
        return total

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "types": {kind: score.as_dict() for kind, score in self.scores.items()},
            "micro": self.micro.as_dict(),
            "offset_mismatches": self.offset_mismatches,
            "note": self.note,
        }


# ----------------------------------------------------------------------------------------------------------- scoring


def match_exact(gold: Iterable[Span], predicted: Iterable[Span]) -> Counts:
    gold_set, pred_set = set(gold), set(predicted)
    tp = len(gold_set & pred_set)
    return Counts(tp, len(pred_set) - tp, len(gold_set) - tp)


def match_partial(gold: Iterable[Span], predicted: Iterable[Span]) -> list[tuple[Span, Span]]:
    """Greedy one-to-one matching of overlapping same-type spans, best overlap first (see module docstring)."""
    gold_list, pred_list = sorted(set(gold)), sorted(set(predicted))
    candidates = []
    for g in gold_list:
        for p in pred_list:
            if g.type == p.type and (inter := g.overlap(p)) > 0:
                union = max(g.end, p.end) - min(g.start, p.start)
                candidates.append((-inter / union, -inter, g, p))
    candidates.sort()
    used_gold: set[Span] = set()
    used_pred: set[Span] = set()
    pairs = []
    for _, _, g, p in candidates:
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return pairs


def score_spans(gold: Sequence[Span], predicted: Sequence[Span], types: Sequence[str]) -> dict[str, TypeScore]:
    """Exact and partial counts per type for one document; spans of other types are ignored."""
    scores = {}
    for kind in types:
        g = {s for s in gold if s.type == kind}
        p = {s for s in predicted if s.type == kind}
        tp = len(match_partial(g, p))
        scores[kind] = TypeScore(match_exact(g, p), Counts(tp, len(p) - tp, len(g) - tp))
    return scores


def document_errors(document: Document, predicted: Sequence[Span], types: Sequence[str]) -> list[ErrorExample]:
    """False positives, false negatives and boundary errors of one document, in text order."""
    gold = {s for s in document.gold if s.type in types}
    pred = {s for s in predicted if s.type in types}
    pairs = match_partial(gold, pred)
    matched_gold = {g for g, _ in pairs}
    matched_pred = {p for _, p in pairs}
    errors = []
    for span in sorted(pred - matched_pred):
        errors.append(_error("false positive", document, span, document.text[span.start : span.end]))
    for span in sorted(gold - matched_gold):
        errors.append(_error("false negative", document, span, document.text[span.start : span.end]))
    for g, p in sorted(pairs):
        if g != p:
            text = f"{document.text[g.start : g.end]} -> {document.text[p.start : p.end]}"
            errors.append(_error("boundary", document, g, text))
    return errors


def _error(kind: str, document: Document, span: Span, text: str, width: int = 50) -> ErrorExample:
    left = document.text[max(0, span.start - width) : span.start]
    right = document.text[span.end : span.end + width]
    context = f"{left}[{document.text[span.start : span.end]}]{right}"
    return ErrorExample(kind, span.type, document.id, text, " ".join(context.split()))


# --------------------------------------------------------------------------------------------------------- evaluate


def paper_of(eval_set: EvalSet, document: Document) -> Paper:
    return Paper(key=f"eval:{eval_set.name}:{document.id}", id=document.id, title="", abstract=document.text)


def predicted_spans(extraction: Extraction, text: str) -> tuple[list[Span], int]:
    """Spans of the extraction's abstract mentions, and how many mentions' text disagrees with their offsets."""
    spans = []
    mismatches = 0
    for mention in extraction.mentions:
        if mention.field != "abstract":
            continue
        if text[mention.start : mention.end] != mention.text:
            mismatches += 1
        spans.append(Span(mention.start, mention.end, mention.type))
    return spans, mismatches


def evaluate(extractor: SupportsExtract, eval_set: EvalSet, keep_errors: bool = False) -> SetReport:
    """Run `extractor` on every document of `eval_set` and score it."""
    papers = [paper_of(eval_set, document) for document in eval_set.documents]
    results = {extraction.paper.key: extraction for extraction in extractions(extractor, papers)}
    scores = {kind: TypeScore() for kind in eval_set.types}
    errors: list[ErrorExample] = []
    mismatches = 0
    for document, paper in zip(eval_set.documents, papers, strict=True):
        extraction = results.get(paper.key)
        if extraction is None:
            raise KgError(f"the extractor returned no result for {eval_set.name} document {document.id}")
        predicted, wrong = predicted_spans(extraction, document.text)
        mismatches += wrong
        for kind, score in score_spans(document.gold, predicted, eval_set.types).items():
            scores[kind] = scores[kind] + score
        if keep_errors:
            errors += document_errors(document, predicted, eval_set.types)
    return SetReport(eval_set.name, len(papers), scores, tuple(errors), mismatches, eval_set.note)


def pooled(reports: Sequence[SetReport]) -> SetReport:
    """Micro-average over sets: counts summed per type across every set that annotates it."""
    scores: dict[str, TypeScore] = {}
    for report in reports:
        for kind, score in report.scores.items():
            scores[kind] = scores.get(kind, TypeScore()) + score
    ordered = {kind: scores[kind] for kind in sorted(scores, key=_type_order)}
    return SetReport(
        POOLED,
        sum(r.documents for r in reports),
        ordered,
        offset_mismatches=sum(r.offset_mismatches for r in reports),
        note="micro-average over " + ", ".join(r.name for r in reports),
    )


def _type_order(kind: str) -> int:
    return CONCEPT_TYPES.index(kind) if kind in CONCEPT_TYPES else len(CONCEPT_TYPES)


def report_json(reports: Sequence[SetReport]) -> dict[str, Any]:
    """The numbers of every table, as printed by `kg eval --json`."""
    return {
        "sets": {report.name: report.as_dict() for report in reports},
        POOLED: pooled(reports).as_dict(),
        "targets": {"partial_f1": TARGET_PARTIAL_F1, "exact_f1": TARGET_EXACT_F1},
        "matching": "exact: same type, start and end; partial: same type and overlapping, greedy one-to-one by IoU",
    }


# ---------------------------------------------------------------------------------------------------------- loaders


@dataclass
class _TextBuilder:
    """Joins tokens with single spaces and remembers each token's character offsets."""

    parts: list[str] = field(default_factory=list)
    offsets: list[tuple[int, int]] = field(default_factory=list)
    length: int = 0

    def add(self, token: str) -> None:
        token = PTB_ESCAPES.get(token, token)
        if self.parts:
            self.parts.append(" ")
            self.length += 1
        self.offsets.append((self.length, self.length + len(token)))
        self.parts.append(token)
        self.length += len(token)

    def span(self, first: int, last: int, kind: str) -> Span:
        """The character span of tokens first..last (inclusive)."""
        return Span(self.offsets[first][0], self.offsets[last][1], kind)

    @property
    def text(self) -> str:
        return "".join(self.parts)


SCIERC_LABELS: dict[str, str] = {"Method": "method", "Metric": "metric", "Task": "task", "Material": "dataset"}
SCIER_LABELS: dict[str, str] = {"Method": "method", "Task": "task", "Dataset": "dataset"}
TDMSCI_LABELS: dict[str, str] = {"TASK": "task", "DATASET": "dataset", "METRIC": "metric"}


def _token_document(
    path: Path,
    line_no: int,
    doc_id: str,
    tokens: Sequence[str],
    spans: Iterable[Sequence[Any]],
    labels: dict[str, str],
) -> Document:
    """A document from tokens and [start, end (inclusive), label] token spans; unmapped labels are skipped."""
    builder = _TextBuilder()
    for token in tokens:
        if not isinstance(token, str):
            raise KgError(f"{path}:{line_no}: token {token!r} is not a string")
        builder.add(token)
    gold = []
    for item in spans:
        try:
            start, end, label = int(item[0]), int(item[1]), str(item[2])
        except (TypeError, ValueError, IndexError) as error:
            raise KgError(f"{path}:{line_no}: bad span {item!r}") from error
        if not 0 <= start <= end < len(tokens):
            raise KgError(f"{path}:{line_no}: span {item!r} is outside the {len(tokens)} tokens of {doc_id}")
        if label in labels:
            gold.append(builder.span(start, end, labels[label]))
    return Document(doc_id, builder.text, tuple(sorted(set(gold))))


def _token_documents(path: Path, id_key: str, dataset: str, labels: dict[str, str]) -> tuple[Document, ...]:
    """Documents of the SciERC-style JSON lines both SciERC and SciER use: `sentences` (tokens), `ner` per
    sentence with document-level token indices, and an id under `id_key`."""
    documents = []
    for line_no, record in json_lines(path):
        try:
            tokens = [token for sentence in record["sentences"] for token in sentence]
            spans = [span for sentence in record["ner"] for span in sentence]
            doc_id = str(record[id_key])
        except (KeyError, TypeError) as error:
            raise KgError(f"{path}:{line_no}: not a {dataset} document (missing {error})") from error
        documents.append(_token_document(path, line_no, doc_id, tokens, spans, labels))
    return tuple(documents)


def load_scierc(path: Path, labels: dict[str, str] = SCIERC_LABELS) -> EvalSet:
    """SciERC JSON lines keyed by `doc_key`.

    `labels` maps SciERC labels to the span types kept; the vocabulary builder passes all six to mine train.
    """
    return EvalSet(
        "scierc",
        str(path),
        tuple(sorted(set(labels.values()), key=_type_order)),
        _token_documents(path, "doc_key", "SciERC", labels),
        "Material scored as dataset (an approximation); Generic and OtherScientificTerm not scored",
    )


def load_scier(path: Path) -> EvalSet:
    """SciER `dev-doc.jsonl`, keyed by `doc_id`."""
    return EvalSet(
        "scier", str(path), ("method", "dataset", "task"), _token_documents(path, "doc_id", "SciER", SCIER_LABELS)
    )


def load_tdmsci(path: Path) -> EvalSet:
    """TDMSci CoNLL: token, character offset, IOB2 tag per line; a blank line ends a sentence (one document each).

    An I- tag that does not continue a chunk of the same type starts a new chunk, as conlleval does.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise KgError(f"{path}: cannot read ({error})") from error
    documents = []
    sentence: list[tuple[str, str]] = []
    first_line = 0
    for line_no, line in enumerate([*lines, ""], start=1):
        if not line.strip():
            if sentence:
                documents.append(_iob_document(path, first_line, sentence))
                sentence = []
            continue
        cells = line.split("\t")
        if len(cells) != 3:
            raise KgError(f"{path}:{line_no}: expected 3 tab-separated columns (token, offset, tag), got {len(cells)}")
        tag = cells[2].strip()
        if tag != "O" and (tag[:2] not in ("B-", "I-") or tag[2:] not in TDMSCI_LABELS):
            raise KgError(f"{path}:{line_no}: unknown tag {tag!r}")
        if not sentence:
            first_line = line_no
        sentence.append((cells[0], tag))
    return EvalSet("tdmsci", str(path), ("dataset", "metric", "task"), tuple(documents), "train split used as dev")


def _iob_document(path: Path, line_no: int, sentence: Sequence[tuple[str, str]]) -> Document:
    tokens = [token for token, _ in sentence]
    spans: list[tuple[int, int, str]] = []
    for index, (_, tag) in enumerate(sentence):
        if tag == "O":
            continue
        prefix, label = tag[:2], tag[2:]
        if prefix == "I-" and spans and spans[-1][1] == index - 1 and spans[-1][2] == label:
            spans[-1] = (spans[-1][0], index, label)
        else:
            spans.append((index, index, label))
    return _token_document(path, line_no, f"{path.name}:{line_no}", tokens, spans, TDMSCI_LABELS)


LOADERS: dict[str, tuple[str, Callable[[Path], EvalSet]]] = {
    "scierc": ("scierc/dev.json", load_scierc),
    "scier": ("scier/dev-doc.jsonl", load_scier),
    "tdmsci": ("tdmsci/train.conll", load_tdmsci),
}


def load_set(name: str, data_dir: Path) -> EvalSet:
    """One evaluation set by name, from the data folder laid out as `../shared/data`."""
    if name not in LOADERS:
        raise KgError(f"unknown evaluation set {name!r} (expected one of {', '.join(SET_NAMES)} or all)")
    relative, loader = LOADERS[name]
    path = data_dir / relative
    if not path.is_file():
        raise KgError(f"{path}: evaluation file not found (pass --data DIR, the folder holding {relative})")
    return loader(path)
