"""Canonicalisation: the mentions of one paper become concepts with one stable label each.

Concept IRIs are minted from (type, label), so the label must be the same in every paper: the vocabulary's
prefLabel when a mention matched it (or inherited it through an abbreviation pair), otherwise the deterministic
normal form of the text (`kg.nlp.text.normal_label`).  Within a paper, mentions whose labels fold to the same key
(case, hyphens, plural) are one concept, whose aliases are every distinct surface form seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.nlp.candidates import Candidate
from kg.nlp.text import fold, normal_label
from kg.records import CONCEPT_TYPES, Concept


@dataclass(frozen=True)
class Canonical:
    """The concepts of one paper, and for each input mention (in order) the label of its concept."""

    labels: tuple[str, ...]
    concepts: tuple[Concept, ...]
    proposed: frozenset[tuple[str, str]]  # (type, label) of concepts the paper proposes


def concept_key(kind: str, text: str, label: str | None) -> tuple[str, str]:
    """The identity of a mention's concept within a paper: its type and folded label."""
    return kind, fold(label if label else normal_label(text))


def canonicalise(
    mentions: Sequence[tuple[Candidate, str]], pairs: Sequence[tuple[str, str, tuple[str, ...]]] = ()
) -> Canonical:
    """Group (candidate, surface text) pairs into concepts and pick each concept's label.

    `pairs` are the abbreviation pairs of the text as (type, label, (long form, short form)): both forms are
    aliases of their concept even where the text only writes them together ("statistical machine translation
    (SMT)").
    """
    groups: dict[tuple[str, str], list[tuple[Candidate, str]]] = {}
    keys = []
    for candidate, surface in mentions:
        key = concept_key(candidate.type, surface, candidate.label)
        keys.append(key)
        groups.setdefault(key, []).append((candidate, surface))
    label_of = {key: _label(members) for key, members in groups.items()}
    forms: dict[tuple[str, str], set[str]] = {
        key: {surface for _, surface in members} for key, members in groups.items()
    }
    for kind, label, pair_forms in pairs:
        forms.get((kind, fold(label)), set()).update(pair_forms)
    concepts = []
    proposed = set()
    for key in sorted(groups, key=lambda k: (CONCEPT_TYPES.index(k[0]), label_of[k])):
        label = label_of[key]
        surfaces = sorted(forms[key] - {label}, key=lambda s: (s.casefold(), s))
        concepts.append(Concept(key[0], label, tuple(surfaces)))
        if any(candidate.proposed for candidate, _ in groups[key]):
            proposed.add((key[0], label))
    return Canonical(tuple(label_of[key] for key in keys), tuple(concepts), frozenset(proposed))


def _label(members: list[tuple[Candidate, str]]) -> str:
    """A known label from the most confident candidate that has one, else the smallest normal form."""
    known = [(-c.confidence, c.label) for c, _ in members if c.label]
    if known:
        return min(known)[1]
    return min(normal_label(surface) for _, surface in members)
