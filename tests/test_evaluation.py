"""Scoring functions on hand-made cases, loaders on small files and on the real dev data, and evaluate()."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.evaluation import (
    Counts,
    Document,
    EvalSet,
    Span,
    TypeScore,
    document_errors,
    evaluate,
    load_scier,
    load_scierc,
    load_set,
    load_tdmsci,
    match_exact,
    match_partial,
    pooled,
    report_json,
    score_spans,
)
from kg.records import Extraction, Mention, Paper


def m(start: int, end: int, kind: str = "method") -> Span:
    return Span(start, end, kind)


# ----------------------------------------------------------------------------------------------------- scoring


def test_counts_give_standard_precision_recall_f1() -> None:
    counts = Counts(tp=3, fp=1, fn=2)
    assert counts.precision == pytest.approx(0.75)
    assert counts.recall == pytest.approx(0.6)
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_counts_without_predictions_or_gold_score_zero_not_nan() -> None:
    assert (Counts().precision, Counts().recall, Counts().f1) == (0.0, 0.0, 0.0)
    assert Counts(fn=4).f1 == 0.0


def test_exact_match_needs_same_type_start_and_end() -> None:
    gold = [m(0, 5), m(10, 20), m(30, 35, "task")]
    predicted = [m(0, 5), m(10, 19), m(30, 35, "method")]
    assert match_exact(gold, predicted) == Counts(tp=1, fp=2, fn=2)


def test_partial_match_accepts_overlap_of_the_same_type_only() -> None:
    gold = [m(10, 20), m(30, 35, "task")]
    predicted = [m(15, 25), m(30, 35, "dataset")]
    assert match_partial(gold, predicted) == [(m(10, 20), m(15, 25))]


def test_touching_spans_do_not_overlap() -> None:
    assert match_partial([m(0, 5)], [m(5, 9)]) == []


def test_one_prediction_covering_two_gold_spans_counts_once() -> None:
    scores = score_spans([m(0, 4), m(5, 9)], [m(0, 9)], ["method"])["method"]
    assert scores.partial == Counts(tp=1, fp=0, fn=1)
    assert scores.exact == Counts(tp=0, fp=1, fn=2)


def test_two_predictions_inside_one_gold_span_count_once() -> None:
    scores = score_spans([m(0, 20)], [m(0, 5), m(10, 20)], ["method"])["method"]
    assert scores.partial == Counts(tp=1, fp=1, fn=0)


def test_greedy_matching_takes_the_exact_pair_first() -> None:
    # The long prediction overlaps both gold spans; the exact pair must not be broken up by it.
    gold = [m(0, 10), m(12, 20)]
    predicted = [m(5, 20), m(12, 20)]
    pairs = match_partial(gold, predicted)
    assert (m(12, 20), m(12, 20)) in pairs
    assert (m(0, 10), m(5, 20)) in pairs


def test_greedy_matching_prefers_the_larger_overlap() -> None:
    pairs = match_partial([m(0, 10)], [m(8, 12), m(1, 9)])
    assert pairs == [(m(0, 10), m(1, 9))]


def test_duplicate_predictions_count_once() -> None:
    scores = score_spans([m(0, 5)], [m(0, 5), m(0, 5)], ["method"])["method"]
    assert scores.exact == Counts(tp=1, fp=0, fn=0)


def test_only_the_requested_types_are_scored() -> None:
    scores = score_spans([m(0, 5, "task")], [m(0, 5, "hardware")], ["task"])
    assert set(scores) == {"task"}
    assert scores["task"].partial == Counts(tp=0, fp=0, fn=1)


def test_errors_list_false_positives_negatives_and_boundaries() -> None:
    document = Document("d1", "we use BERT on speech recognition and parsing", (m(7, 11), m(15, 33, "task")))
    predicted = [m(7, 11), m(22, 33, "task"), m(38, 45, "task")]
    errors = {(e.kind, e.text) for e in document_errors(document, predicted, ["method", "task"])}
    assert errors == {("boundary", "speech recognition -> recognition"), ("false positive", "parsing")}
    missed = document_errors(document, [], ["method"])
    assert [(e.kind, e.text, e.context) for e in missed] == [
        ("false negative", "BERT", "we use [BERT] on speech recognition and parsing")
    ]


def test_pooled_scores_sum_counts_over_sets() -> None:
    from kg.evaluation import SetReport

    a = SetReport("a", 2, {"task": TypeScore(Counts(1, 1, 0), Counts(2, 0, 0))})
    b = SetReport("b", 3, {"task": TypeScore(Counts(1, 0, 1), Counts(1, 0, 1)), "method": TypeScore(Counts(0, 0, 4))})
    total = pooled([a, b])
    assert total.documents == 5
    assert list(total.scores) == ["method", "task"]
    assert total.scores["task"].exact == Counts(2, 1, 1)
    assert total.micro.exact == Counts(2, 1, 5)


# ----------------------------------------------------------------------------------------------------- loaders


def write_lines(path: Path, records: Iterable[object]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_scierc_loader_joins_tokens_and_maps_labels(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "dev.json",
        [
            {
                "doc_key": "X1",
                "sentences": [["We", "use", "CRF", "-LRB-", "CRFs", "-RRB-", "."], ["Accuracy", "on", "WSJ", "."]],
                "ner": [[[2, 2, "Method"], [4, 4, "Generic"]], [[7, 7, "Metric"], [9, 9, "Material"]]],
            }
        ],
    )
    (document,) = load_scierc(path).documents
    assert document.text == "We use CRF ( CRFs ) . Accuracy on WSJ ."
    assert [(document.text[s.start : s.end], s.type) for s in document.gold] == [
        ("CRF", "method"),
        ("Accuracy", "metric"),
        ("WSJ", "dataset"),
    ]


def test_scier_loader_uses_inclusive_document_level_spans(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "dev-doc.jsonl",
        [
            {
                "doc_id": "7",
                "sentences": [["a", "graph", "network"], ["on", "Cora"]],
                "ner": [[[1, 2, "Method"]], [[4, 4, "Dataset"]]],
            }
        ],
    )
    (document,) = load_scier(path).documents
    assert [document.text[s.start : s.end] for s in document.gold] == ["graph network", "Cora"]


def test_tdmsci_loader_reads_iob2_chunks_one_sentence_per_document(tmp_path: Path) -> None:
    path = tmp_path / "train.conll"
    rows = [
        "Named\t0\tB-TASK", "entity\t6\tI-TASK", "recognition\t13\tI-TASK", "on\t25\tO", "CoNLL\t28\tB-DATASET",
        "F1\t34\tB-METRIC", "F1\t37\tB-METRIC", "",
        "stray\t0\tI-TASK", "tag\t6\tO", "",
    ]  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    eval_set = load_tdmsci(path)
    first, second = eval_set.documents
    assert first.text == "Named entity recognition on CoNLL F1 F1"
    assert [(first.text[s.start : s.end], s.type) for s in first.gold] == [
        ("Named entity recognition", "task"),
        ("CoNLL", "dataset"),
        ("F1", "metric"),
        ("F1", "metric"),
    ]
    assert [(second.text[s.start : s.end], s.type) for s in second.gold] == [("stray", "task")]
    assert (first.id, second.id) == ("train.conll:1", "train.conll:9")


def test_loaders_name_file_and_line_of_bad_records(tmp_path: Path) -> None:
    path = tmp_path / "dev.json"
    path.write_text('{"doc_key": "a", "sentences": [["x"]], "ner": [[]]}\n{broken\n', encoding="utf-8")
    with pytest.raises(KgError, match=r"dev\.json:2: not valid JSON"):
        load_scierc(path)
    write_lines(path, [{"doc_key": "a", "sentences": [["x"]], "ner": [[[0, 3, "Task"]]]}])
    with pytest.raises(KgError, match=r"dev\.json:1: span .* is outside the 1 tokens"):
        load_scierc(path)
    write_lines(path, [{"doc_key": "a", "sentences": [["x"]]}])
    with pytest.raises(KgError, match=r"dev\.json:1: not a SciERC document"):
        load_scierc(path)
    conll = tmp_path / "train.conll"
    conll.write_text("word\t0\tB-SOFTWARE\n", encoding="utf-8")
    with pytest.raises(KgError, match=r"train\.conll:1: unknown tag 'B-SOFTWARE'"):
        load_tdmsci(conll)
    conll.write_text("word B-TASK\n", encoding="utf-8")
    with pytest.raises(KgError, match=r"train\.conll:1: expected 3 tab-separated columns"):
        load_tdmsci(conll)


def test_missing_data_folder_and_unknown_set_are_reported(tmp_path: Path) -> None:
    with pytest.raises(KgError, match="evaluation file not found"):
        load_set("scierc", tmp_path)
    with pytest.raises(KgError, match="unknown evaluation set 'conll'"):
        load_set("conll", tmp_path)


@pytest.mark.parametrize(
    ("name", "documents", "entities"),
    [
        ("scierc", 50, {"method": 216, "task": 127, "dataset": 71, "metric": 38}),
        ("scier", 10, {"method": 1549, "task": 416, "dataset": 269}),
        ("tdmsci", 1523, {"task": 1219, "metric": 536, "dataset": 420}),
    ],
)
def test_real_dev_sets_load_with_their_document_and_entity_counts(
    shared_dir: Path, name: str, documents: int, entities: dict[str, int]
) -> None:
    eval_set = load_set(name, shared_dir / "data")
    assert len(eval_set.documents) == documents
    assert Counter(s.type for d in eval_set.documents for s in d.gold) == entities
    assert set(eval_set.types) == set(entities)


def test_real_gold_spans_cover_whole_tokens(shared_dir: Path) -> None:
    for name in ("scierc", "scier", "tdmsci"):
        for document in load_set(name, shared_dir / "data").documents:
            for span in document.gold:
                assert span.start == 0 or document.text[span.start - 1] == " "
                assert span.end == len(document.text) or document.text[span.end] == " "
                assert document.text[span.start : span.end].strip() == document.text[span.start : span.end]


# ---------------------------------------------------------------------------------------------------- evaluate


class Oracle:
    """Predicts exactly the gold spans of the documents it was given, shifted by `shift` characters at the end."""

    def __init__(self, eval_set: EvalSet, shift: int = 0) -> None:
        self.gold = {d.id: d.gold for d in eval_set.documents}
        self.shift = shift

    def extract(self, paper: Paper) -> Extraction:
        mentions = []
        for span in self.gold[paper.id]:
            end = max(span.start + 1, span.end - self.shift)
            text = paper.abstract[span.start : end]
            mentions.append(Mention(span.type, text, "abstract", span.start, end, text, "", 1.0, "oracle"))
        title = Mention("task", "x", "title", 0, 1, "x", "", 1.0, "oracle")  # title mentions are not scored
        return Extraction(paper=paper, mentions=(*mentions, title))


def small_set() -> EvalSet:
    docs = (
        Document("a", "BERT for parsing", (m(0, 4), m(9, 16, "task"))),
        Document("b", "CIFAR-10 accuracy", (m(0, 8, "dataset"), m(9, 17, "metric"))),
    )
    return EvalSet("toy", "toy", ("method", "dataset", "metric", "task"), docs)


def test_a_perfect_extractor_scores_one_everywhere() -> None:
    report = evaluate(Oracle(small_set()), small_set())
    assert report.micro.exact == Counts(tp=4, fp=0, fn=0)
    assert all(score.meets_targets() for score in report.scores.values())
    assert report.offset_mismatches == 0


def test_boundary_errors_count_as_partial_but_not_exact() -> None:
    report = evaluate(Oracle(small_set(), shift=1), small_set())
    assert report.micro.exact == Counts(tp=0, fp=4, fn=4)
    assert report.micro.partial == Counts(tp=4, fp=0, fn=0)


def test_mentions_whose_text_disagrees_with_offsets_are_counted() -> None:
    class Shifted(Oracle):
        def extract(self, paper: Paper) -> Extraction:
            ex = super().extract(paper)
            moved = tuple(
                Mention(x.type, x.text, x.field, x.start + 1, x.end + 1, x.concept, "", 1, "o") for x in ex.mentions
            )
            return Extraction(paper=paper, mentions=moved)

    assert evaluate(Shifted(small_set()), small_set()).offset_mismatches == 4


def test_batch_api_is_used_and_results_are_matched_by_paper_key() -> None:
    class Batch(Oracle):
        calls = 0

        def extract_many(self, papers: list[Paper], n_process: int = 1) -> list[Extraction]:
            Batch.calls += 1
            return [self.extract(p) for p in reversed(papers)]

    report = evaluate(Batch(small_set()), small_set())
    assert Batch.calls == 1
    assert report.micro.exact.tp == 4


def test_an_extractor_that_skips_a_document_is_an_error() -> None:
    class Lossy(Oracle):
        def extract_many(self, papers: list[Paper], n_process: int = 1) -> list[Extraction]:
            return [self.extract(p) for p in papers[1:]]

    with pytest.raises(KgError, match="no result for toy document a"):
        evaluate(Lossy(small_set()), small_set())


def test_report_json_has_every_set_pooled_and_the_targets() -> None:
    report = evaluate(Oracle(small_set(), shift=1), small_set(), keep_errors=True)
    data = report_json([report])
    assert data["sets"]["toy"]["types"]["task"]["exact"] == {
        "tp": 0,
        "fp": 1,
        "fn": 1,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }
    assert data["sets"]["toy"]["types"]["task"]["partial"]["f1"] == 1.0
    assert data["pooled"]["micro"]["gold"] == 4
    assert data["targets"] == {"partial_f1": 0.6, "exact_f1": 0.45}
    assert {e.kind for e in report.errors} == {"boundary"}


@pytest.mark.parametrize("name", ["scierc", "scier", "tdmsci"])
def test_an_oracle_scores_one_on_the_real_sets(shared_dir: Path, name: str) -> None:
    eval_set = load_set(name, shared_dir / "data")
    report = evaluate(Oracle(eval_set), eval_set)
    for score in report.scores.values():
        assert score.exact.f1 == 1.0
        assert score.partial.f1 == 1.0
