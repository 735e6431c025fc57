"""Concept-level scores on hf-dev: which concepts and links each paper is linked to, as the graph stores them.

The definition is the one `../shared/data/hf-dev/README.md` gives, and its reference scorer implements; the
numbers here must equal that scorer's (a test runs both on the same predictions):

* per paper and type, a predicted concept is its normalised canonical label (the key) together with the
  normalised surface texts of its mentions;
* `normalize`: lower case, whitespace and ``- _ / . , : ; ( ) [ ] ' "`` removed, and a final "s" dropped when
  the rest is longer than 3 characters and does not end in "s" (so "LLMs" is "llm", "loss" stays "loss");
* a prediction matches a gold entity when one of its strings equals the entity's normalised name or an alias.
  Predictions are taken in the order of their first mention, each matching the first gold entity not yet
  matched, so each gold entity counts at most once;
* precision, recall and F1 per type, micro-averaged over the five types, and the same for the methods a paper
  proposes (a concept counts as proposed when one of its mentions is);
* links: the set of URLs per paper (the union of `repositories` and `links[].url`), compared lower-cased,
  without a final "/" or ".git".

Predictions are the dicts `kg extract --format jsonl` writes (`kg.nlp.serialize`), keyed by paper id, so the
same function scores a run of the command, an in-process extraction or a cross-validation fold.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.evaluation.base import Counts, SupportsExtract, extractions, json_lines
from kg.records import CONCEPT_TYPES, Paper

HF_DEV = "hf-dev"
LINKS = "links"
PROPOSED = "proposed"
FALSE_POSITIVE = "false positive"
FALSE_NEGATIVE = "false negative"
ABSTRACTS_FILE = "abstracts.jsonl"
GOLD_FILE = "gold.jsonl"

_IGNORED = re.compile(r"[\s\-_/.,:;()\[\]'\"]+")

Prediction = Mapping[str, Any]  # one paper's extraction as `kg extract --format jsonl` writes it


def normalize(text: str) -> str:
    """The form concept names are compared in (see the module docstring)."""
    folded = _IGNORED.sub("", text.lower().replace("\u2019", "'"))
    if len(folded) > 3 and folded.endswith("s") and not folded.endswith("ss"):
        return folded[:-1]
    return folded


def link_key(url: str) -> str:
    """The form URLs are compared in: lower case, no final "/" and no ".git"."""
    return url.lower().rstrip("/").removesuffix(".git")


# ------------------------------------------------------------------------------------------------------------ gold


@dataclass(frozen=True)
class GoldEntity:
    name: str
    aliases: tuple[str, ...] = ()
    proposed: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def forms(self) -> frozenset[str]:
        return frozenset(map(normalize, self.names))


@dataclass(frozen=True)
class GoldPaper:
    """One annotated paper: its entities per concept type, and the URLs its text gives."""

    id: str
    entities: Mapping[str, tuple[GoldEntity, ...]] = field(default_factory=dict)
    links: tuple[str, ...] = ()

    def of(self, kind: str) -> tuple[GoldEntity, ...]:
        return self.entities.get(kind, ())


def load_gold(path: Path) -> dict[str, GoldPaper]:
    """hf-dev's gold.jsonl by paper id: one object per paper with a list of {"name", "aliases", ["proposed"]}
    per type and "repos"; a malformed line is a one-line `KgError` naming file and line."""
    gold: dict[str, GoldPaper] = {}
    for line_no, record in json_lines(path):
        where = f"{path}:{line_no}"
        paper_id = record.get("id")
        if not isinstance(paper_id, str) or not paper_id:
            raise KgError(f'{where}: a gold paper needs a string "id"')
        entities = {kind: _entities(record.get(kind, []), f"{where}: {kind}") for kind in CONCEPT_TYPES}
        links = record.get("repos", [])
        if not isinstance(links, list) or not all(isinstance(url, str) for url in links):
            raise KgError(f'{where}: "repos" must be a list of URLs')
        gold[paper_id] = GoldPaper(paper_id, entities, tuple(links))
    return gold


def _entities(items: Any, where: str) -> tuple[GoldEntity, ...]:
    if not isinstance(items, list):
        raise KgError(f"{where} must be a list of entities")
    entities = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else None
        aliases = item.get("aliases", []) if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise KgError(f'{where}: expected {{"name": str, "aliases": [str]}}, got {item!r}')
        entities.append(GoldEntity(name, tuple(aliases), bool(item.get("proposed", False))))
    return tuple(entities)


# --------------------------------------------------------------------------------------------------------- scoring


def reference_dict(counts: Counts) -> dict[str, float | int]:
    """Counts in the reference scorer's shape and rounding; its tp counts matched gold items."""
    return {
        "p": round(counts.precision, 3),
        "r": round(counts.recall, 3),
        "f1": round(counts.f1, 3),
        "pred": counts.predicted,
        "gold": counts.gold,
        "tp": counts.tp,
    }


