"""Word classes and string normal forms shared by the extraction components.

The normal forms are pure functions of a string, memoised (bounded) because the same surface forms recur in
every abstract of a corpus.

There is no tagger in a blank spaCy pipeline, so phrase boundaries come from closed word classes: a candidate
phrase never runs across a function word, a common verb or an evaluative adjective.  The lists are closed-class
English and abstract boilerplate, not domain terms: domain cues (head nouns, generic phrases) live in the
project lexicon (`ontology/lexicon.tsv`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`: keeps long word lists readable in the source."""
    return frozenset(text.split())


FUNCTION_WORDS: frozenset[str] = word_set(
    """
    a an the this that these those its their our his her my your we us they them it he she i you one ones
    of in on at by for with without within from to into onto over under about across after before between
    through during against among upon via per than as like versus vs vs. toward towards beyond along around
    and or nor but yet so if then else because since while whereas although though unless until whether
    not no only also both either neither each every all any some many much more most few fewer less least
    other others another such same own very too quite rather just even still already again further
    is are was were be been being am has have had having do does did done doing can could may might must
    shall should will would cannot
    which who whom whose what when where why how there here thus hence therefore however moreover furthermore
    besides meanwhile instead otherwise indeed namely e.g. i.e. etc. et al. al.
    first second third last next previous following above below up down out off
    new novel proposed existing recent current prior previous various several different diverse numerous
    multiple single simple standard traditional conventional typical common popular general specific
    particular certain given key main major minor important significant substantial considerable efficient
    effective powerful strong robust promising competitive superior better best good great large small
    high low higher lower improved enhanced remarkable impressive extensive comprehensive unified generic
    whole entire full overall additional extra original respective corresponding related relevant
    well-known state-of-the-art sota art state leading modern classical classic emerging advanced
    underlying intermediate potential possible practical real existing widely commonly typically usually often
    successful accurate precise faster better-performing one two three four five six seven eight nine ten
    """
)
"""Words that never start, end or sit inside a concept phrase built by the head-noun rules."""

COMMON_VERBS: frozenset[str] = word_set(
    """
    propose proposes introduce introduces present presents develop develops design designs describe describes
    show shows showed shown demonstrate demonstrates demonstrated achieve achieves achieved obtain obtains
    obtained outperform outperforms outperformed improve improves improved reduce reduces reduced increase
    increases increased use uses used using apply applies applied employ employs employed leverage leverages
    leveraged exploit exploits exploited enable enables enabled allow allows allowed require requires required
    provide provides provided make makes made take takes took give gives gave find finds found learn learns
    consider considers considered evaluate evaluates evaluated compare compares compared perform performs
    performed train trains trained test tests tested study studies studied explore explores explored investigate
    investigates investigated address addresses addressed tackle tackles solve solves solved focus focuses
    remain remains suffer suffers lead leads led yield yields yielded generate generates generated produce
    produces produced capture captures captured handle handles handled support supports supported build builds
    built combine combines combined incorporate incorporates incorporated extend extends extended adopt adopts
    adopted achieve allows based called named dubbed termed known referred denoted include includes included
    including contain contains consist consists involve involves become becomes became helps aim aims ensure
    ensures accelerate accelerates boost boosts enhance enhances mitigate mitigates alleviate alleviates
    facilitate facilitates exhibit exhibits reveal reveals suggest suggests indicate indicates surpass surpasses
    maintain maintains preserve preserves integrate integrates utilize utilizes utilise utilises adapt adapts
    improving enhancing boosting leveraging exploiting utilizing utilising combining incorporating reducing
    increasing achieving enabling performing measuring evaluating comparing introducing proposing presenting
    developing designing addressing tackling studying exploring investigating towards
    """
)
"""Verbs (and participles) frequent in abstracts: they end a phrase the way a function word does."""

LANGUAGES: frozenset[str] = word_set(
    """
    english chinese mandarin cantonese japanese korean arabic french german spanish italian portuguese russian
    czech polish dutch swedish danish norwegian finnish hungarian turkish greek hebrew hindi urdu bengali tamil
    telugu marathi gujarati punjabi persian farsi vietnamese thai indonesian malay tagalog filipino swahili
    romanian bulgarian ukrainian catalan basque estonian latvian lithuanian slovak slovene slovenian croatian
    serbian icelandic irish welsh afrikaans amharic yoruba hausa zulu nepali sinhala burmese khmer mongolian
    kazakh uzbek georgian armenian albanian macedonian maltese galician egyptian latin sanskrit
    """
)
"""Language names: capitalised like names, but "English data" or "Czech" alone is not a dataset."""

# Words that cannot be part of a hyphenated compound modifier.
_NEVER_IN_COMPOUND: frozenset[str] = word_set("a an the this that these those our their its his her my your we they it")
# Nouns that end in -ly, so that the adverb test does not cut them off ("anomaly detection").
_LY_NOUNS: frozenset[str] = word_set("anomaly assembly family supply reply monopoly butterfly ply poly")

PREPOSITIONS: frozenset[str] = word_set(
    "for by of in on with without through when while after before via from into towards toward"
)
"""Prepositions after which a word in -ing is a verb ("for [evaluating] multimodal models"), not a modifier."""


def modifier(word: str) -> bool:
    """Whether `word` can sit inside a concept phrase before its head (a WordClass of `kg.nlp.tokens`)."""
    lower = word.lower()
    if lower in FUNCTION_WORDS or lower in COMMON_VERBS:
        return False
    core = word.replace("-", "")
    if not core.isalnum() or not any(char.isalpha() for char in core):
        return False  # punctuation, numbers ("2,240", "3.5")
    return not (lower.endswith("ly") and lower not in _LY_NOUNS)


