"""The vocabulary gazetteer: every label of every known concept, matched in one pass over the tokens.

Matching is case- and hyphen-insensitive through the lexeme NORM ("CIFAR10" = "CIFAR-10", "ImageNet-1k" =
"ImageNet-1K"): lexeme attributes are computed once per word type, so the folding costs nothing per token.  A word
that is in no label gets one NORM shared by all such words, which keeps the matcher's lookups in the CPU cache.
Case-insensitivity is not safe for short acronyms that are also words ("SAM", "CLIP", "GLUE"), so those labels are
matched case-sensitively, and not by a second scan of the doc: their first words are a word class
(`WordClass.EXACT_LABEL`), so only the few tokens that can start one are looked at.  PhraseMatcher keeps about
0.7x of the tokenizer's speed where an EntityRuler keeps 0.15x, and overlapping matches are left to the resolver,
where the longest one wins.  The order of the candidates is the matchers': the resolver keeps the first of equal
candidates, so the order of two entries that share a label is part of the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import cast

from spacy.attrs import NORM
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import StringStore
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.nlp.candidates import Candidate, candidates
from kg.nlp.text import plural, singular
from kg.nlp.tokens import WordClass, add_word_class, token_view
from kg.vocabulary import VocabularyEntry, load_vocabulary

CASE_SENSITIVE_MAX_LENGTH = 5
NO_LABEL = "\x00"  # the NORM of the words of no label (`keep_label_norms`): no folded word is this

_EXACT_LABEL = int(WordClass.EXACT_LABEL)
# What a match adds after its offsets: the Candidate fields type, source, confidence, label, proposed, units, vendor.
Payload = tuple[str, str, float, str, bool, None, str | None]


def folded_norm(text: str) -> str:
    """The NORM of a word type: lower case without hyphens, so "CIFAR-10" and "cifar10" compare equal."""
    lowered = text.lower()
    return lowered.replace("-", "") or lowered


def use_folded_norms(vocab: Vocab) -> None:
    """Make NORM hyphen- and case-folded for every word type, present and future."""
    vocab.lex_attr_getters[NORM] = folded_norm  # type: ignore[attr-defined]  # missing from spaCy's stubs
    for lexeme in vocab:
        lexeme.norm_ = folded_norm(lexeme.orth_)


def keep_label_norms(vocab: Vocab, label_norms: frozenset[str]) -> None:
    """Give every word type whose folded NORM is in no label the one NORM `NO_LABEL`, present and future.

    The matcher looks up each token's NORM in a table with an entry per first word of a label, thousands of them:
    the words of no label, most of any text, then all look up one entry, which stays in the CPU cache.  Matches
    are unchanged, since such a word could never be part of one.
    """

    def norm(text: str) -> str:
        folded = folded_norm(text)
        return folded if folded in label_norms else NO_LABEL

    vocab.lex_attr_getters[NORM] = norm  # type: ignore[attr-defined]  # missing from spaCy's stubs
    for lexeme in vocab:
        if lexeme.norm_ not in label_norms:
            lexeme.norm_ = NO_LABEL


def needs_case(label: str) -> bool:
    """A one-word acronym that could be an English word when lower-cased ("SAM", "CLIP", "MoE")."""
    return (
        label.isalpha() and len(label) <= CASE_SENSITIVE_MAX_LENGTH and sum(1 for char in label if char.isupper()) >= 2
    )


def spelling_variants(label: str, with_lower_case: bool = True) -> Iterator[str]:
    """The label as written, with hyphens as spaces, without them and spaced (as tokenized text writes them: "CIFAR -
    100"), each also with a plural head, in its own case
    and in lower case: spaCy splits "ImageNet-1K" as "ImageNet-1" + "K" but keeps "ImageNet-1k" whole, so the
    folded NORMs only meet if both casings were tokenized."""
    joined = (label, label.replace("-", " "), label.replace("-", ""), label.replace("-", " - "))
    lowered = tuple(form.lower() for form in joined) if with_lower_case else ()
    for form in dict.fromkeys((*joined, *lowered)):
        yield form
        head, _, last = form.rpartition(" ")
        if last.isalpha() and singular(plural(last)) == last:
            yield f"{head} {plural(last)}".lstrip()


def pattern_docs(nlp: Language, texts: Iterable[str]) -> list[Doc]:
    """Docs of `texts` in `nlp`'s vocabulary, tokenized by a fresh tokenizer with the same rules.

    `nlp`'s own tokenizer caches at most 10,000 chunks and never evicts: thousands of pattern strings would fill
    that cache and leave abstracts to be re-split on every call (measured 4x slower tokenization).
    """
    tokenizer = cast(Tokenizer, type(nlp)().tokenizer)
    return [
        Doc(nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        for doc in tokenizer.pipe(texts)
    ]


class Gazetteer:
    """Adds a `gazetteer/*` candidate for every vocabulary label found, carrying the entry's prefLabel."""

    def __init__(self, nlp: Language, entries: Sequence[VocabularyEntry], confidence: float) -> None:
        use_folded_norms(nlp.vocab)
        self.entries = tuple(entries)
        self.confidence = confidence
        self.folded = PhraseMatcher(nlp.vocab, attr="NORM")
        exact_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        folded: dict[str, list[str]] = {}
        exact: dict[str, list[str]] = {}
        for index, entry in enumerate(self.entries):
            for label in entry.labels:
                cased = needs_case(label)
                target = exact if cased else folded
                target.setdefault(str(index), []).extend(spelling_variants(label, with_lower_case=not cased))
        every_form = sorted({form for patterns in (folded, exact) for forms in patterns.values() for form in forms})
        docs = dict(zip(every_form, pattern_docs(nlp, every_form), strict=True))
        for matcher, patterns in ((self.folded, folded), (exact_matcher, exact)):
            for key, forms in patterns.items():
                matcher.add(key, [docs[form] for form in dict.fromkeys(forms)])
        keep_label_norms(nlp.vocab, frozenset(t.norm_ for forms in folded.values() for f in forms for t in docs[f]))
        # A match id is the hash of the entry's index: decoding it once here saves a string lookup per match.
        self.folded_payloads = {nlp.vocab.strings[key]: self._payload(key, "gazetteer/folded") for key in folded}
        exact_forms = [docs[form] for forms in exact.values() for form in forms]
        self.exact = self._exact_index(exact_matcher, exact_forms, nlp.vocab.strings)
        add_word_class(nlp.vocab, WordClass.EXACT_LABEL, frozenset(doc[0].text for doc in exact_forms))

    def _payload(self, key: str, rule: str) -> Payload:
        entry = self.entries[int(key)]
        return (entry.type, rule, self.confidence, entry.label, False, None, entry.vendor)

    def _exact_index(
        self, matcher: PhraseMatcher, forms: list[Doc], strings: StringStore
    ) -> dict[str, tuple[tuple[tuple[str, ...], tuple[Payload, ...]], ...]]:
        """First word of a case-sensitive form -> (its further words, the payloads of its entries), shortest form
        first, as the matcher would report them.

        A PhraseMatcher reports the entries of one span in the order of its hash table, which only the matcher
        knows: asking it about each form's own doc gives that order.
        """
        by_first: dict[str, dict[tuple[str, ...], tuple[Payload, ...]]] = {}
        for doc in forms:
            words = tuple(token.text for token in doc)
            keys = [match_id for match_id, start, end in matcher(doc) if (start, end) == (0, len(doc))]
            payloads = tuple(self._payload(strings[key], "gazetteer/exact") for key in keys)
            by_first.setdefault(words[0], {})[words[1:]] = payloads
        return {first: tuple(sorted(rests.items(), key=lambda rest: len(rest[0]))) for first, rests in by_first.items()}

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        view = token_view(doc)
        starts, ends, hyphens = view.starts, view.ends, view.hyphens
        new = tuple.__new__  # Candidate(...) with every field given, without its keyword-handling __new__
        payloads = self.folded_payloads
        for match_id, start, end in self.folded(doc):
            # inside_compound needs a hyphen next to the match: two set lookups save most calls.
            if not (hyphens and (start - 1 in hyphens or end in hyphens) and view.inside_compound(start, end)):
                found.append(new(Candidate, (starts[start], ends[end - 1], *payloads[match_id])))
        length = len(starts)
        for start in view.having(_EXACT_LABEL):
            for rest, exact in self.exact[view.word(start)]:
                end = start + 1 + len(rest)
                if rest and (end > length or any(view.word(start + 1 + i) != word for i, word in enumerate(rest))):
                    continue
                if not (hyphens and (start - 1 in hyphens or end in hyphens) and view.inside_compound(start, end)):
                    for payload in exact:
                        found.append(new(Candidate, (starts[start], ends[end - 1], *payload)))
        return doc


@Language.factory("kg_gazetteer", default_config={"vocabulary": None, "confidence": 0.9})
def make_gazetteer(nlp: Language, name: str, vocabulary: str | None, confidence: float) -> Gazetteer:
    """`vocabulary`: path of the SKOS vocabulary (default: the project's `ontology/vocabulary.ttl`)."""
    return Gazetteer(nlp, load_vocabulary(Path(vocabulary) if vocabulary else None), confidence)
