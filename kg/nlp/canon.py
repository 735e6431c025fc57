"""Canonicalisation: the mentions of one paper become concepts with one stable label each.

Concept IRIs are minted from (type, label), so the label must be the same in every paper: the vocabulary's
prefLabel when a mention matched it (or inherited it through an abbreviation pair), otherwise the deterministic
normal form of the text (`kg.nlp.text.normal_label`).  Within a paper, mentions whose labels fold to the same key
(case, hyphens, plural) are one concept, whose aliases are every distinct surface form seen.

Most concepts of a paper have one mention, and what such a concept is depends only on the mention's type, known
label and surface text, the same strings paper after paper: `reading` memoises it, concept record included, so
the common case costs one cached call per mention and no set, sort or record construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from kg.nlp.candidates import Candidate
from kg.nlp.text import fold, normal_label
from kg.records import CONCEPT_TYPES, Concept


@dataclass(frozen=True)
class Canonical:
    """The concepts of one paper, and for each input mention (in order) the label of its concept and whether the
    paper proposes that concept."""

    labels: tuple[str, ...]
    proposed: tuple[bool, ...]
    concepts: tuple[Concept, ...]


class Reading(NamedTuple):
    """What one mention says about its concept, before the paper's other mentions are seen."""

    key: tuple[str, str]  # the concept's identity within a paper: its type and folded label
    label: str  # the concept's label if this is its only mention
    concept: Concept  # the concept if this is its only mention and no abbreviation pair adds a form
    order: str  # where that concept sorts among the paper's concepts: by type, then label


@lru_cache(maxsize=1 << 14)
def reading(kind: str, label: str | None, surface: str) -> Reading:
    """The reading of a mention of type `kind` with known label `label` (if any) written `surface`.

    A reading holds several objects (about 600 bytes), so fewer are kept than the string caches of `kg.nlp.text`
    keep; the seed abstracts have under 4,000 distinct ones."""
    label = label or normal_label(surface)
    concept = Concept(kind, label, () if label == surface else (surface,))
    return Reading((kind, fold(label)), label, concept, _order(kind, label))


def canonicalise(
    mentions: Sequence[tuple[Candidate, str]], pairs: Sequence[tuple[str, str, tuple[str, ...]]] = ()
) -> Canonical:
    """Group (candidate, surface text) pairs into concepts and pick each concept's label.

    `pairs` are the abbreviation pairs of the text as (type, label, (long form, short form)): both forms are
    aliases of their concept even where the text only writes them together ("statistical machine translation
    (SMT)").  A concept whose mentions all read the same (one mention, or the same name written the same way
    each time) and that no pair names is its memoised reading; the others follow the general rules (which give the
    same result in that case).
    """
    readings = [reading(candidate.type, candidate.label, surface) for candidate, surface in mentions]
    first: dict[tuple[str, str], Reading] = {}
    mixed: set[tuple[str, str]] = set()  # concepts whose mentions read differently
    for read in readings:
        if first.setdefault(read.key, read) is not read:
            mixed.add(read.key)
    pair_forms: dict[tuple[str, str], list[str]] = {}
    for kind, label, forms in pairs:
        key = (kind, fold(label))
        if key in first:
            pair_forms.setdefault(key, []).extend(forms)
            mixed.add(key)
    concepts = {read.order: read.concept for read in first.values()}
    relabelled = _merge(mentions, readings, mixed, pair_forms, concepts) if mixed else {}
    labels = [relabelled.get(read.key, read.label) for read in readings]
    proposed_keys = {read.key for (candidate, _), read in zip(mentions, readings, strict=True) if candidate.proposed}
    proposed = [read.key in proposed_keys for read in readings] if proposed_keys else [False] * len(readings)
    # Two concepts of a type never share a label (the label folds to the key), so the sort keys are distinct.
    return Canonical(tuple(labels), tuple(proposed), tuple([concepts[order] for order in sorted(concepts)]))


def _merge(
    mentions: Sequence[tuple[Candidate, str]],
    readings: list[Reading],
    mixed: set[tuple[str, str]],
    pair_forms: dict[tuple[str, str], list[str]],
    concepts: dict[str, Concept],
) -> dict[tuple[str, str], str]:
    """Replaces in `concepts` (by sort key) each `mixed` concept, made from all its mentions and pair forms, and
    returns the labels of those whose label differs from their first mention's reading."""
    groups: dict[tuple[str, str], list[int]] = {key: [] for key in mixed}
    for index, read in enumerate(readings):
        members = groups.get(read.key)
        if members is not None:
            members.append(index)
    relabelled = {}
    for key, members in groups.items():
        first = readings[members[0]]
        label = _label([mentions[index] for index in members])
        surfaces = {mentions[index][1] for index in members}
        surfaces.update(pair_forms.get(key, ()))
        del concepts[first.order]
        concepts[_order(key[0], label)] = Concept(key[0], label, _aliases(label, surfaces))
        if any(readings[index].label != label for index in members):
            relabelled[key] = label
    return relabelled


def _order(kind: str, label: str) -> str:
    """A sort key that orders concepts by type, then label: the type's rank as one character (there are fewer than
    ten types), then the label, so sorting compares plain strings."""
    return _RANK_CHARACTER[kind] + label


_RANK_CHARACTER: dict[str, str] = {kind: str(rank) for rank, kind in enumerate(CONCEPT_TYPES)}


def _aliases(label: str, surfaces: set[str]) -> tuple[str, ...]:
    """Every surface form but the label itself, in case-insensitive order."""
    if len(surfaces) == 1:
        return () if label in surfaces else tuple(surfaces)
    # By casefolded form, then by form: a stable sort of sorted forms, with no Python call per form.
    return tuple(sorted(sorted(surfaces - {label}), key=str.casefold))


def _label(members: list[tuple[Candidate, str]]) -> str:
    """A known label from the most confident candidate that has one, else the smallest normal form."""
    known = [(-c.confidence, c.label) for c, _ in members if c.label]
    if known:
        return min(known)[1]
    return min(normal_label(surface) for _, surface in members)