def compound_part(word: str) -> bool:
    """Inside a hyphenated compound any content word can sit ("few-shot", "large-scale", "Transformer-based")."""
    return word.lower() not in _NEVER_IN_COMPOUND and word.replace("-", "").isalnum()


_HYPHENS = "\u2010\u2011\u2012\u2013\u2212"
_HYPHEN_TABLE = str.maketrans({c: "-" for c in _HYPHENS})
_SPACE_RUN = re.compile(r"\s+")
_SOFT_SEPARATOR = re.compile(r"(?<=[a-z])[-_ ](?=[a-z])")


def clean(text: str) -> str:
    """NFKC form with typographic hyphens as ASCII and whitespace runs as one space."""
    return _SPACE_RUN.sub(" ", unicodedata.normalize("NFKC", text).translate(_HYPHEN_TABLE)).strip()


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """A case-, hyphen- and spacing-insensitive key: "CIFAR-10", "CIFAR10" and "cifar 10" share one key."""
    return re.sub(r"[\s\-_./]+", "", clean(text).casefold())


def marked(word: str) -> bool:
    """A word with a capital or a digit anywhere ("3D", "Holistic", "BERT", "x86"): a possible part of a name."""
    return any(char.isupper() or char.isdigit() for char in word)


def is_name_like(word: str) -> bool:
    """An acronym or coined name ("BERT", "LoRA", "ResNet-50", "A100"), not an ordinary capitalised word.

    Hyphenated words are judged part by part, so the title-case "Low-Rank" stays an ordinary word.
    """
    return any(_name_like_part(part) for part in word.split("-"))


def _name_like_part(part: str) -> bool:
    if len(part) < 2 or not part.isalnum() or part.isdigit():
        return False
    return any(c.isupper() for c in part[1:]) or any(c.isdigit() for c in part)


_NOT_PLURAL: frozenset[str] = word_set(
    "bias alias atlas canvas chaos lens news means series species physics mathematics statistics robotics "
    "linguistics dynamics graphics analytics semantics pragmatics electronics kinematics ethics optics "
    "economics genomics kinetics thesis"
)
_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "ous")


def singular(word: str) -> str:
    """The singular of an English plural noun or acronym plural ("LLMs" -> "LLM", "strategies" -> "strategy").

    Words that only look plural ("analysis", "corpus", "series", "bias", "k-means") are left alone.
    """
    if len(word) < 3 or word[-1] not in "sS":
        return word
    if word[-1] == "s" and word[:-1].isupper():  # acronym plural: "GPUs"
        return word[:-1]
    lower = word.lower()
    if lower.rsplit("-", 1)[-1] in _NOT_PLURAL or lower.endswith(_NOT_PLURAL_ENDINGS):
        return word
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if lower.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def plural(word: str) -> str:
    """The regular English plural of a noun or acronym ("model" -> "models", "approach" -> "approaches")."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


@lru_cache(maxsize=1 << 16)
def normal_label(text: str) -> str:
    """The deterministic label of a concept the vocabulary does not know.

    Ordinary words are lower-cased and their hyphens become spaces ("Low-Rank Adaptation" and "low rank adaptation"
    give "low rank adaptation"); acronyms and coined names keep their case ("LoRA", "ResNet-50"); the head noun is
    singular ("Large Language Models" -> "large language model", "mixtures of experts" -> "mixture of experts"),
    so a concept gets the same label in every paper however it is written.
    """
    out: list[str] = []
    for word in clean(text).split(" "):
        if is_name_like(word):
            out.append(word)
        else:
            out.extend(part for part in _SOFT_SEPARATOR.sub(" ", word.lower()).split(" ") if part)
    if not out:
        return ""
    head = next((i for i, word in enumerate(out) if word == "of" and i > 0), len(out)) - 1
    out[head] = singular(out[head])
    return " ".join(out)


def word_occurrences(text: str, word: str) -> list[int]:
    """Start offsets of `word` in `text` as a whole word: not inside a longer word or hyphenated name.

    "LoRA" occurs in "LoRA-based" but not in "QLoRA", "LoRAs" or "LoRA-FA" (another name).  Uses `str.find`, so
    looking up a few names costs far less than compiling a regex for each.
    """
    return [start for start, _ in word_spans(text, (word,))]


def word_spans(text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of every whole-word occurrence (as `word_occurrences` has them) of any of `words`, shortest
    first: in one scan of the text when the first word begins every other (a singular and its plurals: "LLM",
    "LLMs"), else in one per word.  Ordered by scan, then by position, then by length."""
    scans = [words] if all(word.startswith(words[0]) for word in words) else [(word,) for word in words]
    found = []
    for scan in scans:
        key = scan[0]
        start = text.find(key)
        while start >= 0:
            if not start or not (text[start - 1].isalnum() or text[start - 1] in "-_"):
                for word in scan:
                    end = start + len(word)
                    if word is not key and not text.startswith(word, start):
                        continue
                    after = text[end : end + 2]
                    # Not glued to a letter, digit or "_", nor the first part of a longer hyphenated name.
                    if not after or not (
                        after[0].isalnum()
                        or after[0] == "_"
                        or (after[0] == "-" and (after[1:].isupper() or after[1:].isdigit()))
                    ):
                        found.append((start, end))
            start = text.find(key, start + 1)
    return found
