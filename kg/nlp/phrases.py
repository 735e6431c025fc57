"""Head-noun phrases: "statistical machine translation system" is a method because it ends in "system".

Most concepts in abstracts are not in any vocabulary, but their last noun says what they are (the lexicon's heads:
"... recognition" is a task, "... network" a method, "... corpus" a dataset, "... error rate" a metric).  Head
words are found in one vectorised lookup over the token array; only there does Python walk left over the
modifiers, stopping at function words, verbs, numbers and punctuation, since a blank pipeline has no tagger.
Head tokens, and the words the walk may cross (a modifier, a compound part, a hyphen), are word classes computed
once per word type; the walk reads them from the shared TokenView, so no Token object is created and no word is
sliced or lower-cased on the way.  Heads are indexed by their last word and then by the words before it, so a
head word costs one lookup per length of its heads; a word that ends only one-word heads, most of them, carries the
number of its head in its word class (`HEAD_KIND_SHIFT`), and costs no lookup at all.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.errors import KgError
from kg.nlp.candidates import Candidate, candidates, make_candidate
from kg.nlp.gazetteer import pattern_docs
from kg.nlp.lexical import pipeline_lexicon
from kg.nlp.text import plural, singular
from kg.nlp.tokens import HEAD_KIND_MASK, HEAD_KIND_SHIFT, TokenView, WordClass, add_word_bits, token_view
from kg.records import CONCEPT_TYPES
from kg.vocabulary import Lexicon

# Types whose head alone is a concept ("parsing", "accuracy"); a bare "model" or "corpus" is generic.
DEFAULT_BARE_TYPES: tuple[str, ...] = ("task",)
# Types whose phrases must contain a name: "Penn Treebank" and "Europarl corpus" are datasets, "labeled data" and
# "parallel corpora" are descriptions.
DEFAULT_NAMED_TYPES: tuple[str, ...] = ("dataset", "metric")
# Types whose vocabulary terms are heads too: "sparse convolution" is a kind of convolution.
DEFAULT_EXTEND_TYPES: tuple[str, ...] = ("method", "task")
# Named things a phrase does not absorb as a modifier: "ImageNet classification" is a dataset and a task.
_NAME_TYPES: frozenset[str] = frozenset({"dataset", "hardware", "metric"})


@dataclass(frozen=True)
class Head:
    """One lexicon head, split into tokens: the words before its last word, and the type it marks."""

    before: tuple[str, ...]
    type: str


# Heads by their last word: for each count of words before the last, longest first, the first head (in the order
# that decides) with each such sequence of words.
HeadIndex = dict[str, tuple[tuple[int, dict[tuple[str, ...], Head]], ...]]

# Plain ints: an IntFlag operand makes `int & flag` a call into the enum module.
_HEAD = int(WordClass.HEAD)
_HYPHEN = int(WordClass.HYPHEN)
_MODIFIER = int(WordClass.MODIFIER)
_COMPOUND_PART = int(WordClass.COMPOUND_PART)
_MARKED = int(WordClass.MARKED)
_COINED = int(WordClass.COINED)
_GERUND = int(WordClass.GERUND)
_PREPOSITION = int(WordClass.PREPOSITION)
_NAME_PART = int(WordClass.NAME_PART)
_TITLE = int(WordClass.TITLE)
_UPPER = int(WordClass.UPPER)
_SENTENCE_BREAK = int(WordClass.SENTENCE_BREAK)
_LANGUAGE = int(WordClass.LANGUAGE)


class HeadPhrases:
    """Adds a `phrases/head` candidate for each phrase of modifiers ending in a lexicon head, and a
    `phrases/extended` one for each vocabulary term of `extend_types` with modifiers before it."""

    def __init__(
        self,
        nlp: Language,
        lexicon: Lexicon,
        confidence: float,
        bare_types: Sequence[str],
        named_types: Sequence[str],
        extend_types: Sequence[str],
        max_modifiers: int,
    ) -> None:
        self.confidence = confidence
        self.bare_types = frozenset(bare_types)
        self.named_types = frozenset(named_types)
        self.extend_types = frozenset(extend_types)
        self.max_modifiers = max_modifiers
        by_last: dict[str, list[Head]] = {}
        all_heads = sorted({head for heads in lexicon.heads.values() for head in heads})
        head_docs = dict(zip(all_heads, pattern_docs(nlp, all_heads), strict=True))
        for kind in CONCEPT_TYPES:
            for head in sorted(lexicon.heads.get(kind, ())):
                words = [token.lower_ for token in head_docs[head]]
                last = words[-1]
                forms = {last, plural(last)} if singular(plural(last)) == last else {last}
                for form in forms:
                    by_last.setdefault(form, []).append(Head(tuple(words[:-1]), kind))
        # Longer heads first: "word error rate" decides before "rate".
        self.by_last = _head_index(
            {word: sorted(heads, key=lambda h: -len(h.before)) for word, heads in by_last.items()}
        )
        self.one_word_heads = _mark_one_word_heads(nlp.vocab, self.by_last)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        view = token_view(doc)
        found = candidates(doc)
        starts = view.starts
        named, spans, known = _earlier(found, starts, self.extend_types)
        by_last, text, ends, bare_types = self.by_last, view.text, view.ends, self.bare_types
        classes, hyphens = view.classes, view.hyphens
        one_word_heads = self.one_word_heads
        for index in view.having(_HEAD):
            kind = classes[index] >> HEAD_KIND_SHIFT & HEAD_KIND_MASK
            if kind:  # the common case, read from the word's class: one-word heads only
                head, head_start = one_word_heads[kind], index
            else:
                groups = by_last.get(text[starts[index] : ends[index]].lower())
                longest = None if groups is None else _longest_head(view, index, groups)
                if longest is None:
                    continue
                head, head_start = longest
            if head.type not in bare_types and _no_modifiers(classes, hyphens, head_start):
                continue  # a bare head that may not stand alone
            phrase = self._phrase(view, head, head_start, index, named, spans)
            if phrase is not None:
                found.append(phrase)
                spans.add(phrase[:3])
        for candidate in known:
            first = view.index_at(candidate.start)
            if first is None:
                continue
            start = self._modifiers_start(view, first, named)
            if start < first and self._extends(view, start, first):
                found.append(
                    make_candidate(starts[start], candidate.end, candidate.type, "phrases/extended", self.confidence)
                )
        return doc

    def _phrase(
        self,
        view: TokenView,
        head: Head,
        head_start: int,
        index: int,
        named: set[int],
        spans: set[tuple[int, int, str]],
    ) -> Candidate | None:
        """The phrase of modifiers before `head`, which spans tokens [head_start, index]."""
        start = self._modifiers_start(view, head_start, named)
        kind = head.type
        if start == head_start:
            if kind not in self.bare_types:
                return None
        elif (view.starts[start], view.ends[head_start - 1], kind) in spans:
            return None  # "BERT model", "ImageNet dataset": the name already is the mention
        if kind in self.named_types:
            named_start = self._name_start(view, start, head_start, index, kind)
            if named_start is None:
                return None
            start = named_start
        return make_candidate(view.starts[start], view.ends[index], kind, "phrases/head", self.confidence)

    @staticmethod
    def _extends(view: TokenView, start: int, first: int) -> bool:
        """Whether modifiers [start, first) make a kind of the term that follows: any modifier of an ordinary term
        ("sparse convolution"), but a coined name only takes modifiers with capitals or digits ("3D CNNs",
        "Holistic SparseCNN"), not lower-case words, which are as often verbs ("we prompt SAM")."""
        classes = view.classes
        if not classes[first] & (_COINED | _UPPER):
            return True
        return all(classes[i] & (_HYPHEN | _MARKED) for i in range(start, first))

    def _name_start(self, view: TokenView, start: int, head_start: int, index: int, kind: str) -> int | None:
        """Where the name in a phrase of a named type starts: its first capitalised modifier ("Penn Treebank",
        "Chinese Treebank"); the bare head if nothing but a language is capitalised, or None if it may not stand."""
        classes = view.classes
        names = [i for i in range(start, index + 1) if _is_name_part(classes, i)]
        if any(not classes[i] & _LANGUAGE for i in names) and names[0] < head_start:
            return names[0]
        return head_start if kind in self.bare_types else None

    def _modifiers_start(self, view: TokenView, head_start: int, named: set[int]) -> int:
        """Index of the first token of the modifier run that ends right before `head_start`.

        The walk reads word classes (`WordClass.MODIFIER`, `COMPOUND_PART`, ...) computed once per word type."""
        classes, hyphens = view.classes, view.hyphens
        if _no_modifiers(classes, hyphens, head_start):
            return head_start
        start, words, most = head_start, 0, self.max_modifiers
        while start and words < most:
            before = start - 1
            if before in hyphens:
                if before and classes[before - 1] & _COMPOUND_PART:
                    start = before - 1  # a compound counts as one word, however many parts it has
                    continue
                # "high-performance Transformers": the compound cannot be taken whole, so none of it is.
                return start + 1 if start < head_start else start
            # Inside a compound (after its hyphen) any compound part will do, elsewhere only a modifier.
            if before in named or not classes[before] & (_COMPOUND_PART if before - 1 in hyphens else _MODIFIER):
                break
            start = before
            words += 1
        # A leading hyphenated half-word left over by the word limit is dropped, and so is a leading gerund after a
        # preposition, which is a verb: "for [evaluating] multimodal models".
        while start < head_start and (
            classes[start] & _HYPHEN or (start > 0 and classes[start] & _GERUND and classes[start - 1] & _PREPOSITION)
        ):
            start += 1
        return start


def _earlier(
    found: list[Candidate], starts: memoryview, extend_types: frozenset[str]
) -> tuple[set[int], set[tuple[int, int, str]], list[Candidate]]:
    """What the phrases need of the candidates found before them, read in one pass: the tokens inside a named
    candidate (a dataset, hardware, metric), which are never modifiers; every (start, end, type); and the vocabulary
    terms of `extend_types`, which modifiers can extend."""
    named: set[int] = set()
    spans: set[tuple[int, int, str]] = set()
    known: list[Candidate] = []
    for candidate in found:
        span = candidate[:3]
        spans.add(span)
        kind = span[2]
        if kind in _NAME_TYPES:
            named.update(range(bisect_left(starts, span[0]), bisect_left(starts, span[1])))
        if kind in extend_types and candidate.source.startswith("gazetteer"):
            known.append(candidate)
    return named, spans, known


def _no_modifiers(classes: memoryview, hyphens: frozenset[int], head_start: int) -> bool:
    """Whether the word before `head_start` stops the modifier walk at once, as it does before most heads: neither a
    modifier nor a hyphen, nor the second part of a compound."""
    before = head_start - 1
    return before < 0 or not (classes[before] & (_MODIFIER | _HYPHEN) or before - 1 in hyphens)


def _longest_head(
    view: TokenView, index: int, groups: tuple[tuple[int, dict[tuple[str, ...], Head]], ...]
) -> tuple[Head, int] | None:
    """The head ending in word `index` whose heads (by count of words before it) are `groups`, longest first,
    with the index of its first word."""
    longest = min(groups[0][0], index)  # the words before the head word that any of its heads can need
    before = tuple(view.word(i).lower() for i in range(index - longest, index))
    for count, heads in groups:
        if count <= longest:
            head = heads.get(before[longest - count :])
            if head is not None:
                return head, index - count
    return None


def _mark_one_word_heads(vocab: Vocab, by_last: HeadIndex) -> tuple[Head, ...]:
    """Store in each word's class (`HEAD_KIND_SHIFT`) which head it is when it ends only one-word heads, the most
    common case, so that the phrase walk need not slice, lower-case and look up the word: the number is an index
    into the returned heads (0: look the word up)."""
    kind_of = {word: heads[()].type for word, ((count, heads), *_) in by_last.items() if count == 0}
    kinds = sorted(set(kind_of.values()))
    one_word_heads = (Head((), ""), *(Head((), kind) for kind in kinds))
    if len(one_word_heads) > HEAD_KIND_MASK + 1:
        raise KgError(f"at most {HEAD_KIND_MASK} types of heads can be word classes, not {len(kinds)}")
    number = {head.type: index for index, head in enumerate(one_word_heads) if index}
    kind_bits = {word: number[kind] << HEAD_KIND_SHIFT for word, kind in kind_of.items()}
    add_word_bits(vocab, lambda word: kind_bits.get(word.lower(), 0))
    return one_word_heads


def _head_index(by_last: dict[str, list[Head]]) -> HeadIndex:
    """The heads of each last word (in deciding order) grouped by their count of words before it, longest first;
    of heads with the same words the first decides, so it is the one kept."""
    index: HeadIndex = {}
    for word, heads in by_last.items():
        groups: dict[int, dict[tuple[str, ...], Head]] = {}
        for head in heads:
            groups.setdefault(len(head.before), {}).setdefault(head.before, head)
        index[word] = tuple(sorted(groups.items(), key=lambda group: -group[0]))
    return index


def _is_name_part(classes: memoryview, index: int) -> bool:
    """A capitalised, upper-case or alphanumeric word that is not capitalised only because a sentence starts."""
    bits = classes[index]
    if not bits & _NAME_PART:
        return False
    return not (bits & _TITLE and (not index or classes[index - 1] & _SENTENCE_BREAK))


@Language.factory(
    "kg_phrases",
    default_config={
        "confidence": 0.6,
        "bare_types": list(DEFAULT_BARE_TYPES),
        "named_types": list(DEFAULT_NAMED_TYPES),
        "extend_types": list(DEFAULT_EXTEND_TYPES),
        "max_modifiers": 4,
    },
)
def make_phrases(
    nlp: Language,
    name: str,
    confidence: float,
    bare_types: list[str],
    named_types: list[str],
    extend_types: list[str],
    max_modifiers: int,
) -> HeadPhrases:
    """Reads the pipeline's cue lexicon from its kg_tokens component."""
    lexicon = pipeline_lexicon(nlp)
    return HeadPhrases(nlp, lexicon, confidence, bare_types, named_types, extend_types, max_modifiers)
