"""How the corpus uses each phrase: the evidence that separates a name from a generic phrase.

"student model" and "training strategy" recur in hundreds of papers, always in lower case and never defined;
"GRPO" recurs too, but written the same way and expanded by an abbreviation pair.  No annotation says so: these
counts come from the unlabelled corpus (`../shared/corpus/hf-daily-api`, about 9,750 papers) and ship with the
package, so the classifier reads them with no download.

Per phrase key (`kg.nlp.ngrams.concept_key`) kept: the number of papers that use it, and how many of those write it
with a capital letter, as a whole run of words (not inside a longer name), and in the title.  Per short form: its
most frequent long form in the corpus's abbreviation pairs, which names the concept where a paper writes only the
acronym ("GRPO" is "Group Relative Policy Optimization" in every paper).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.atomic import read_json_gz, write_json_gz
from kg.nlp.abbreviations import written_pairs
from kg.nlp.ngrams import concept_key, phrases, word_runs
from kg.records import Paper

STATS_FILE = Path(__file__).resolve().parent.parent / "data" / "corpus_stats.json.gz"
MIN_PAPERS = 3  # phrases in fewer papers are not kept: a rare phrase and an unseen one look the same


@dataclass(frozen=True)
class PhraseStat:
    """How many corpus papers use a phrase, and in how many of them it is capitalised, whole, and in the title."""

    papers: int
    capitalised: int
    whole: int
    title: int


@dataclass(frozen=True)
class CorpusStats:
    papers: int
    phrases: dict[str, PhraseStat] = field(default_factory=dict)
    expansions: dict[str, str] = field(default_factory=dict)  # short form key -> long form as written

    def of(self, key: str) -> PhraseStat | None:
        return self.phrases.get(key)

    def save(self, path: Path) -> None:
        phrases = {key: list(stat.__dict__.values()) for key, stat in self.phrases.items()}
        write_json_gz(path, {"papers": self.papers, "phrases": phrases, "expansions": self.expansions})

    @classmethod
    def load(cls, path: Path = STATS_FILE) -> CorpusStats:
        document = read_json_gz(path)
        phrases = {key: PhraseStat(*values) for key, values in document["phrases"].items()}
        return cls(document["papers"], phrases, document["expansions"])


def build_stats(papers: Iterable[Paper], min_papers: int = MIN_PAPERS) -> CorpusStats:
    """Count, per phrase key, the papers that use it (each paper once per key and property)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    long_forms: dict[str, Counter[str]] = defaultdict(Counter)
    total = 0
    for paper in papers:
        total += 1
        text = f"{paper.title}\n\n{paper.abstract}"
        title_end = len(paper.title)
        seen: dict[str, list[bool]] = {}
        whole_runs = {(run[0].start(), run[-1].end()) for run in word_runs(text)}
        for phrase in phrases(text):
            flags = seen.setdefault(phrase.key, [False, False, False])
            flags[0] |= any(not word.islower() for word in phrase.words)
            flags[1] |= (phrase.start, phrase.end) in whole_runs
            flags[2] |= phrase.end <= title_end
        for key, (capitalised, whole, in_title) in seen.items():
            entry = counts[key]
            entry[0] += 1
            entry[1] += capitalised
            entry[2] += whole
            entry[3] += in_title
        for long_start, long_end, short, _, _ in written_pairs(text):
            long_forms[concept_key(short)][text[long_start:long_end]] += 1
    kept = {key: PhraseStat(*entry) for key, entry in counts.items() if entry[0] >= min_papers and key}
    expansions = {short: _most_common(forms) for short, forms in long_forms.items() if sum(forms.values()) >= 2}
    return CorpusStats(total, kept, expansions)


def _most_common(forms: Counter[str]) -> str:
    """The long form written most often, ties broken by the folded form's count, then alphabetically."""
    folded = Counter[str]()
    for form, count in forms.items():
        folded[concept_key(form)] += count
    return min(forms, key=lambda form: (-folded[concept_key(form)], -forms[form], form))
