"""Concept candidates: everything the rules and the word n-grams propose in one paper, grouped by concept.

The unit the learned model judges is what the graph stores, a concept of a paper, not a span: "LLMs" in the title
and "LLM" twice in the abstract are one candidate with three occurrences, and "Group Relative Policy Optimization"
and "GRPO" joined by an abbreviation pair are one too.  Grouping is by `concept_key`, the scorer's normal form.
The rule candidates keep what they know (type, vocabulary label, proposal, hardware count), which becomes evidence
for the classifier, not a decision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.nlp.abbreviations import written_pairs
from kg.nlp.candidates import Candidate
from kg.nlp.ngrams import Phrase, concept_key, phrases


@dataclass
class ConceptCandidate:
    """One candidate concept of a paper, built up while the paper's candidates are read (then only read)."""

    key: str
    spans: set[tuple[int, int]] = field(default_factory=set)
    rules: list[Candidate] = field(default_factory=list)  # rule candidates on one of its spans
    words: tuple[str, ...] = ()  # the words of its first n-gram occurrence, when an n-gram proposed it
    short_keys: list[str] = field(default_factory=list)  # keys of short forms merged in by abbreviation pairs
    long_form: str | None = None  # the long form as written, when an abbreviation pair names it

    def ordered_spans(self) -> list[tuple[int, int]]:
        return sorted(self.spans)

    def surface(self, text: str) -> str:
        """Its most frequent surface form (the first one on a tie): what shape features describe."""
        counts = Counter(text[start:end] for start, end in self.ordered_spans())
        return counts.most_common(1)[0][0]  # ties keep first-seen order


PhraseFilter = Callable[[Phrase], bool]


def concept_candidates(
    text: str, rule_candidates: Iterable[Candidate], keep_phrase: PhraseFilter
) -> list[ConceptCandidate]:
    """The paper's concept candidates in order of first occurrence.

    Every rule candidate counts; an n-gram counts when `keep_phrase` says so or when its key is already a
    candidate (another occurrence of a known concept).  Abbreviation pairs merge the short form into the long form.
    """
    found: dict[str, ConceptCandidate] = {}
    for candidate in rule_candidates:
        key = concept_key(text[candidate.start : candidate.end])
        if key:
            entry = found.setdefault(key, ConceptCandidate(key))
            entry.spans.add((candidate.start, candidate.end))
            entry.rules.append(candidate)
    for phrase in phrases(text):
        known = found.get(phrase.key)
        if known is None:
            if not keep_phrase(phrase):
                continue
            known = found[phrase.key] = ConceptCandidate(phrase.key)
        known.spans.add((phrase.start, phrase.end))
        if not known.words:
            known.words = phrase.words
    _merge_pairs(text, found)
    return sorted(found.values(), key=lambda entry: min(entry.spans))


def _merge_pairs(text: str, found: dict[str, ConceptCandidate]) -> None:
    """ "Low-Rank Adaptation (LoRA)": LoRA's occurrences join the long form's candidate."""
    for long_start, long_end, short, short_start, short_end in written_pairs(text):
        long_key, short_key = concept_key(text[long_start:long_end]), concept_key(short)
        if not long_key or long_key == short_key:
            continue
        long_entry = found.setdefault(long_key, ConceptCandidate(long_key))
        long_entry.spans.add((long_start, long_end))
        long_entry.long_form = text[long_start:long_end]
        short_entry = found.pop(short_key, None)
        if short_entry is None:
            long_entry.spans.add((short_start, short_end))
        elif short_entry is not long_entry:
            long_entry.spans |= short_entry.spans
            long_entry.rules += short_entry.rules
            long_entry.short_keys += [short_key, *short_entry.short_keys]
            long_entry.words = long_entry.words or short_entry.words
        found[short_key] = long_entry  # later pairs naming the same short form find the merged candidate
    # A merged candidate sits under several keys: keep it once, under its own.
    for key in [key for key, entry in found.items() if entry.key != key]:
        del found[key]
