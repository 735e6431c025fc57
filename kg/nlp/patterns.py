"""Names the vocabulary does not know, typed by the words around them.

"experiments on A, B and C" makes datasets; "outperforms X and Y" and
"compared with X" make methods; any other coined name or acronym ("CFSP", "m2mKD") is most often a method in an
ML abstract and is kept as one at low confidence, so that any typed rule or the vocabulary overrides it.
Every regex here is linear: alternations of fixed words and single-class repetitions, no nested quantifiers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import Candidate, candidates, make_candidate, text_of
from kg.nlp.text import FUNCTION_WORDS, LANGUAGES
from kg.nlp.tokens import TokenView, WordClass, token_view

# One word of a name: starts with a capital or a digit followed by a letter, may carry inner hyphens/dots
# ("MS", "COCO", "ADE20K", "3DMatch", "GPT-4", "Llama-2-7B", "v1.5").
_NAME_WORD = r"(?:[A-Z][A-Za-z0-9]*|[0-9]+[A-Za-z][A-Za-z0-9]*)(?:[-.][A-Za-z0-9]+)*"
# A name: up to four such words ("Penn Treebank", "MS COCO", "Customer Review Dataset").
NAME = rf"{_NAME_WORD}(?: {_NAME_WORD}){{0,3}}"
# A list of names: "A, B, and C", "A and B", "A/B".
_LIST = rf"{NAME}(?:(?:, (?:and |or )?| (?:and|or) |/){NAME}){{0,8}}"
_LIST_SPLIT = re.compile(r", (?:and |or )?| (?:and|or) |/")
_WORDS = re.compile(r"\S+")
# Tokens shaped like names that are sizes, units, resolutions, versions, number formats, norms or numerals:
# "7B", "1.5x", "24GB", "GB", "256x256", "2times", "v2", "INT4", "FP16", "L2", "III".
_NOT_NAME = re.compile(
    r"^(?:\d+(?:\.\d+)?(?:[xX\u00d7]|times|[KMBT]|[KMGT]B|ms|fps|px|k|D)(?:\d+)?|[KMGT]B|v\d+(?:\.\d+)*"
    r"|(?:U?INT|FP|BF|TF)\d+|[LlQ]\d|[IVX]+)$"
)
_DATASET_NOUNS = r"(?:data ?sets?|benchmarks?|corpus|corpora|treebanks?|challenges?|suites?|leaderboards?)"


@dataclass(frozen=True)
class ContextRule:
    """A rule that starts at a cue word: `regex` (matched at the cue) has a `names` group holding one name or a
    list of names of type `type`."""

    name: str
    type: str
    cue: str  # regex over one token, case-insensitive: the words a match can start with
    rest: str  # regex for what follows the cue
    coined_only: bool  # keep only names with an acronym/digit/inner capital (not "Transformers")

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.cue, self.rest)


@cache
def _compiled(cue: str, rest: str) -> re.Pattern[str]:
    return re.compile(rf"(?i:{cue}){rest}")


RULES: tuple[ContextRule, ...] = (
    ContextRule(
        "experiments-on",
        "dataset",
        cue=r"experiments?|evaluations?|results|evaluated?|evaluates|evaluating|tested|benchmarked|trained|"
        r"pre-?trained|pre|fine-?tuned|fine|finetuned|validated|performance|accuracy|state-of-the-art|state",
        rest=r"(?:-trained|-tuned|-of-the-art)?(?: [a-z-]+){0,4}? on (?:the |both |several |multiple |four |three "
        r"|two |five |six )?(?:(?:challenging|public|popular|standard|benchmark|real-world|widely[- ]used) )*"
        rf"(?:(?i:{_DATASET_NOUNS}),? )?(?:(?:such as|including|like|e\.g\.,?|i\.e\.,?) )?(?P<names>{_LIST})",
        coined_only=False,
    ),
    ContextRule(
        "compared-with",
        "method",
        cue=r"outperform(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beat(?:s|ing)?|compared|comparisons?|better|faster|"
        r"baselines?|over",
        rest=r"(?<=[a-z])(?: (?:with|to|against|than|such as|including|like))? (?:the )?"
        r"(?:(?:strong|state-of-the-art|SOTA|existing|previous|recent|competitive|popular|prior|leading|powerful"
        r"|several|other) )*(?:(?:methods?|models?|baselines?|approaches|techniques|works|systems|LLMs) )?"
        rf"(?:(?:such as|including|like|e\.g\.,?|i\.e\.,?) )?(?P<names>{_LIST})",
        coined_only=True,
    ),
)
# Any coined name or acronym: a word with an inner capital or a digit next to a letter.
# Hyphenated parts join the name only when they carry a capital or a digit: "GPT-4", but "LoRA-based" -> "LoRA".
_COINED = re.compile(
    r"(?<![\w\-./])(?=[A-Za-z0-9\-]*(?:[A-Za-z][A-Z]|[A-Za-z][0-9]|[0-9][A-Za-z]))"
    r"[A-Za-z0-9]+(?:-(?=[a-z]*[A-Z0-9])[A-Za-z0-9]+)*(?![\w])"
)


# Coined names whose ending says they are data: "PropBank", "DBpedia", "ukWaC", "MMBench", "TriviaQA", "HumanEval".
_DATASET_SUFFIX = re.compile(r"(?:[Bb]ank|pedia|WaC|Bench|QA|Eval)(?:-?\d[\w.]*)?$")


_CUE = re.compile("|".join(f"(?:{rule.cue})" for rule in RULES), re.IGNORECASE)
# Plain ints: an IntFlag operand makes `int & flag` a call into the enum module.
_HARDWARE = int(WordClass.HARDWARE)
_COINED_WORD = int(WordClass.COINED)
_MARKED = int(WordClass.MARKED)
_DATA_NAME = int(WordClass.DATA_NAME)


def starts_context_rule(word: str) -> bool:
    """Whether a context rule can start with this token (the WordClass.CONTEXT_CUE of `kg.nlp.lexical`)."""
    return _CUE.fullmatch(word) is not None


def has_dataset_suffix(word: str) -> bool:
    """A name ending like data ("PropBank", "TriviaQA"): the WordClass.DATA_NAME of `kg.nlp.lexical`."""
    return _DATASET_SUFFIX.search(word) is not None


def is_coined(word: str) -> bool:
    """ "CFSP", "LoRA", "ResNet-50", "3DMatch": not a capitalised English word, not a size like "7B"."""
    return bool(_COINED.fullmatch(word)) and not _NOT_NAME.match(word)


class ContextNames:
    """Adds `patterns/<rule>` candidates for names typed by context, and `patterns/coined` for the rest.

    Both are found from the tokens: word classes (computed once per word type) mark the words that can start a
    context rule and the coined names, so the regexes only run where a rule can match.
    """

    def __init__(self, context_confidence: float, coined_confidence: float) -> None:
        self.context_confidence = context_confidence
        self.coined_confidence = coined_confidence
        self.rules = tuple((rule, rule.regex, f"patterns/{rule.name}") for rule in RULES)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        text = text_of(doc)
        found = candidates(doc)
        view = token_view(doc)
        for index in view.having(WordClass.CONTEXT_CUE):
            for rule, regex, source in self.rules:
                match = regex.match(text, view.starts[index])
                if match is not None:
                    for start, end in _rule_names(text, rule, match):
                        found.append(Candidate(start, end, rule.type, source, self.context_confidence))
        classes, hyphens, starts, ends = view.classes, view.hyphens, view.starts, view.ends
        for index in view.having(_COINED_WORD):
            bits = classes[index]
            if bits & _HARDWARE:
                continue  # "GPU-based" is no method, whatever its shape
            if hyphens and (index - 1 in hyphens or index + 1 in hyphens):
                extent = _coined_extent(view, index)
                if extent is None:
                    continue
                start, end = extent
                kind = "dataset" if _DATASET_SUFFIX.search(text, start, end) else "method"
            else:  # the name is this one word, whose ending is a word class
                start, end = starts[index], ends[index]
                kind = "dataset" if bits & _DATA_NAME else "method"
            found.append(make_candidate(start, end, kind, "patterns/coined", self.coined_confidence))
        return doc


def _coined_extent(view: TokenView, index: int) -> tuple[int, int] | None:
    """Character span of the coined name at token `index`, with hyphen-joined parts that carry a capital or digit
    ("CornerNet-Lite", "Self-BLEU"); None when the coined name on its left reaches over it."""
    classes, hyphens = view.classes, view.hyphens
    if index >= 2 and index - 1 in hyphens and classes[index - 2] & _COINED_WORD:
        return None
    last = index
    while last + 2 < len(classes) and last + 1 in hyphens and classes[last + 2] & _MARKED:
        last += 2
    first = index
    while first >= 2 and first - 1 in hyphens and classes[first - 2] & _MARKED:
        first -= 2
    return view.starts[first], view.ends[last]


def _rule_names(text: str, rule: ContextRule, match: re.Match[str]) -> Iterator[tuple[int, int]]:
    """Spans of the names a rule's list holds, without leading determiners."""
    offset = match.start("names")
    position = 0
    names = match.group("names")
    for separator in [*_LIST_SPLIT.finditer(names), None]:
        end = separator.start() if separator is not None else len(names)
        start = _skip_function_words(names, position, end)
        words = names[start:end].split()
        if (
            not words
            or _NOT_NAME.match(words[0])
            or all(word.lower() in LANGUAGES for word in words)
            or (rule.coined_only and not any(map(is_coined, words)))
        ):
            pass
        elif len(words) > 1 or is_coined(words[0]) or not _sentence_initial(text, offset + start):
            yield offset + start, offset + end
        position = separator.end() if separator is not None else len(names)


def _skip_function_words(text: str, start: int, end: int) -> int:
    """Move `start` past leading function words ("The", "Our", "Extensive") of the name in text[start:end]."""
    for word in _WORDS.finditer(text, start, end):
        if word.group().lower() not in FUNCTION_WORDS:
            return word.start()
    return end


def _sentence_initial(text: str, start: int) -> bool:
    """Whether a capitalised word at `start` may be capitalised only because it starts a sentence."""
    before = text[max(0, start - 3) : start].rstrip(" ")
    return not before or before[-1] in ".!?:\n"


@Language.factory("kg_patterns", default_config={"context_confidence": 0.7, "coined_confidence": 0.4})
def make_patterns(nlp: Language, name: str, context_confidence: float, coined_confidence: float) -> ContextNames:
    return ContextNames(context_confidence, coined_confidence)
