"""The `kg_tokens` component: one pass over the token columns that every other component reads.

Each word type is classified once, when spaCy creates its lexeme: the bits of `WordClass` say which rules can start
at it (a hardware name, a lexicon head, a context cue, a coined name, a proposal cue) and what the rules ask of the
words around a cue (a possible modifier, a hyphen, a capital).  The bits, and the word's length above them, are
stored in the lexeme's SHAPE attribute, which nothing else in this blank pipeline uses, so that one `to_array`
column gives them for a whole doc and a second (IDX) the offsets: a column costs about 20 ns per token.  A
component whose cue words come from its own data adds its class with `kg.nlp.tokens.add_word_class` (the
gazetteer's case-sensitive labels).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from spacy.attrs import IDX, SHAPE
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.errors import KgError
from kg.nlp.candidates import TEXT, text_of
from kg.nlp.hardware import starts_hardware
from kg.nlp.patterns import has_dataset_suffix, is_coined, starts_context_rule
from kg.nlp.proposal import NAMED_CUES, WE_CUES
from kg.nlp.text import FUNCTION_WORDS, LANGUAGES, PREPOSITIONS, compound_part, marked, modifier, plural, singular
from kg.nlp.tokens import HYPHEN_SUFFIXES, LENGTH_SHIFT, LONG_WORD, TOKENS, TokenView, WordClass
from kg.vocabulary import Lexicon, load_lexicon

SENTENCE_BREAKS = frozenset({".", "!", "?", ":"})


def head_words(lexicon: Lexicon) -> frozenset[str]:
    """The lower-case last words (singular and plural) of the lexicon's heads: where a head phrase can end."""
    words = set()
    for head in (head for heads in lexicon.heads.values() for head in heads):
        last = head.replace("-", " ").split()[-1]
        words.update({last, plural(last)} if singular(plural(last)) == last else {last})
    return frozenset(words)


def word_classifier(heads: frozenset[str]) -> Callable[[str], int]:
    """The function from a word to its WordClass bits; `heads` are lower-case last words of lexicon heads."""

    def classify(word: str) -> int:
        lower = word.lower()
        tests = (
            (WordClass.HARDWARE, starts_hardware(word)),
            (WordClass.HEAD, lower in heads),
            (WordClass.CONTEXT_CUE, starts_context_rule(word)),
            (WordClass.COINED, is_coined(word)),
            (WordClass.WE_CUE, word in WE_CUES),
            (WordClass.NAMED_CUE, word in NAMED_CUES),
            (WordClass.HYPHEN, word == "-"),
            (WordClass.LONG, len(word) >= LONG_WORD),
            (WordClass.MODIFIER, modifier(word)),
            (WordClass.COMPOUND_PART, compound_part(word)),
            (WordClass.MARKED, marked(word)),
            (WordClass.GERUND, word.endswith("ing")),
            (WordClass.PREPOSITION, lower in PREPOSITIONS),
            (WordClass.LOWER, word.islower()),
            (WordClass.HYPHEN_SUFFIX, word in HYPHEN_SUFFIXES),
            (WordClass.DATA_NAME, has_dataset_suffix(word)),
            (WordClass.ALNUM_FIRST, word[:1].isalnum()),
            (WordClass.ALNUM_LAST, word[-1:].isalnum()),
            (WordClass.NAME_PART, not word.islower() and word[:1].isalnum() and lower not in FUNCTION_WORDS),
            (WordClass.TITLE, word.istitle()),
            (WordClass.UPPER, word.isupper()),
            (WordClass.SENTENCE_BREAK, word.isspace() or word in SENTENCE_BREAKS),
            (WordClass.LANGUAGE, lower in LANGUAGES),
        )
        return sum(int(word_class) for word_class, holds in tests if holds) | len(word) << LENGTH_SHIFT

    return classify


def use_word_classes(vocab: Vocab, classify: Callable[[str], int]) -> None:
    """Store `classify(word)` as the SHAPE of every lexeme, present and future."""
    vocab.lex_attr_getters[SHAPE] = classify  # type: ignore[attr-defined]  # missing from spaCy's stubs
    for lexeme in vocab:
        lexeme.shape = classify(lexeme.orth_)


class Tokens:
    """Stores the doc's TokenView: token offsets and word classes.  Holds the pipeline's cue lexicon, read once
    here for every component that needs it (`pipeline_lexicon`)."""

    def __init__(self, vocab: Vocab, lexicon: Lexicon) -> None:
        self.vocab = vocab
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        text = doc.user_data.get(TEXT) or text_of(doc)
        columns = doc.to_array([IDX, SHAPE]).reshape(len(doc), 2)
        classify = self.vocab.lex_attr_getters[SHAPE]  # type: ignore[attr-defined]  # missing from spaCy's stubs
        doc.user_data[TOKENS] = TokenView.of(text, columns[:, 0], columns[:, 1], classify)
        return doc


@Language.factory("kg_tokens", default_config={"lexicon": None})
def make_tokens(nlp: Language, name: str, lexicon: str | None) -> Tokens:
    """`lexicon`: path of the cue lexicon whose heads are marked (default: the project's `ontology/lexicon.tsv`)."""
    loaded = load_lexicon(Path(lexicon) if lexicon else None)
    use_word_classes(nlp.vocab, word_classifier(head_words(loaded)))
    return Tokens(nlp.vocab, loaded)


def pipeline_lexicon(nlp: Language) -> Lexicon:
    """The cue lexicon of `nlp`'s kg_tokens component, which every pipeline built by `kg.nlp.pipeline` has first."""
    if "kg_tokens" not in nlp.pipe_names:
        raise KgError("the extraction pipeline needs the kg_tokens component before its other components")
    tokens = nlp.get_pipe("kg_tokens")
    assert isinstance(tokens, Tokens)
    return tokens.lexicon