@dataclass(frozen=True)
class ConceptScores:
    types: Mapping[str, Counts]
    proposed: Counts
    links: Counts
    papers: int
    missing_papers: int  # gold papers without a prediction (scored as predicting nothing)

    @property
    def micro(self) -> Counts:
        return sum(self.types.values(), Counts())

    def as_dict(self) -> dict[str, Any]:
        """Exactly the reference scorer's JSON (its links entry is called "repos")."""
        return {
            **{kind: reference_dict(counts) for kind, counts in self.types.items()},
            "micro": reference_dict(self.micro),
            "repos": reference_dict(self.links),
            "proposed": reference_dict(self.proposed),
            "missing_papers": self.missing_papers,
        }


def predicted_concepts(prediction: Prediction, kind: str, proposed_only: bool = False) -> dict[str, set[str]]:
    """Normalised key -> the normalised strings of one predicted concept, in the order of first mention."""
    concepts: dict[str, set[str]] = {}
    for mention in prediction.get("mentions", []):
        if mention.get("type") != kind or (proposed_only and not mention.get("proposed")):
            continue
        key = normalize(mention.get("concept") or mention.get("text") or "")
        concepts.setdefault(key, {key}).add(normalize(mention.get("text") or ""))
    return concepts


def match(gold: Sequence[GoldEntity], predicted: Mapping[str, set[str]]) -> dict[str, int]:
    """Predicted key -> index of the gold entity it matches: each prediction in order takes the first gold
    entity not yet matched that shares a string with it."""
    forms = [entity.forms for entity in gold]
    matched: dict[str, int] = {}
    used: set[int] = set()
    for key, strings in predicted.items():
        hit = next((i for i, entity in enumerate(forms) if i not in used and not entity.isdisjoint(strings)), None)
        if hit is not None:
            used.add(hit)
            matched[key] = hit
    return matched


def predicted_links(prediction: Prediction) -> set[str]:
    urls = [*prediction.get("repositories", []), *(link["url"] for link in prediction.get("links", []))]
    return {link_key(url) for url in urls}


def _concept_counts(gold: Sequence[GoldEntity], predicted: Mapping[str, set[str]]) -> Counts:
    return Counts.of(len(match(gold, predicted)), len(predicted), len(gold))


def _proposed(paper: GoldPaper) -> tuple[GoldEntity, ...]:
    return tuple(entity for entity in paper.of("method") if entity.proposed)


def score_concepts(gold: Mapping[str, GoldPaper], predictions: Mapping[str, Prediction]) -> ConceptScores:
    """Scores of `predictions` (paper id -> serialized extraction) on the `gold` papers; predictions for papers
    outside `gold` are ignored, and a gold paper without one is scored as predicting nothing."""
    types = dict.fromkeys(CONCEPT_TYPES, Counts())
    proposed = links = Counts()
    for paper_id, paper in gold.items():
        prediction = predictions.get(paper_id, {})
        for kind in CONCEPT_TYPES:
            types[kind] += _concept_counts(paper.of(kind), predicted_concepts(prediction, kind))
        proposed += _concept_counts(_proposed(paper), predicted_concepts(prediction, "method", proposed_only=True))
        gold_links, found = {link_key(url) for url in paper.links}, predicted_links(prediction)
        links += Counts.of(len(gold_links & found), len(found), len(gold_links))
    missing = sum(1 for paper_id in gold if paper_id not in predictions)
    return ConceptScores(types, proposed, links, len(gold), missing)


# ---------------------------------------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class ConceptError:
    """One concept or link a paper got wrong. `key` groups the same mistake across papers; `text` is as written:
    the predicted label and its other surface texts, or the gold name and its aliases."""

    kind: str  # FALSE_POSITIVE or FALSE_NEGATIVE
    type: str  # a concept type, PROPOSED or LINKS
    paper: str
    key: str
    text: str


@dataclass(frozen=True)
class ErrorGroup:
    """The same mistake in several papers."""

    kind: str
    type: str
    key: str
    text: str  # as written in the first paper it was made in
    papers: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.papers)


