"""Curation, merging, conflict resolution and SciERC-train mining of the vocabulary builder, on hand-made input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.vocabulary import load_lexicon, load_vocabulary
from kg.vocabulary_build import (
    PRIORITY_CURATED,
    PRIORITY_PWC,
    PRIORITY_SCIERC,
    Candidate,
    curate,
    import_pwc,
    main,
    merge,
    mine_scierc_train,
    read_pwc,
    read_scierc_terms,
    read_tsv,
    resolve_conflicts,
    suggest_denials,
)


def cand(label: str, *alts: str, priority: int = PRIORITY_PWC, weight: int = 0, kind: str = "method") -> Candidate:
    return Candidate(kind, label, alts, f"src:{label}", priority, weight)


def entries(*candidates: Candidate) -> dict[str, tuple[str, ...]]:
    result, _ = resolve_conflicts(merge(candidates))
    return {entry.label: entry.alt_labels for entry in result}


def test_equal_preferred_labels_merge_case_and_dash_insensitively() -> None:
    assert entries(cand("U-Net", priority=PRIORITY_CURATED), cand("U\u2013net", "UNet")) == {"U-Net": ("UNet",)}


def test_labels_listed_both_ways_round_merge() -> None:
    merged = entries(
        cand("Generative Adversarial Network", "GAN", priority=PRIORITY_CURATED),
        cand("GAN", "Generative Adversarial Network", "GANs"),
    )
    assert merged == {"Generative Adversarial Network": ("GAN", "GANs")}


def test_a_bare_term_joins_the_concept_that_already_has_it() -> None:
    merged = entries(
        cand("Hidden Markov Model", "HMMs", priority=PRIORITY_CURATED), cand("HMMs", priority=PRIORITY_SCIERC)
    )
    assert merged == {"Hidden Markov Model": ("HMMs",)}


def test_a_shared_acronym_does_not_merge_different_concepts_and_goes_to_the_curated_one() -> None:
    merged = entries(
        cand("Segment Anything Model", "SAM", priority=PRIORITY_CURATED),
        cand("SAM", "Sharpness-Aware Minimization", weight=100),
    )
    assert merged == {"Segment Anything Model": ("SAM",), "Sharpness-Aware Minimization": ()}


def test_within_one_source_the_preferred_owner_then_more_papers_wins() -> None:
    merged = entries(
        cand("ECA", "Efficient Channel Attention", weight=1), cand("Efficient Channel Attention", weight=2)
    )
    assert merged == {"ECA": (), "Efficient Channel Attention": ()}
    merged = entries(cand("A", "X", weight=1), cand("B", "X", weight=5))
    assert merged == {"A": (), "B": ("X",)}


def test_same_label_in_two_types_stays_in_both() -> None:
    result, conflicts = resolve_conflicts(merge([cand("MAE", kind="method"), cand("MAE", kind="metric")]))
    assert [(e.type, e.label) for e in result] == [("method", "MAE"), ("metric", "MAE")]
    assert conflicts == []


def test_curation_drops_denied_generic_and_short_labels_and_promotes_the_next_label() -> None:
    kept, dropped = curate(
        [cand("ZeRO", "Zero Redundancy Optimizer"), cand("X"), cand("neural networks"), cand("BERT", "bert base")],
        {"method": {"zero"}},
        frozenset({"neural networks"}),
    )
    assert [(c.label, c.alt_labels) for c in kept] == [("Zero Redundancy Optimizer", ()), ("BERT", ("bert base",))]
    assert {(label, reason) for _, label, reason in dropped} == {
        ("ZeRO", "deny list"),
        ("X", "too short or no letter"),
        ("neural networks", "generic phrase"),
    }


def test_pwc_import_keeps_name_full_name_url_and_paper_count(tmp_path: Path) -> None:
    methods = tmp_path / "methods.json"
    methods.write_text(
        json.dumps(
            [
                {"name": "GAN", "full_name": "Generative Adversarial Network", "url": "u1", "num_papers": 5},
                {"name": "Adam", "full_name": "Adam", "url": "u2", "num_papers": None},
                {"name": "", "full_name": "nameless", "url": "u3"},
            ]
        )
    )
    assert import_pwc(methods, tmp_path / "pwc.tsv") == 2
    rows = [row for _, row in read_tsv(tmp_path / "pwc.tsv", ("label", "alt_labels", "source", "num_papers"))]
    assert rows == [
        {"label": "Adam", "alt_labels": "", "source": "u2", "num_papers": "0"},
        {"label": "GAN", "alt_labels": "Generative Adversarial Network", "source": "u1", "num_papers": "5"},
    ]


def test_pwc_import_of_a_broken_file_is_a_kg_error(tmp_path: Path) -> None:
    (tmp_path / "methods.json").write_text("[{")
    with pytest.raises(KgError, match=r"methods\.json: cannot read"):
        import_pwc(tmp_path / "methods.json", tmp_path / "pwc.tsv")


def scierc_doc(key: str, tokens: list[str], ner: list[list[object]]) -> str:
    return json.dumps({"doc_key": key, "sentences": [tokens], "ner": [ner]})


def test_mining_records_head_and_term_statistics(tmp_path: Path) -> None:
    train = tmp_path / "train.json"
    docs = [
        scierc_doc("a", ["speech", "recognition", "with", "HMMs"], [[0, 1, "Task"], [3, 3, "Method"]]),
        scierc_doc("b", ["speech", "recognition", "and", "HMMs", "HMMs"], [[0, 1, "Task"], [3, 3, "Method"]]),
        scierc_doc("c", ["face", "recognition", "-LRB-", "FR", "-RRB-"], [[0, 1, "OtherScientificTerm"]]),
        scierc_doc("d", ["Penn", "Treebank", "and", "Penn", "Treebank"], [[0, 1, "Material"], [3, 4, "Material"]]),
    ]
    train.write_text("\n".join(docs) + "\n")
    assert mine_scierc_train(train, tmp_path) == (2, 3)
    heads = [row for _, row in read_tsv(tmp_path / "scierc_train_heads.tsv", ("type", "head", "spans", "share"))]
    recognition = next(row for row in heads if row["head"] == "recognition")
    assert (recognition["type"], recognition["spans"], recognition["share"]) == ("task", "2", "0.667")
    columns = ("type", "label", "count", "share", "occurrences", "documents")
    terms = [tuple(row[c] for c in columns) for _, row in read_tsv(tmp_path / "scierc_train_terms.tsv", columns)]
    assert terms == [
        ("method", "HMMs", "2", "1.000", "3", "2"),  # the third HMMs is not annotated
        ("dataset", "Penn Treebank", "2", "1.000", "2", "1"),
        ("task", "speech recognition", "2", "1.000", "2", "2"),
    ]


def write_terms(path: Path, *rows: str) -> Path:
    path.write_text("type\tlabel\tcount\tshare\toccurrences\tdocuments\n" + "\n".join(rows) + "\n")
    return path


def test_term_selection_keeps_consistent_widespread_names_and_phrases(tmp_path: Path) -> None:
    path = write_terms(
        tmp_path / "terms.tsv",
        "method\tHMMs\t4\t1.0\t5\t3",
        "task\tspeech recognition\t5\t0.9\t6\t4",
        "task\tsegmentation of complex scenes\t2\t1.0\t2\t1",  # one abstract's phrasing
        "metric\trobustness\t7\t1.0\t40\t5",  # annotated in a sixth of its occurrences
        "method\tclustering\t5\t1.0\t5\t4",  # a single ordinary word
        "method\tstatistical methods\t3\t1.0\t3\t3",  # ends in a generic word
        "method\tboosting (AdaBoost)\t3\t1.0\t3\t3",  # brackets
        "task\tparsing\t6\t0.5\t6\t6",  # type too mixed
        "dataset\tspeech data\t4\t1.0\t4\t4",  # Material that is not a name
        "dataset\tWordNet\t3\t1.0\t3\t3",
    )
    selected = read_scierc_terms(path, frozenset({"methods"}))
    assert [(c.type, c.label) for c in selected] == [
        ("method", "HMMs"),
        ("task", "speech recognition"),
        ("dataset", "WordNet"),
    ]


def test_build_command_writes_loadable_files_from_a_sources_folder(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "lexicon_seed.tsv").write_text("type\tkind\tterm\ntask\thead\trecognition\nany\tgeneric\tour method\n")
    (sources / "deny.tsv").write_text("type\tlabel\treason\nmethod\tUSE\tword\n")
    (sources / "pwc_methods.tsv").write_text(
        "label\talt_labels\tsource\tnum_papers\nUSE\t\thttps://e.org/u\t3\nBERT\t\thttps://e.org/b\t9\n"
    )
    for name, rows in {
        "methods.tsv": "LoRA\tLow-Rank Adaptation\n",
        "datasets.tsv": "CIFAR-10\tCIFAR10 | CIFAR 10\n",
        "hardware.tsv": "NVIDIA A100\tA100\tNVIDIA\n",
        "metrics.tsv": "BLEU\n",
        "tasks.tsv": "machine translation\tMT\n",
    }.items():
        (sources / name).write_text("label\talt_labels\tvendor\n" + rows)
    out = tmp_path / "out"
    assert main(["--sources", str(sources), "--out", str(out)]) == 0
    vocabulary = load_vocabulary(out / "vocabulary.ttl")
    assert [(e.type, e.label) for e in vocabulary] == [
        ("method", "BERT"),
        ("method", "LoRA"),
        ("dataset", "CIFAR-10"),
        ("hardware", "NVIDIA A100"),
        ("metric", "BLEU"),
        ("task", "machine translation"),
    ]
    assert vocabulary[2].alt_labels == ("CIFAR 10", "CIFAR10")
    assert load_lexicon(out / "lexicon.tsv").heads["task"] == frozenset({"recognition"})


def test_a_pwc_row_without_a_page_iri_is_rejected_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "pwc.tsv").write_text("label\talt_labels\tsource\tnum_papers\nBERT\t\tnot an iri\t1\n")
    with pytest.raises(KgError, match=r"pwc\.tsv:2: source is not an http\(s\) IRI"):
        read_pwc(tmp_path / "pwc.tsv")


def test_build_command_reports_a_bad_source_row_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "lexicon_seed.tsv").write_text("type\tkind\tterm\n")
    (sources / "deny.tsv").write_text("type\tlabel\treason\nsoftware\tX\tbad type\n")
    assert main(["--sources", str(sources), "--out", str(tmp_path)]) == 1
    assert "deny.tsv:2: unknown type 'software'" in capsys.readouterr().err


def test_deny_suggestions_are_names_used_as_ordinary_words(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    abstracts = [f"We use a base model {i}." for i in range(5)] + ["BERT and BASE are compared.", "We fine-tune BERT."]
    items = [{"paper": {"title": "T", "summary": text}} for text in abstracts]
    (corpus / "2024-01-01.json").write_text(json.dumps(items[:3]))
    (corpus / "2024-01-02.json").write_text(json.dumps({"data": [repr(item) for item in items[3:]]}))
    (corpus / "broken.json").write_text("[{")
    rows = suggest_denials(corpus, [cand("USE"), cand("BASE"), cand("BERT"), cand("Multi-word Name")])
    assert rows == [("BASE", 6, 1), ("USE", 5, 0)]
