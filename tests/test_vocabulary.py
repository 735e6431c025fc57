"""The shipped vocabulary and lexicon: content, shape, determinism, and the loaders' handling of bad files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import KgError
from kg.paths import ONTOLOGY_DIR
from kg.records import CONCEPT_TYPES
from kg.terms import concept_iri
from kg.vocabulary import Lexicon, VocabularyEntry, entry_order, load_lexicon, load_vocabulary
from kg.vocabulary_build import (
    build,
    contradicted_heads,
    lexicon_text,
    normalise,
    read_deny,
    read_lexicon_seed,
    vocabulary_turtle,
)

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def vocabulary() -> tuple[VocabularyEntry, ...]:
    return load_vocabulary()


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def find(vocabulary: tuple[VocabularyEntry, ...], kind: str, label: str) -> VocabularyEntry:
    matches = [e for e in vocabulary if e.type == kind and normalise(label) in {normalise(x) for x in e.labels}]
    assert len(matches) == 1, f"{kind} {label!r}: {matches}"
    return matches[0]


def test_lora_is_a_method_with_its_long_form_as_alt_label(vocabulary: tuple[VocabularyEntry, ...]) -> None:
    lora = find(vocabulary, "method", "LoRA")
    assert lora.label == "LoRA"
    assert "Low-Rank Adaptation" in lora.alt_labels


def test_pwc_methods_keep_their_catalogue_page_as_source(vocabulary: tuple[VocabularyEntry, ...]) -> None:
    bert = find(vocabulary, "method", "BERT")
    assert bert.source == "https://paperswithcode.com/method/bert"


def test_hardware_carries_its_vendor(vocabulary: tuple[VocabularyEntry, ...]) -> None:
    assert find(vocabulary, "hardware", "A100").vendor == "NVIDIA"
    assert find(vocabulary, "hardware", "TPU v4").vendor == "Google"
    assert find(vocabulary, "hardware", "Snapdragon 835").vendor == "Qualcomm"
    assert find(vocabulary, "hardware", "edge devices").vendor is None


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("dataset", "ImageNet"),
        ("dataset", "ImageNet-1K"),
        ("dataset", "CIFAR10"),
        ("dataset", "MS COCO"),
        ("dataset", "WikiText-103"),
        ("dataset", "Penn Treebank"),
        ("metric", "FID"),
        ("metric", "BLEU"),
        ("metric", "top-1 accuracy"),
        ("metric", "mIoU"),
        ("task", "semantic segmentation"),
        ("task", "text-to-image generation"),
        ("task", "machine translation"),
        ("hardware", "RTX 4090"),
        ("hardware", "neuromorphic hardware"),
        ("hardware", "resistive memory"),
    ],
)
def test_well_known_concepts_are_present(vocabulary: tuple[VocabularyEntry, ...], kind: str, label: str) -> None:
    find(vocabulary, kind, label)


def test_every_type_has_a_substantial_list(vocabulary: tuple[VocabularyEntry, ...]) -> None:
    counts = Counter(entry.type for entry in vocabulary)
    assert counts["method"] > 1500
    assert counts["dataset"] > 300
    assert counts["hardware"] > 100
    assert counts["metric"] > 100
    assert counts["task"] > 150


def test_denied_and_generic_labels_never_appear(vocabulary: tuple[VocabularyEntry, ...], lexicon: Lexicon) -> None:
    denied = read_deny(ONTOLOGY_DIR / "sources" / "deny.tsv")
    for entry in vocabulary:
        for label in entry.labels:
            key = normalise(label)
            assert key not in denied.get(entry.type, set()), (entry, label)
            assert key not in lexicon.generic, (entry, label)


def test_a_denied_preferred_label_promotes_the_full_name(vocabulary: tuple[VocabularyEntry, ...]) -> None:
    balanced = find(vocabulary, "method", "Balanced Selection")
    assert balanced.label == "Balanced Selection"
    assert not any("BASE" in entry.labels or "ZeRO" in entry.labels for entry in vocabulary)


def test_no_label_names_two_concepts_of_one_type(vocabulary: tuple[VocabularyEntry, ...]) -> None:
    owners = Counter((entry.type, normalise(label)) for entry in vocabulary for label in entry.labels)
    assert [key for key, count in owners.items() if count > 1] == []


def test_curated_meaning_wins_a_shared_acronym(vocabulary: tuple[VocabularyEntry, ...]) -> None:
    assert find(vocabulary, "method", "SAM").label == "Segment Anything Model"
    assert find(vocabulary, "method", "Sharpness-Aware Minimization").label == "Sharpness-Aware Minimization"


def test_entries_are_in_deterministic_order(vocabulary: tuple[VocabularyEntry, ...]) -> None:
    assert list(vocabulary) == sorted(vocabulary, key=entry_order)
    assert load_vocabulary() == vocabulary


def test_turtle_has_the_documented_shape() -> None:
    store = ox.Store()
    store.load(path=str(ONTOLOGY_DIR / "vocabulary.ttl"), format=ox.RdfFormat.TURTLE)
    lora = ox.NamedNode(str(concept_iri("method", "LoRA")))
    assert ox.Quad(lora, ox.NamedNode(SKOS + "prefLabel"), ox.Literal("LoRA", language="en")) in store
    scheme = ox.NamedNode("https://w3id.org/kg-ml/id/vocabulary")
    assert ox.Quad(lora, ox.NamedNode(SKOS + "inScheme"), scheme) in store
    licenses = [q.object for q in store.quads_for_pattern(scheme, ox.NamedNode(DCT + "license"), None)]
    assert licenses == [ox.NamedNode("https://creativecommons.org/licenses/by-sa/4.0/")]
    concepts = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(SKOS + "inScheme"), scheme)}
    assert len(concepts) == len(load_vocabulary())


def test_every_concept_iri_is_minted_by_kg_terms(vocabulary: tuple[VocabularyEntry, ...]) -> None:
    store = ox.Store()
    store.load(path=str(ONTOLOGY_DIR / "vocabulary.ttl"), format=ox.RdfFormat.TURTLE)
    pref = ox.NamedNode(SKOS + "prefLabel")
    labels = {q.subject.value: q.object.value for q in store.quads_for_pattern(None, pref, None)}
    for entry in vocabulary:
        assert labels[str(concept_iri(entry.type, entry.label))] == entry.label


def test_committed_files_match_a_rebuild_from_sources() -> None:
    result = build()
    assert (ONTOLOGY_DIR / "vocabulary.ttl").read_bytes() == vocabulary_turtle(result.entries), (
        "ontology/vocabulary.ttl is stale: run python -m kg.vocabulary_build"
    )
    assert (ONTOLOGY_DIR / "lexicon.tsv").read_text(encoding="utf-8") == lexicon_text(result.lexicon)


def test_lexicon_has_heads_for_the_annotated_types(lexicon: Lexicon) -> None:
    assert {"recognition", "translation", "segmentation", "parsing", "answering"} <= lexicon.heads["task"]
    assert {"model", "algorithm", "network", "framework", "parser", "classifier"} <= lexicon.heads["method"]
    assert {"accuracy", "precision", "recall", "error rate", "perplexity"} <= lexicon.heads["metric"]
    assert {"dataset", "corpus", "treebank", "benchmark"} <= lexicon.heads["dataset"]
    assert set(lexicon.heads) == set(CONCEPT_TYPES)


def test_lexicon_generic_phrases_are_lower_case(lexicon: Lexicon) -> None:
    assert {"our method", "neural networks", "deep learning", "baselines", "the model", "this approach"} <= (
        lexicon.generic
    )
    assert all(phrase == phrase.lower() for phrase in lexicon.generic)
    assert lexicon.is_generic("Our  Method")


def test_no_curated_head_is_contradicted_by_scierc_train() -> None:
    sources = ONTOLOGY_DIR / "sources"
    seed = read_lexicon_seed(sources / "lexicon_seed.tsv")
    assert contradicted_heads(seed, sources / "scierc_train_heads.tsv") == []


def test_types_of_head_prefers_the_longest_head(lexicon: Lexicon) -> None:
    assert lexicon.types_of_head("speech recognition")[0] == "task"
    assert lexicon.types_of_head("word error rate")[0] == "metric"
    assert lexicon.types_of_head("hidden Markov model")[0] == "method"
    assert lexicon.types_of_head("blue sky") == ()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_lexicon_with_unknown_kind_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "lex.tsv", "type\tkind\tterm\tsource\ntask\thead\trecognition\tx\ntask\theadz\tfoo\tx\n")
    with pytest.raises(KgError, match=r"lex\.tsv:3: unknown kind 'headz'"):
        load_lexicon(path)


def test_lexicon_with_unknown_type_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "lex.tsv", "# comment\ntype\tkind\tterm\tsource\nsoftware\thead\tlibrary\tx\n")
    with pytest.raises(KgError, match=r"lex\.tsv:3: unknown type 'software'"):
        load_lexicon(path)


def test_lexicon_without_header_columns_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"lex\.tsv:1: header lacks column\(s\) kind"):
        load_lexicon(write(tmp_path / "lex.tsv", "type\tterm\tsource\n"))


def test_missing_files_raise_kg_errors(tmp_path: Path) -> None:
    with pytest.raises(KgError, match="cannot read"):
        load_lexicon(tmp_path / "absent.tsv")
    with pytest.raises(KgError, match="cannot read the vocabulary"):
        load_vocabulary(tmp_path / "absent.ttl")


def test_invalid_turtle_is_a_kg_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.ttl", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<a> skos:prefLabel .\n")
    with pytest.raises(KgError, match=r"bad\.ttl: not valid Turtle"):
        load_vocabulary(path)


def test_a_concept_without_a_preferred_label_is_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.ttl",
        "<https://w3id.org/kg-ml/id/method/x> a <https://w3id.org/kg-ml/ontology#Method> .\n",
    )
    with pytest.raises(KgError, match="0 skos:prefLabel"):
        load_vocabulary(path)


def test_a_small_hand_written_vocabulary_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path / "v.ttl",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix kg: <https://w3id.org/kg-ml/ontology#> .\n"
        "<https://w3id.org/kg-ml/id/hardware/x> a skos:Concept, kg:Hardware ; skos:prefLabel 'X1' ;\n"
        "  skos:altLabel 'X-1', 'X one' ; kg:vendor 'Acme' ; <http://purl.org/dc/terms/source> <https://e.org/> .\n",
    )
    assert load_vocabulary(path) == (VocabularyEntry("hardware", "X1", ("X one", "X-1"), "https://e.org/", "Acme"),)