def concept_errors(gold: Mapping[str, GoldPaper], predictions: Mapping[str, Prediction]) -> Iterator[ConceptError]:
    """Every false positive and false negative behind `score_concepts`' numbers, paper by paper."""
    for paper_id, paper in gold.items():
        prediction = predictions.get(paper_id, {})
        for kind in CONCEPT_TYPES:
            yield from _paper_errors(paper_id, kind, paper.of(kind), prediction, kind)
        yield from _paper_errors(paper_id, PROPOSED, _proposed(paper), prediction, "method", proposed_only=True)
        gold_links = {link_key(url): url for url in paper.links}
        found = predicted_links(prediction)
        for key in sorted(found - gold_links.keys()):
            yield ConceptError(FALSE_POSITIVE, LINKS, paper_id, key, key)
        for key in sorted(gold_links.keys() - found):
            yield ConceptError(FALSE_NEGATIVE, LINKS, paper_id, key, gold_links[key])


def _paper_errors(
    paper_id: str,
    scored_as: str,
    gold: Sequence[GoldEntity],
    prediction: Prediction,
    kind: str,
    proposed_only: bool = False,
) -> Iterator[ConceptError]:
    predicted = predicted_concepts(prediction, kind, proposed_only)
    matched = match(gold, predicted)
    written = _written_forms(prediction, kind)
    for key in predicted:
        if key not in matched:
            yield ConceptError(FALSE_POSITIVE, scored_as, paper_id, key, _describe(written.get(key, [key])))
    found = set(matched.values())
    for index, entity in enumerate(gold):
        if index not in found:
            yield ConceptError(FALSE_NEGATIVE, scored_as, paper_id, normalize(entity.name), _describe(entity.names))


def _written_forms(prediction: Prediction, kind: str) -> dict[str, list[str]]:
    """Normalised key -> the concept label and surface texts as written, in order of first appearance."""
    forms: dict[str, list[str]] = {}
    for mention in prediction.get("mentions", []):
        if mention.get("type") == kind:
            label = mention.get("concept") or mention.get("text") or ""
            seen = forms.setdefault(normalize(label), [label])
            text = mention.get("text") or ""
            if text not in seen:
                seen.append(text)
    return forms


def _describe(names: Sequence[str]) -> str:
    first, *others = names
    return f"{first} ({', '.join(others)})" if others else first


def frequent_errors(errors: Iterable[ConceptError], limit: int) -> dict[tuple[str, str], list[ErrorGroup]]:
    """(type, kind) -> the `limit` most frequent mistakes of that type and kind, most frequent first (ties by key)."""
    papers: dict[tuple[str, str, str], list[str]] = {}
    texts: dict[tuple[str, str, str], str] = {}
    for error in errors:
        group = (error.type, error.kind, error.key)
        papers.setdefault(group, []).append(error.paper)
        texts.setdefault(group, error.text)
    counts = Counter({group: len(ids) for group, ids in papers.items()})
    grouped: dict[tuple[str, str], list[ErrorGroup]] = {}
    for (kind, error_kind, key), _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        found = grouped.setdefault((kind, error_kind), [])
        if len(found) < limit:
            group = (kind, error_kind, key)
            found.append(ErrorGroup(error_kind, kind, key, texts[group], tuple(papers[group])))
    return grouped


# ---------------------------------------------------------------------------------------------------------- hf-dev


@dataclass(frozen=True)
class ConceptSet:
    """Papers to extract and their gold concepts, by paper id."""

    name: str
    source: str  # the folder it was read from
    papers: tuple[Paper, ...]
    gold: Mapping[str, GoldPaper]


def load_hf_dev(folder: Path) -> ConceptSet:
    """hf-dev from its folder: abstracts.jsonl read by the project's own JSONL reader (as `kg extract` reads it),
    and gold.jsonl; every gold paper must have its abstract."""
    from kg.ingest import ingest

    abstracts, gold_path = folder / ABSTRACTS_FILE, folder / GOLD_FILE
    for path in (abstracts, gold_path):
        if not path.is_file():
            raise KgError(f"{path}: evaluation file not found (pass --data DIR, the folder holding {HF_DEV}/)")
    gold = load_gold(gold_path)
    read = ingest([abstracts])
    if read.rejected:
        first = read.rejected[0]
        raise KgError(f"{first.location()}: {first.reason} ({len(read.rejected)} record(s) rejected)")
    ids = {paper.id for paper in read.papers}
    missing = [paper_id for paper_id in gold if paper_id not in ids]
    if missing:
        raise KgError(f"{abstracts}: no abstract for gold paper(s) {', '.join(missing[:5])}")
    return ConceptSet(HF_DEV, str(folder), read.papers, gold)


def predict(extractor: SupportsExtract, papers: Sequence[Paper]) -> dict[str, dict[str, Any]]:
    """Paper id -> the extraction as `kg extract --format jsonl` writes it."""
    from kg.nlp.serialize import extraction_to_dict

    return {extraction.paper.id: extraction_to_dict(extraction) for extraction in extractions(extractor, papers)}
