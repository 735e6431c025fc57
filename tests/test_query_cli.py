"""`kg query` as a user runs it: sources, formats, named queries, and one-line errors with exit statuses."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_api import build_store
from typer.testing import CliRunner

from kg.cli import app, main

runner = CliRunner()
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
TITLES = "SELECT ?title WHERE { ?p a kg:Paper ; dcterms:title ?title } ORDER BY ?title"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("cli") / "store")


def kg_query(store: Path, *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, ["query", "--store", str(store), *args], input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_query_from_argument_prints_a_table(store: Path) -> None:
    out = kg_query(store, TITLES)
    assert "A Service benchmark" in out and "QLoRA: Efficient Finetuning" in out and "3 rows" in out


def test_query_from_file_stdin_and_dash_give_the_same_csv(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "titles.rq"
    path.write_text(TITLES, encoding="utf-8")
    from_file = kg_query(store, "-f", str(path), "--format", "csv")
    assert from_file.splitlines()[:2] == ["title", "A Service benchmark"]
    assert kg_query(store, "--format", "csv", stdin=TITLES) == from_file
    assert kg_query(store, "-", "--format", "csv", stdin=TITLES) == from_file


def test_json_output_is_sparql_results_json(store: Path) -> None:
    document = json.loads(kg_query(store, TITLES + " LIMIT 1", "--format", "json"))
    assert document == {
        "head": {"vars": ["title"]},
        "results": {"bindings": [{"title": {"type": "literal", "value": "A Service benchmark"}}]},
    }


def test_tsv_output_and_ask(store: Path) -> None:
    assert kg_query(store, TITLES + " LIMIT 1", "--format", "tsv") == '?title\n"A Service benchmark"\n'
    assert kg_query(store, "ASK { ?p a kg:Paper }") == "true\n"


def test_construct_prints_turtle_with_prefixes(store: Path) -> None:
    out = kg_query(store, "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a kg:Dataset ; skos:prefLabel ?l }")
    assert "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ." in out
    assert 'kgid:dataset\\/mmlu skos:prefLabel "MMLU" .' in out


def test_named_query_with_params(store: Path) -> None:
    out = kg_query(store, "--name", "top-concepts", "--param", "type=dataset", "--param", "limit=5", "--format", "csv")
    assert out.splitlines()[0] == "label,papers,concept"
    assert sorted(out.splitlines()[1:]) == [
        "GLUE,1,https://w3id.org/kg-ml/id/dataset/glue",
        "MMLU,1,https://w3id.org/kg-ml/id/dataset/mmlu",
        "Service,1,https://w3id.org/kg-ml/id/dataset/service",
    ]


def test_parameter_binds_a_variable_of_an_ad_hoc_query(store: Path) -> None:
    query = "SELECT ?label ?c WHERE { ?c skos:prefLabel ?label }"
    out = kg_query(store, query, "--param", "label=Service", "--format", "csv")
    assert out.splitlines() == ["label,c", "Service,https://w3id.org/kg-ml/id/dataset/service"]


def test_list_describes_every_named_query() -> None:
    result = runner.invoke(app, ["query", "--list"])
    assert result.exit_code == 0
    for name in ("top-concepts", "method-datasets-metrics", "papers-on-hardware", "papers-with-code"):
        assert name in result.stdout
    assert "--param type: literal {method|dataset|hardware|metric|task}, default method" in result.stdout
    assert "e.g. kg query --name paper-card --param paper=2401.00001" in result.stdout


def kg_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, stdin: str = ""
) -> tuple[int, str]:
    """Run the `kg` entry point in process (as the console script does) and return its status and stderr."""
    monkeypatch.setattr(sys, "argv", ["kg", "query", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        main()
        status = 0
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    return status, capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "stdin", "status", "message"),
    [
        (("SELECT ?x WHERE {\n  ?x ?y\n}",), "", 1, r"^error: <query>:3:\d+: SPARQL syntax error: "),
        (("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",), "", 1, "SERVICE is not allowed"),
        (("-",), "DROP ALL", 1, r"<stdin>:1:1: DROP is not allowed"),
        ((), "", 2, "<stdin>: the query is empty"),
        (("--name", "nope"), "", 2, "no named query 'nope'"),
        (("--name", "top-concepts", "--param", "type"), "", 2, "--param 'type': expected key=value"),
        (("--name", "top-concepts", "--param", "type=x"), "", 2, "type must be one of"),
        (("--name", "timeline", "ASK {}"), "", 2, "not several"),
        (("--timeout", "0.5", SLOW), "", 124, "stopped after the 0.5 s time limit"),
    ],
)
def test_errors_are_one_line_with_a_status(
    store: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    stdin: str,
    status: int,
    message: str,
) -> None:
    code, stderr = kg_main(monkeypatch, capsys, "--store", str(store), *args, stdin=stdin)
    assert code == status, stderr
    assert len(stderr.strip().splitlines()) == 1
    assert re.search(message, stderr), stderr


def test_missing_store_and_unreadable_file_are_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stderr = kg_main(monkeypatch, capsys, "--store", str(tmp_path / "none"), "ASK {}")
    assert code == 1 and "no store at" in stderr
    code, stderr = kg_main(monkeypatch, capsys, "--store", str(tmp_path), "-f", str(tmp_path / "missing.rq"))
    assert code == 1 and "cannot read query file" in stderr


def test_the_installed_command_reports_errors_without_a_traceback(store: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kg", "query", "--store", str(store), "SELECT ?x WHERE { ?x"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: <query>:1:") and "Traceback" not in result.stderr
