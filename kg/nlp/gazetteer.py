"""The vocabulary gazetteer: every label of every known concept, matched in one pass over the tokens.

Matching is case- and hyphen-insensitive through the lexeme NORM ("CIFAR10" = "CIFAR-10", "ImageNet-1k" =
"ImageNet-1K"): lexeme attributes are computed once per word type, so the folding costs nothing per token.
Case-insensitivity is not safe for short acronyms that are also words ("SAM", "CLIP", "GLUE"), so those labels go
to a second, case-sensitive matcher.  PhraseMatcher keeps about 0.7x of the tokenizer's speed where an
EntityRuler keeps 0.15x, and overlapping matches are left to the resolver, where the longest one wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import cast

from spacy.attrs import NORM
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.nlp.candidates import Candidate, candidates
from kg.nlp.text import plural, singular
from kg.nlp.tokens import token_view
from kg.vocabulary import VocabularyEntry, load_vocabulary

CASE_SENSITIVE_MAX_LENGTH = 5


def folded_norm(text: str) -> str:
    """The NORM of a word type: lower case without hyphens, so "CIFAR-10" and "cifar10" compare equal."""
    lowered = text.lower()
    return lowered.replace("-", "") or lowered


def use_folded_norms(vocab: Vocab) -> None:
    """Make NORM hyphen- and case-folded for every word type, present and future."""
    vocab.lex_attr_getters[NORM] = folded_norm  # type: ignore[attr-defined]  # missing from spaCy's stubs
    for lexeme in vocab:
        lexeme.norm_ = folded_norm(lexeme.orth_)


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
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        folded: dict[str, list[str]] = {}
        exact: dict[str, list[str]] = {}
        for index, entry in enumerate(self.entries):
            for label in entry.labels:
                cased = needs_case(label)
                target = exact if cased else folded
                target.setdefault(str(index), []).extend(spelling_variants(label, with_lower_case=not cased))
        every_form = sorted({form for patterns in (folded, exact) for forms in patterns.values() for form in forms})
        docs = dict(zip(every_form, pattern_docs(nlp, every_form), strict=True))
        for matcher, patterns in ((self.folded, folded), (self.exact, exact)):
            for key, forms in patterns.items():
                matcher.add(key, [docs[form] for form in dict.fromkeys(forms)])

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        view = token_view(doc)
        for matcher, rule in ((self.folded, "gazetteer/folded"), (self.exact, "gazetteer/exact")):
            for match_id, start, end in matcher(doc):
                if view.inside_compound(start, end):
                    continue
                entry = self.entries[int(doc.vocab.strings[match_id])]
                found.append(
                    Candidate(
                        view.starts[start],
                        view.ends[end - 1],
                        entry.type,
                        rule,
                        self.confidence,
                        label=entry.label,
                        vendor=entry.vendor,
                    )
                )
        return doc


@Language.factory("kg_gazetteer", default_config={"vocabulary": None, "confidence": 0.9})
def make_gazetteer(nlp: Language, name: str, vocabulary: str | None, confidence: float) -> Gazetteer:
    """`vocabulary`: path of the SKOS vocabulary (default: the project's `ontology/vocabulary.ttl`)."""
    return Gazetteer(nlp, load_vocabulary(Path(vocabulary) if vocabulary else None), confidence)
