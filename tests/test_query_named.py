"""Named queries on the hand-written fixture graph: exact rows, worked out by hand from papers.ttl."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg.derived import derive_all
from kg.errors import KgError, UsageError
from kg.query import NamedQuery, named_queries, named_query, run_named, stored_labels, without_lateral
from kg.rdf import to_rdflib
from kg.terms import PREFIXES

FIXTURE = Path(__file__).parent / "fixtures" / "query" / "papers.ttl"
ID = "https://w3id.org/kg-ml/id/"


def fixture_store() -> ox.Store:
    graph = ox.Store()
    graph.load(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)
    return graph


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """The fixture with the data the store derives at each commit (paper counts, label keys), as `kg build` has."""
    graph = fixture_store()
    derive_all(graph)
    return graph


def rows(store: ox.Store, name: str, **params: object) -> list[tuple[object, ...]]:
    return [tuple(row.values()) for row in run_named(store, name, params).rows]


def test_top_concepts_counts_proposing_and_using_papers(store: ox.Store) -> None:
    assert rows(store, "top-concepts", type="method") == [
        ("LoRA", 4, ID + "method/lora"),
        ("Transformer", 4, ID + "method/transformer"),
        ('Meth"od {X}', 1, ID + "method/meth-od-x"),
        ("QLoRA", 1, ID + "method/qlora"),
        ("ViT-22B", 1, ID + "method/vit-22b"),
    ]


def test_top_concepts_type_and_limit_select_and_cap(store: ox.Store) -> None:
    assert rows(store, "top-concepts", type="hardware", limit=1) == [("A100", 3, ID + "hardware/a100")]
    assert rows(store, "top-concepts", type="hardware", limit=3) == [
        ("A100", 3, ID + "hardware/a100"),
        ("H100", 1, ID + "hardware/h100"),
        ("TPU v4", 1, ID + "hardware/tpu-v4"),
    ]
    assert rows(store, "top-concepts", type="Task") == [
        ("Question Answering", 1, ID + "task/question-answering"),
        ("Text Classification", 1, ID + "task/text-classification"),
    ]


def test_method_datasets_metrics_matches_alt_label_ignoring_case(store: ox.Store) -> None:
    expected = [
        ("dataset", "GLUE", 2, ID + "dataset/glue"),
        ("dataset", "MMLU", 2, ID + "dataset/mmlu"),
        ("dataset", "Service", 1, ID + "dataset/service"),
        ("metric", "Accuracy", 4, ID + "metric/accuracy"),
        ("metric", "F1", 1, ID + "metric/f1"),
    ]
    assert rows(store, "method-datasets-metrics", method="LoRA") == expected
    assert rows(store, "method-datasets-metrics", method="low-rank ADAPTATION") == expected


def test_method_datasets_metrics_finds_a_label_with_quotes_and_braces(store: ox.Store) -> None:
    assert rows(store, "method-datasets-metrics", method='meth"od {x}') == [
        ("dataset", "GLUE", 1, ID + "dataset/glue"),
        ("metric", "F1", 1, ID + "metric/f1"),
    ]


def test_papers_on_hardware_lists_newest_first_with_device_count(store: ox.Store) -> None:
    assert rows(store, "papers-on-hardware", hardware="nvidia a100") == [
        (
            "a-service-oriented-benchmark",
            "A Service-Oriented Benchmark for Adapters",
            dt.date(2024, 3, 1),
            None,
            ID + "paper/t-5e1c0b2a9d3f4e61",
        ),
        (
            "2401.00002",
            "QLoRA: Efficient Finetuning of Quantized LLMs",
            dt.date(2024, 1, 20),
            None,
            ID + "paper/arxiv-2401.00002",
        ),
        (
            "2401.00001",
            "LoRA: Low-Rank Adaptation of Large Language Models",
            dt.date(2024, 1, 15),
            8,
            ID + "paper/arxiv-2401.00001",
        ),
    ]


def test_papers_with_code_orders_by_stars_and_skips_papers_without_repository(store: ox.Store) -> None:
    assert rows(store, "papers-with-code", concept="lora") == [
        (
            "2401.00002",
            "QLoRA: Efficient Finetuning of Quantized LLMs",
            "https://github.com/example/qlora",
            300,
            ID + "paper/arxiv-2401.00002",
        ),
        (
            "2401.00001",
            "LoRA: Low-Rank Adaptation of Large Language Models",
            "https://github.com/example/lora",
            120,
            ID + "paper/arxiv-2401.00001",
        ),
        (
            "a-service-oriented-benchmark",
            "A Service-Oriented Benchmark for Adapters",
            "https://github.com/example/svc-bench",
            5,
            ID + "paper/t-5e1c0b2a9d3f4e61",
        ),
    ]
    assert rows(store, "papers-with-code", concept="ImageNet-1k") == []


def test_cooccurring_counts_shared_papers_and_excludes_the_concept_itself(store: ox.Store) -> None:
    assert rows(store, "cooccurring", concept="LoRA") == [
        ("metric", "Accuracy", 4, ID + "metric/accuracy"),
        ("hardware", "A100", 3, ID + "hardware/a100"),
        ("dataset", "GLUE", 2, ID + "dataset/glue"),
        ("dataset", "MMLU", 2, ID + "dataset/mmlu"),
        ("method", "Transformer", 2, ID + "method/transformer"),
        ("dataset", "Service", 1, ID + "dataset/service"),
        ("hardware", "H100", 1, ID + "hardware/h100"),
        ("method", "QLoRA", 1, ID + "method/qlora"),
        ("metric", "F1", 1, ID + "metric/f1"),
        ("task", "Question Answering", 1, ID + "task/question-answering"),
        ("task", "Text Classification", 1, ID + "task/text-classification"),
    ]


def test_cooccurring_limit_keeps_the_first_rows_of_the_ranking(store: ox.Store) -> None:
    assert rows(store, "cooccurring", concept="LoRA", limit=2) == [
        ("metric", "Accuracy", 4, ID + "metric/accuracy"),
        ("hardware", "A100", 3, ID + "hardware/a100"),
    ]
    assert rows(store, "cooccurring", concept="ViT-22B", limit=0) == []


def test_timeline_counts_papers_per_month(store: ox.Store) -> None:
    assert rows(store, "timeline", concept="Transformers") == [("2024-01", 1), ("2024-02", 2), ("2024-03", 1)]
    assert rows(store, "timeline", concept="lora") == [("2024-01", 2), ("2024-02", 1), ("2024-03", 1)]


def test_paper_card_by_arxiv_id_lists_every_fact_in_order(store: ox.Store) -> None:
    card = rows(store, "paper-card", paper="2401.00001")
    assert card == [
        ("iri", ID + "paper/arxiv-2401.00001", None),
        ("title", "LoRA: Low-Rank Adaptation of Large Language Models", None),
        ("id", "2401.00001", None),
        ("arxiv", "2401.00001", None),
        ("issued", dt.date(2024, 1, 15), None),
        ("upvotes", 42, None),
        ("stars", 120, None),
        (
            "abstract",
            "We propose Low-Rank Adaptation (LoRA). LoRA matches full fine-tuning on GLUE. We train on 8 A100 GPUs.",
            None,
        ),
        ("author", "Edward Hu", None),
        ("author", "Yelong Shen", None),
        ("organization", "Microsoft", None),
        ("repository", "https://github.com/example/lora", "example/lora"),
        ("proposes", "LoRA", ID + "method/lora"),
        ("method", "Transformer", ID + "method/transformer"),
        ("dataset", "GLUE", ID + "dataset/glue"),
        ("metric", "Accuracy", ID + "metric/accuracy"),
        ("hardware", "A100", ID + "hardware/a100"),
        ("task", "Text Classification", ID + "task/text-classification"),
        ("evidence", "A100", "We train on 8 A100 GPUs."),
        ("evidence", "GLUE", "LoRA matches full fine-tuning on GLUE."),
        ("evidence", "LoRA", "LoRA matches full fine-tuning on GLUE."),
        ("evidence", "LoRA", "We propose Low-Rank Adaptation (LoRA)."),
        ("result", "Accuracy = 89.5% on GLUE", "LoRA reaches 89.5% accuracy on GLUE."),
        ("listed in", "seeds/000.txt:12", "hf-listing"),
    ]


def test_paper_card_finds_a_paper_by_iri_identifier_or_exact_title(store: ox.Store) -> None:
    by_id = rows(store, "paper-card", paper="2403.00006")
    assert by_id[:2] == [("iri", ID + "paper/arxiv-2403.00006", None), ("title", 'Quoting "Braces" {and} Things', None)]
    assert rows(store, "paper-card", paper=ID + "paper/arxiv-2403.00006") == by_id
    assert rows(store, "paper-card", paper="kgid:paper/arxiv-2403.00006") == by_id
    assert rows(store, "paper-card", paper='Quoting "Braces" {and} Things') == by_id
    assert rows(store, "paper-card", paper="a-service-oriented-benchmark")[0] == (
        "iri",
        ID + "paper/t-5e1c0b2a9d3f4e61",
        None,
    )
    assert rows(store, "paper-card", paper="9999.99999") == []


@pytest.mark.parametrize(
    "value", ['LoRA"} ; DROP ALL #', "LoRA' } UNION { ?c ?p ?o } #", "}} SERVICE <http://127.0.0.1:9/> {"]
)
def test_parameter_values_cannot_inject_sparql(store: ox.Store, value: str) -> None:
    before = len(store)
    assert rows(store, "cooccurring", concept=value) == []
    assert rows(store, "paper-card", paper=value) == []
    assert len(store) == before


def test_choice_parameter_refuses_values_outside_its_choices(store: ox.Store) -> None:
    with pytest.raises(UsageError, match=r"type must be one of method, dataset, hardware, metric, task"):
        run_named(store, "top-concepts", {"type": 'method"} ; DROP ALL #'})


def test_parameters_are_checked_against_the_header(store: ox.Store) -> None:
    with pytest.raises(UsageError, match="unknown parameter 'colour'"):
        run_named(store, "timeline", {"colour": "red"})
    with pytest.raises(UsageError, match="limit must be an integer"):
        run_named(store, "top-concepts", {"limit": "ten"})
    with pytest.raises(UsageError, match="limit must not be negative"):
        run_named(store, "top-concepts", {"limit": -1})
    with pytest.raises(UsageError, match="no named query 'nope'"):
        run_named(store, "nope")
    with pytest.raises(UsageError, match="no named query"):
        run_named(store, "../kg/queries/timeline")


def test_every_named_query_documents_its_parameters_and_an_example() -> None:
    queries = {query.name: query for query in named_queries()}
    assert set(queries) >= {
        "top-concepts",
        "method-datasets-metrics",
        "papers-on-hardware",
        "papers-with-code",
        "cooccurring",
        "timeline",
        "paper-card",
    }
    for query in queries.values():
        assert query.description
        assert query.params
        assert all(param.description for param in query.params)
        assert query.examples and all(f"--name {query.name}" in example for example in query.examples)
    assert [(p.name, p.type, p.default, p.choices) for p in queries["top-concepts"].params] == [
        ("type", "literal", "method", ("method", "dataset", "hardware", "metric", "task")),
        ("limit", "limit", "20", ()),
    ]


def write_query(tmp_path: Path, header: str) -> Path:
    path = tmp_path / "custom.rq"
    path.write_text(header + "\nSELECT ?x ?n WHERE { BIND(1 AS ?one) }\n", encoding="utf-8")
    return path


def test_header_errors_name_the_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"custom\.rq:2: unknown parameter type 'colour'"):
        NamedQuery.load(write_query(tmp_path, "# Something.\n# @param x: colour = red"))
    with pytest.raises(KgError, match=r"custom\.rq:1: cannot read"):
        NamedQuery.load(write_query(tmp_path, "# @param = x"))
    with pytest.raises(KgError, match=r"custom\.rq:2: unknown header tag '@parm'"):
        NamedQuery.load(write_query(tmp_path, "# Something.\n# @parm x: literal"))


def test_custom_named_query_binds_integer_and_iri_parameters(tmp_path: Path, store: ox.Store) -> None:
    (tmp_path / "label-of.rq").write_text(
        "# The label of a concept, with a number echoed back.\n"
        "# @param concept: iri -- the concept\n"
        "# @param n: integer = 7 -- any number\n"
        "SELECT ?concept ?n ?label ?twice WHERE { ?concept skos:prefLabel ?label BIND(?n * 2 AS ?twice) }\n",
        encoding="utf-8",
    )
    result = run_named(store, "label-of", {"concept": "kgid:method/qlora"}, directory=tmp_path)
    assert result.rows == [{"label": "QLoRA", "twice": 14}]
    with pytest.raises(UsageError, match="missing parameter 'concept'"):
        run_named(store, "label-of", {}, directory=tmp_path)
    with pytest.raises(UsageError, match="n must be an integer"):
        run_named(store, "label-of", {"concept": ID + "method/qlora", "n": "7.5"}, directory=tmp_path)
    with pytest.raises(UsageError, match="concept must be an IRI"):
        run_named(store, "label-of", {"concept": "not an iri"}, directory=tmp_path)
    assert named_query("label-of", tmp_path).params[1].default == "7"


def test_stored_labels_without_label_keys_finds_case_forms_by_index_and_others_by_scan() -> None:
    store = fixture_store()
    assert [label.value for label in stored_labels(store, "low-rank ADAPTATION")] == ["Low-Rank Adaptation"]
    assert [label.value for label in stored_labels(store, "LORA")] == ["lora"]  # a usual case form exists
    assert [label.value for label in stored_labels(store, "nvidia a100")] == ["NVIDIA A100"]
    assert stored_labels(store, "no such concept") == ()


def test_stored_labels_with_label_keys_finds_every_casing_ignoring_case(store: ox.Store) -> None:
    assert [label.value for label in stored_labels(store, "low-rank ADAPTATION")] == ["Low-Rank Adaptation"]
    assert [label.value for label in stored_labels(store, "LORA")] == ["LoRA", "lora"]
    assert [label.value for label in stored_labels(store, " lOrA ")] == ["LoRA", "lora"]
    assert [label.value for label in stored_labels(store, "nvidia a100")] == ["NVIDIA A100"]
    assert [label.value for label in stored_labels(store, 'METH"OD {x}')] == ['Meth"od {X}']
    assert stored_labels(store, "no such concept") == ()


def test_render_writes_label_values_and_limit_into_their_slots(store: ox.Store) -> None:
    query = named_query("cooccurring")
    text = query.render(query.bind(store, {"concept": 'meth"OD {x}', "limit": 7}))
    assert 'VALUES ?concept { "Meth\\"od {X}" }' in text
    assert "LIMIT 7" in text and "LIMIT 20" not in text


def test_header_needs_a_values_slot_for_a_label_and_a_limit_clause_for_a_limit(tmp_path: Path) -> None:
    with pytest.raises(KgError, match=r"label parameter 'name' needs one 'VALUES \?name \{ \}'"):
        NamedQuery.load(write_query(tmp_path, "# Something.\n# @param name: label = x"))
    with pytest.raises(KgError, match="limit parameter 'n' needs a LIMIT clause"):
        NamedQuery.load(write_query(tmp_path, "# Something.\n# @param n: limit = 5"))


def test_named_queries_without_lateral_give_the_same_rows_on_rdflib(store: ox.Store) -> None:
    graph = rdflib.Graph()
    for quad in store:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    for query in named_queries():
        binding = query.bind(store, {})
        bindings = {name: to_rdflib(term) for name, term in binding.substitutions.items()}
        theirs = graph.query(without_lateral(query.render(binding)), initNs=PREFIXES, initBindings=bindings)
        ours = run_named(store, query.name)
        their_rows = [tuple(row.asdict().get(name) for name in ours.variables) for row in theirs]
        assert [tuple(term and term.n3() for term in row) for row in their_rows] == [
            tuple(term and str(term) for term in row) for row in ours.solutions
        ], query.name


def test_benchmark_runs_every_named_query_alike_on_rdflib(store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location(
        "bench_query", Path(__file__).parent.parent / "bench" / "bench_query.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    copy = bench.rdflib_copy(store)
    assert len(copy) == len(store)
    for query in named_queries():
        binding = query.bind(store, {})
        assert bench.rdflib_named(copy, query.render(binding), binding.substitutions) == len(
            run_named(store, query.name)
        ), query.name
