"""Canonicalisation: the mentions of one paper become concepts with one stable label each.

Concept IRIs are minted from (type, label), so the label must be the same in every paper: the vocabulary's
prefLabel when a mention matched it (or inherited it through an abbreviation pair), otherwise the deterministic
normal form of the text (`kg.nlp.text.normal_label`).  Within a paper, mentions whose labels fold to the same key
(case, hyphens, plural) are one concept, whose aliases are every distinct surface form seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kg.nlp.candidates import Candidate
from kg.nlp.text import fold, normal_label
from kg.records import CONCEPT_TYPES, Concept


@dataclass(frozen=True)
class Canonical:
    """The concepts of one paper, and for each input mention (in order) the label of its concept."""

    labels: tuple[str, ...]
    concepts: tuple[Concept, ...]
    proposed: frozenset[tuple[str, str]]  # (type, label) of concepts the paper proposes


@lru_cache(maxsize=1 << 16)
def folded_normal_label(text: str) -> str:
    """`fold(normal_label(text))`, memoised as one step: the key of every mention without a known label."""
    return fold(normal_label(text))


def canonicalise(
    mentions: Sequence[tuple[Candidate, str]], pairs: Sequence[tuple[str, str, tuple[str, ...]]] = ()
) -> Canonical:
    """Group (candidate, surface text) pairs into concepts and pick each concept's label.

    `pairs` are the abbreviation pairs of the text as (type, label, (long form, short form)): both forms are
    aliases of their concept even where the text only writes them together ("statistical machine translation
    (SMT)").  Most concepts have one mention, so single-member groups skip the general rules (same results).
    """
    groups: dict[tuple[str, str], list[tuple[Candidate, str]]] = {}
    keys = []  # the identity of each mention's concept within the paper: its type and folded label
    for member in mentions:
        candidate = member[0]
        label = candidate.label
        key = (candidate.type, fold(label) if label else folded_normal_label(member[1]))
        keys.append(key)
        same = groups.get(key)
        if same is None:
            groups[key] = [member]
        else:
            same.append(member)
    label_of: dict[tuple[str, str], str] = {}
    forms: dict[tuple[str, str], set[str]] = {}
    proposed_keys = []
    for key, members in groups.items():
        if len(members) == 1:
            candidate, surface = members[0]
            label_of[key] = candidate.label or normal_label(surface)
            forms[key] = {surface}
            if candidate.proposed:
                proposed_keys.append(key)
        else:
            label_of[key] = _label(members)
            forms[key] = {surface for _, surface in members}
            if any(candidate.proposed for candidate, _ in members):
                proposed_keys.append(key)
    for kind, label, pair_forms in pairs:
        forms.get((kind, fold(label)), set()).update(pair_forms)
    concepts = []
    # By type, then label: two concepts of a type never share a label (the label folds to the key), so the key
    # that follows in each tuple is never compared.
    for _, label, key in sorted([(_TYPE_RANK[key[0]], label, key) for key, label in label_of.items()]):
        surfaces = forms[key]
        if len(surfaces) == 1:
            aliases: tuple[str, ...] = () if label in surfaces else tuple(surfaces)
        else:
            aliases = tuple(sorted(surfaces - {label}, key=_alias_order))
        concepts.append(Concept(key[0], label, aliases))
    proposed = frozenset((key[0], label_of[key]) for key in proposed_keys)
    return Canonical(tuple([label_of[key] for key in keys]), tuple(concepts), proposed)


_TYPE_RANK: dict[str, int] = {kind: rank for rank, kind in enumerate(CONCEPT_TYPES)}


def _alias_order(surface: str) -> tuple[str, str]:
    return surface.casefold(), surface


def _label(members: list[tuple[Candidate, str]]) -> str:
    """A known label from the most confident candidate that has one, else the smallest normal form."""
    known = [(-c.confidence, c.label) for c, _ in members if c.label]
    if known:
        return min(known)[1]
    return min(normal_label(surface) for _, surface in members)
