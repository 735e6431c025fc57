"""The extraction pipeline: registered components on a blank English tokenizer, assembled from a config.

Two extractors share the candidate finders and differ in who decides: "rules" resolves overlapping candidates
by length and confidence (`kg_resolver`); "learned" (the default, see README "Extraction quality") judges each
candidate concept with the model `kg train` fits (`kg_classifier`).  "candidates" stops before either, for
training, which reads every candidate.

No pretrained model exists here and nothing may be downloaded: the components are rules, and the classifier's
model is fitted here and ships in the package (`kg/data/`).  The order matters: the token view with its word
classes first (every later component reads it), the gazetteer and hardware patterns (they know exact names), then
head-noun phrases and context patterns (which defer to them), then abbreviation pairs and the proposal (which read
what came before), then the resolver or the classifier that picks the mentions, and results, which tie numbers to
the chosen metrics.  Components exchange candidates through `kg.nlp.candidates`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from kg.errors import KgError
from kg.extractor_settings import DEFAULT_EXTRACTOR, EXTRACTOR_CHOICES

# Importing the component modules registers their factories with spaCy.
from kg.nlp import (  # noqa: F401
    abbreviations,
    classifier,
    gazetteer,
    hardware,
    lexical,
    patterns,
    phrases,
    proposal,
    resolver,
    results,
)

PROPOSERS: tuple[str, ...] = (
    "kg_tokens",
    "kg_gazetteer",
    "kg_hardware",
    "kg_phrases",
    "kg_patterns",
    "kg_abbreviations",
    "kg_proposal",
)
EXTRACTORS: dict[str, tuple[str, ...]] = {
    "learned": (*PROPOSERS, "kg_classifier", "kg_results"),
    "rules": (*PROPOSERS, "kg_resolver", "kg_results"),
    "candidates": PROPOSERS,
}
_USES_VOCABULARY = frozenset({"kg_gazetteer"})
_USES_LEXICON = frozenset({"kg_tokens"})  # the others read the lexicon it loads


def pipeline_config(
    vocabulary: Path | None = None,
    lexicon: Path | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    extractor: str = DEFAULT_EXTRACTOR,
) -> dict[str, dict[str, Any]]:
    """The config of every component: the data paths, plus any per-component overrides (e.g. confidences, or the
    classifier's model file)."""
    if extractor not in EXTRACTORS:
        raise KgError(f"unknown extractor {extractor!r}: choose one of {', '.join(EXTRACTOR_CHOICES)}")
    components = EXTRACTORS[extractor]
    config: dict[str, dict[str, Any]] = {name: {} for name in components}
    for name in components:
        if name in _USES_VOCABULARY and vocabulary is not None:
            config[name]["vocabulary"] = str(vocabulary)
        if name in _USES_LEXICON and lexicon is not None:
            config[name]["lexicon"] = str(lexicon)
        config[name].update((overrides or {}).get(name, {}))
    return config


def build_nlp(
    vocabulary: Path | None = None,
    lexicon: Path | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    extractor: str = DEFAULT_EXTRACTOR,
) -> Language:
    """A blank English pipeline with the extraction components; `nlp.config` records how it was built."""
    nlp = spacy.blank("en")
    for name, config in pipeline_config(vocabulary, lexicon, overrides, extractor).items():
        nlp.add_pipe(name, config=config)
    return nlp
