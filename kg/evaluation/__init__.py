"""Scoring the extractor against annotated data, at two levels.

* `kg.evaluation.spans`: mention spans against SciERC dev, SciER dev and TDMSci (exact and partial overlap);
* `kg.evaluation.concepts`: the concepts and links each paper is linked to, against hf-dev, with the definition of
  its reference scorer.

`kg eval` (`kg.cli.eval_cmds`) runs both; the names below are the API for notebooks and cross-validation.
"""

from __future__ import annotations

from kg.evaluation.base import Counts, SupportsExtract, extractions
from kg.evaluation.concepts import (
    HF_DEV,
    ConceptError,
    ConceptScores,
    ConceptSet,
    ErrorGroup,
    GoldEntity,
    GoldPaper,
    concept_errors,
    frequent_errors,
    load_gold,
    load_hf_dev,
    normalize,
    predict,
    reference_dict,
    score_concepts,
)
from kg.evaluation.spans import (
    SET_NAMES,
    TARGET_EXACT_F1,
    TARGET_PARTIAL_F1,
    Document,
    ErrorExample,
    EvalSet,
    SetReport,
    Span,
    TypeScore,
    document_errors,
    evaluate,
    load_scier,
    load_scierc,
    load_set,
    load_tdmsci,
    match_exact,
    match_partial,
    pooled,
    report_json,
    score_spans,
)

__all__ = [
    "HF_DEV",
    "SET_NAMES",
    "TARGET_EXACT_F1",
    "TARGET_PARTIAL_F1",
    "ConceptError",
    "ConceptScores",
    "ConceptSet",
    "Counts",
    "Document",
    "ErrorExample",
    "ErrorGroup",
    "EvalSet",
    "GoldEntity",
    "GoldPaper",
    "SetReport",
    "Span",
    "SupportsExtract",
    "TypeScore",
    "concept_errors",
    "document_errors",
    "evaluate",
    "extractions",
    "frequent_errors",
    "load_gold",
    "load_hf_dev",
    "load_scier",
    "load_scierc",
    "load_set",
    "load_tdmsci",
    "match_exact",
    "match_partial",
    "normalize",
    "pooled",
    "predict",
    "reference_dict",
    "report_json",
    "score_concepts",
    "score_spans",
]
