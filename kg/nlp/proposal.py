"""The paper's own contribution: what it proposes, as opposed to what it uses.

Three cues mark it: a title of the form "Mesa: A Memory-saving ..."; "we propose/introduce/present X"; and
"dubbed/termed/called/named X" in a sentence about this work.  The object of "we propose" is read up to the end
of its clause: a name there (or one introduced by "named"/"dubbed", or in an abbreviation pair) is the proposal,
otherwise the candidate that heads the noun phrase, unless the vocabulary knows that span ("we design a diffusion
model" proposes a new model, not the concept "diffusion model").  The proposal is a dataset when the text says it
is a dataset or benchmark, a method otherwise.  Every later occurrence of a proposed name is a mention of the same
concept.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import (
    PAIRS,
    TITLE_END,
    AbbreviationPair,
    Candidate,
    candidates,
    make_candidate,
    sentences,
    text_of,
)
from kg.nlp.patterns import is_coined
from kg.nlp.text import FUNCTION_WORDS, word_occurrences, word_set
from kg.nlp.tokens import WordClass, token_view

_NAME = r"[A-Za-z0-9\u0391-\u03a9\u03b1-\u03c9][\w\-+.\u0391-\u03a9\u03b1-\u03c9]*[\w+]|[A-Z]"
# "Mesa: A Memory-saving ...", "Δ-DiT: A Training-Free ...": one to three words before the colon.
_TITLE = re.compile(rf"^\s*(?P<name>(?:{_NAME})(?: (?:{_NAME})){{0,2}})\s*:\s+\S")
WE_CUES = word_set("we We this This our Our here Here")
NAMED_CUES = word_set("named called dubbed termed coined namely denoted referred")
_WE_PROPOSE = re.compile(
    r"\b(?:[Ww]e|[Tt]his (?:paper|work|study|article)|[Oo]ur (?:paper|work)|[Hh]ere,? we)"
    r"(?: (?:first|further|also|then|thus|therefore|hence|here|additionally|newly|formally))?"
    r" (?:propose|proposes|introduce|introduces|present|presents|develop|develops|design|designs|contribute|"
    r"contributes|release|releases|construct|constructs|curate|curates|build|builds|establish|establishes|"
    r"create|creates|devise|devises|offer|offers)"
    r"(?P<object>[^.;!?]{1,240})"
)
_NAMED = re.compile(
    rf"\b(?:named|called|dubbed|termed|coined|namely|denoted(?: as)?|referred to as)"
    rf"(?: as)?:? [\"'\u201c\u2018]?(?P<name>(?:{_NAME})(?: (?:{_NAME})){{0,2}}?)(?=[\"'\u201d\u2019]?(?:[\s,;:.)]|$))"
)
# "we present Mesa, a ...": the object starts with a name closed by punctuation or a dash.
_LEADING_NAME = re.compile(rf"\s*(?:(?:an?|the|our) )?(?P<name>{_NAME})(?=\s*(?:[,:(]|$|\s[-\u2013\u2014]))")
# One word alternation behind one \b: with a \b per word, the search costs three times as much.
_CLAUSE_END = re.compile(r"[,(]|\b(?:that|which|to|for|by|with|in|on|via|using)\b")
_DATASET_WORDS = re.compile(r"(?i)\b(?:data ?sets?|benchmarks?|corpus|corpora|suites?|leaderboards?|collections?)\b")
_THIS_WORK = re.compile(r"\b(?:[Ww]e|[Oo]ur|[Tt]his (?:paper|work|study))\b")
_PROPOSABLE = frozenset({"method", "dataset"})
_LOOK_BACK = 300
# Title prefixes that are not names of a contribution.
_NOT_A_NAME = word_set("survey review tutorial position perspective towards toward overview part case study")


class Proposal:
    """Adds `proposal/*` candidates (proposed=True) for the paper's own method, dataset or benchmark."""

    def __init__(self, confidence: float) -> None:
        self.confidence = confidence

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        text = text_of(doc)
        found = candidates(doc)
        view = token_view(doc)  # word classes mark the words the two regexes start with
        we = [view.starts[i] for i in view.having(WordClass.WE_CUE)]
        named = [view.starts[i] for i in view.having(WordClass.NAMED_CUE)]
        proposed = [*self._title(doc), *self._we_propose(doc, we), *self._named(doc, named)]
        names: dict[str, Candidate] = {}
        for candidate in proposed:
            found.append(candidate)
            name = text[candidate.start : candidate.end]
            if is_coined(name) or name[:1].isupper():
                names.setdefault(name, candidate)
        for name, first in names.items():
            length = len(name)
            found += [
                self._candidate(start, start + length, first.type, "proposal/same-name")
                for start in word_occurrences(text, name)
                if start != first.start
            ]
        return doc

    def _title(self, doc: Doc) -> Iterator[Candidate]:
        title_end = doc.user_data.get(TITLE_END)
        if not title_end:
            return
        title = text_of(doc)[:title_end]
        match = _TITLE.match(title)
        if match is None:
            return
        name = match.group("name")
        words = name.split()
        if words[0].lower() in _NOT_A_NAME or words[0].lower() in FUNCTION_WORDS:
            return
        if len(words) > 1 and not any(is_coined(word) for word in words):
            return
        kind = "dataset" if _DATASET_WORDS.search(title, match.end()) else "method"
        yield self._candidate(match.start("name"), match.end("name"), kind, "proposal/title")

    def _we_propose(self, doc: Doc, cues: list[int]) -> Iterator[Candidate]:
        text = text_of(doc)
        pairs: tuple[AbbreviationPair, ...] = doc.user_data.get(PAIRS, ())  # in text order
        pair_starts = [pair.long_start for pair in pairs]
        found = candidates(doc)
        for match in filter(None, (_WE_PROPOSE.match(text, cue) for cue in cues)):
            start, end = match.span("object")
            phrase_end = _clause_end(text, start, end)
            kind = "dataset" if _DATASET_WORDS.search(text, start, phrase_end) else "method"
            # Every match of _NAMED starts with a word of NAMED_CUES: look for the words first (the regex search
            # costs several times as much, and most objects have none).
            phrase = text[start:end]
            named = _NAMED.search(text, start, end) if any(word in phrase for word in NAMED_CUES) else None
            if named is not None:
                yield self._candidate(named.start("name"), named.end("name"), kind, "proposal/named")
                continue
            first = _LEADING_NAME.match(text, start, end)
            if first is not None and (is_coined(first.group("name")) or first.group("name")[:1].isupper()):
                yield self._candidate(first.start("name"), first.end("name"), kind, "proposal/we-propose")
                continue
            index = bisect_left(pair_starts, start)
            if index < len(pairs) and pairs[index].long_start < phrase_end:
                pair = pairs[index]
                yield self._candidate(pair.long_start, pair.long_end, kind, "proposal/we-propose")
                yield self._candidate(pair.short_start, pair.short_end, kind, "proposal/we-propose")
                continue
            heads = _heads(found, start, phrase_end)
            if heads:
                head = max(heads, key=lambda c: (c.end, c.length))
                yield self._candidate(head.start, head.end, head.type, "proposal/we-propose")

    def _named(self, doc: Doc, cues: list[int]) -> Iterator[Candidate]:
        """ "dubbed X", "termed X" outside "we propose" sentences: proposed when the sentence is about this work."""
        text = text_of(doc)
        for match in filter(None, (_NAMED.match(text, cue) for cue in cues)):
            # The clause before the cue, within its sentence and at most _LOOK_BACK characters (linear time); the
            # sentences are computed here, on the first match, not for every doc.
            sentence_start = max(sentences(doc).span(match.start())[0], match.start() - _LOOK_BACK)
            if _WE_PROPOSE.search(text, sentence_start, match.start()):
                continue  # already read as the object of "we propose"
            name = match.group("name")
            if not (is_coined(name) or name[:1].isupper()):
                continue
            kind = "dataset" if _DATASET_WORDS.search(text, sentence_start, match.start()) else "method"
            yield Candidate(
                match.start("name"),
                match.end("name"),
                kind,
                "proposal/named",
                self.confidence,
                proposed=bool(_THIS_WORK.search(text, sentence_start, match.start())),
            )

    def _candidate(self, start: int, end: int, kind: str, source: str) -> Candidate:
        """A proposed candidate, with this component's confidence."""
        return make_candidate(start, end, kind, source, self.confidence, proposed=True)


def _heads(found: list[Candidate], start: int, end: int) -> list[Candidate]:
    """The method and dataset candidates within [start, end) that may head the object of "we propose", in
    candidate order: not already proposed, and on no span the vocabulary knows (under any rule's candidate there):
    "we design a diffusion model" or "we propose fine-tuning LLMs" make something new, not the known concept."""
    inside = [c for c in found if start <= c[0] < end and c[1] <= end]
    known = {c[:2] for c in inside if c.source.startswith("gazetteer/")}
    return [c for c in inside if c.type in _PROPOSABLE and not c.proposed and c[:2] not in known]


def _clause_end(text: str, start: int, end: int) -> int:
    """End of the noun phrase that starts at `start`: the first comma, relative pronoun or preposition."""
    match = _CLAUSE_END.search(text, start + 1, end)
    return match.start() if match is not None else end


@Language.factory("kg_proposal", default_config={"confidence": 0.85})
def make_proposal(nlp: Language, name: str, confidence: float) -> Proposal:
    return Proposal(confidence)
