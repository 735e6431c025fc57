"""Bad input never crashes extraction, yields no nonsense concepts, and costs time linear in its length.

Linear time is checked without timing assertions: each pathological text is far larger than any abstract, so a
quadratic step would run for minutes and hit the test's timeout instead of finishing in seconds.
"""

from __future__ import annotations

import pytest

from kg.nlp import Extractor
from kg.nlp.sentences import MAX_EVIDENCE
from kg.records import Extraction, Paper


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def extract(extractor: Extractor, abstract: str, title: str = "") -> Extraction:
    return extractor.extract(Paper(key="bad", id="bad", title=title, abstract=abstract))


def assert_consistent(extraction: Extraction) -> None:
    """Offsets point at the text, evidence is bounded, and every mention has a concept of the paper."""
    paper = extraction.paper
    concepts = {(c.type, c.label) for c in extraction.concepts}
    for mention in extraction.mentions:
        source = paper.title if mention.field == "title" else paper.abstract
        assert source[mention.start : mention.end] == mention.text
        assert mention.text in mention.sentence
        assert len(mention.sentence) <= max(MAX_EVIDENCE, len(mention.text))
        assert (mention.type, mention.concept) in concepts


def test_empty_title_and_abstract_give_an_empty_extraction(extractor: Extractor) -> None:
    empty = extract(extractor, "")
    assert (empty.mentions, empty.results, empty.concepts) == ((), (), ())
    assert extract(extractor, "   \n\n  ").mentions == ()


def test_an_empty_abstract_still_reads_the_title(extractor: Extractor) -> None:
    extraction = extract(extractor, "", title="Mesa: A Memory-saving Training Framework for Transformers")
    assert {m.field for m in extraction.mentions} == {"title"}
    assert any(m.text == "Mesa" and m.proposed for m in extraction.mentions)
    assert_consistent(extraction)


@pytest.mark.parametrize(
    "abstract",
    [
        "这是一篇关于深度学习的论文。我们提出了一种新方法，在图像分类上取得了很好的效果。",  # noqa: RUF001
        "Это статья о машинном обучении. Мы предлагаем новый метод классификации изображений.",  # noqa: RUF001
        "هذه ورقة حول التعلم العميق. نقترح طريقة جديدة لتصنيف الصور.",
        "Dies ist ein Artikel über maschinelles Lernen. Wir schlagen eine neue Methode vor.",
    ],
)
def test_non_english_text_gives_no_concepts(extractor: Extractor, abstract: str) -> None:
    extraction = extract(extractor, abstract)
    assert extraction.concepts == ()


def test_names_in_foreign_text_are_still_found(extractor: Extractor) -> None:
    extraction = extract(extractor, "Wir trainieren auf ImageNet mit 8 GPUs.")
    assert {(m.type, m.text) for m in extraction.mentions} == {("dataset", "ImageNet"), ("hardware", "GPUs")}


def test_latex_markup_yields_no_nonsense(extractor: Extractor) -> None:
    extraction = extract(extractor, LATEX)
    assert_consistent(extraction)
    for concept in extraction.concepts:
        assert not set(concept.label) & set("\\{}$^_"), concept


def test_latex_escaped_values_are_read_as_results() -> None:
    """Result values come from one component shared by both extractors; the rules keep "accuracy" here, which the
    learned extractor judges too generic to link in this abstract."""
    extraction = extract(Extractor(extractor="rules"), LATEX)
    results = {(r.metric, r.value, r.unit) for r in extraction.results}
    assert ("accuracy", "3.5", "%") in results
    assert ("speedup", "3.2", "x") in results


LATEX = (
    r"Our method improves accuracy by 3.5\% and is $2\times$ faster. S^{2}FT uses $\mathcal{O}(n^2)$ "
    r"memory, \textit{i.e.} $\alpha=0.5$ \cite{hu2021lora} and a $3.2\times$ speedup \footnote{See \S 3.}."
)


PATHOLOGICAL: dict[str, str] = {
    "no spaces": "a" * 200_000,
    "one long sentence of metrics and values": "accuracy 3.5% " * 15_000,
    "one long sentence of hardware": "8 GPUs and " * 20_000,
    "repeated cue words": "we propose named dubbed " * 8_000,
    "a list that never ends": "Extensive experiments on " + "Foo, " * 40_000,
    "nested parentheses": "(" * 100_000 + ")" * 100_000,
    "many abbreviations": " ".join(f"Some Long Name (SLN{i})" for i in range(8_000)),
    "hyphens": "A-" * 100_000,
    "dots and digits": "1." * 100_000,
    "capitals": "ABC " * 50_000,
    "latex": r"$\times$ S^{2}FT \% " * 12_000,
    "whitespace": " \n" * 100_000,
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_text_is_extracted_in_linear_time(extractor: Extractor, name: str) -> None:
    extraction = extract(extractor, PATHOLOGICAL[name])
    assert_consistent(extraction)
