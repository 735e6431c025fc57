"""`kg eval` end to end on small data folders, with fake extractors loaded through --extractor."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kg.cli import eval_cmds
from kg.errors import KgError, UsageError
from kg.records import Extraction, Mention, Paper

FAKE_MODULE = "kg_eval_fake_extractors"


WORDS = {"BERT": "method", "parsing": "task", "WSJ": "dataset", "accuracy": "metric", "GPU": "hardware"}


class Gazetteer:
    """Tags fixed words wherever they occur as whole tokens; keeps the options it was built with."""

    def __init__(self, **options: object) -> None:
        self.options = options

    def extract(self, paper: Paper) -> Extraction:
        mentions = []
        offset = 0
        for token in paper.abstract.split(" "):
            if token in WORDS:
                mentions.append(
                    Mention(WORDS[token], token, "abstract", offset, offset + len(token), token, "", 1.0, "fake")
                )
            offset += len(token) + 1
        return Extraction(paper=paper, mentions=tuple(mentions))


class Silent:
    def extract(self, paper: Paper) -> Extraction:
        return Extraction(paper=paper)


@pytest.fixture(autouse=True)
def fake_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    module = types.ModuleType(FAKE_MODULE)
    module.Gazetteer = Gazetteer  # type: ignore[attr-defined]
    module.Silent = Silent  # type: ignore[attr-defined]
    module.NotAnExtractor = dict  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, FAKE_MODULE, module)
    yield


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A folder laid out like ../shared/data with one tiny document per set."""
    (tmp_path / "scierc").mkdir()
    (tmp_path / "scier").mkdir()
    (tmp_path / "tdmsci").mkdir()
    scierc = {
        "doc_key": "S1",
        "sentences": [["BERT", "improves", "parsing", "accuracy", "on", "WSJ", "."]],
        "ner": [[[0, 0, "Method"], [2, 2, "Task"], [3, 3, "Metric"], [5, 5, "Material"]]],
    }
    (tmp_path / "scierc" / "dev.json").write_text(json.dumps(scierc) + "\n")
    scier = {
        "doc_id": "P1",
        "sentences": [["dependency", "parsing", "with", "BERT", "on", "WSJ"]],
        "ner": [[[0, 1, "Task"], [3, 3, "Method"]]],
    }
    (tmp_path / "scier" / "dev-doc.jsonl").write_text(json.dumps(scier) + "\n")
    (tmp_path / "tdmsci" / "train.conll").write_text("parsing\t0\tB-TASK\naccuracy\t8\tB-METRIC\n\n")
    (tmp_path / "hf-dev").mkdir()
    abstracts = [
        {"id": "d1", "title": "Parsing with BERT", "abstract": "BERT improves parsing accuracy on WSJ ."},
        {"id": "d2", "title": "Fast GPU parsing", "abstract": "We parse on one GPU with BERT at https://x.github.io ."},
    ]
    gold = [
        {"id": "d1", "method": [{"name": "BERT", "aliases": []}], "dataset": [{"name": "WSJ", "aliases": []}],
         "task": [{"name": "dependency parsing", "aliases": []}], "repos": []},
        {"id": "d2", "method": [{"name": "BERT", "aliases": [], "proposed": True}],
         "hardware": [{"name": "GPU", "aliases": [], "count": 1}], "repos": ["https://x.github.io"]},
    ]  # fmt: skip
    for name, records in (("abstracts.jsonl", abstracts), ("gold.jsonl", gold)):
        (tmp_path / "hf-dev" / name).write_text("".join(json.dumps(r) + "\n" for r in records))
    return tmp_path


def app() -> typer.Typer:
    application = typer.Typer()
    eval_cmds.register(application)

    @application.command("noop", hidden=True)
    def noop() -> None:
        """Keeps typer from collapsing the single command into the app itself."""

    return application


def run(*args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app(), ["eval", *args])
    return result.exit_code, result.stdout, result.exception


def test_tables_show_every_set_and_the_pooled_scores(data_dir: Path) -> None:
    code, out, error = run("--data", str(data_dir), "--extractor", f"{FAKE_MODULE}:Gazetteer")
    assert (code, error) == (0, None)
    titles = (
        "scierc: 1 documents",
        "scier: 1 documents",
        "tdmsci: 1 documents",
        "pooled: 3 documents",
        "hf-dev: 2 papers",
    )
    for title in titles:
        assert title in out
    assert "Material scored as dataset" in out


def test_json_numbers_are_exact_and_partial_per_type(data_dir: Path, tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    code, out, _ = run(
        "--data", str(data_dir), "--json", "--output", str(report_path), "--extractor", f"{FAKE_MODULE}:Gazetteer"
    )
    assert code == 0
    report = json.loads(out)
    assert json.loads(report_path.read_text()) == report
    scier = report["sets"]["scier"]["types"]
    assert scier["task"]["exact"]["tp"] == 0  # "parsing" inside gold "dependency parsing"
    assert scier["task"]["partial"]["tp"] == 1
    assert scier["dataset"]["exact"]["fp"] == 1  # WSJ is not annotated in this SciER document
    assert set(report["sets"]["scierc"]["types"]) == {"method", "dataset", "metric", "task"}
    assert report["sets"]["scierc"]["micro"]["exact"]["f1"] == 1.0
    pooled_task = report["pooled"]["types"]["task"]
    assert (pooled_task["gold"], pooled_task["exact"]["tp"], pooled_task["partial"]["tp"]) == (3, 2, 3)
    assert "hardware" not in report["pooled"]["types"]


def test_hf_dev_scores_concepts_per_paper(data_dir: Path) -> None:
    code, out, error = run(
        "--data", str(data_dir), "--set", "hf-dev", "--json", "--extractor", f"{FAKE_MODULE}:Gazetteer"
    )
    assert (code, error) == (0, None)
    report = json.loads(out)
    assert list(report) == ["hf-dev"]
    scores = report["hf-dev"]
    assert scores["method"] == {"p": 1.0, "r": 1.0, "f1": 1.0, "pred": 2, "gold": 2, "tp": 2}
    assert (scores["task"]["tp"], scores["task"]["pred"], scores["task"]["gold"]) == (0, 1, 1)  # "parsing" only
    assert (scores["hardware"]["tp"], scores["metric"]["pred"]) == (1, 1)
    assert (scores["micro"]["tp"], scores["micro"]["pred"], scores["micro"]["gold"]) == (4, 6, 5)
    assert (scores["proposed"]["pred"], scores["proposed"]["gold"]) == (0, 1)
    assert scores["repos"] == {"p": 1.0, "r": 1.0, "f1": 1.0, "pred": 1, "gold": 1, "tp": 1}  # found at ingest
    assert scores["missing_papers"] == 0


def test_hf_dev_errors_list_the_most_frequent_mistakes_with_paper_ids(data_dir: Path) -> None:
    code, out, _ = run(
        "--data", str(data_dir), "--set", "hf-dev", "--errors", "5", "--extractor", f"{FAKE_MODULE}:Gazetteer"
    )
    assert code == 0
    assert "hf-dev: 2 papers" in out
    assert "hf-dev / task / false negative" in out
    assert "'dependency parsing'  d1" in out
    assert "hf-dev / metric / false positive" in out
    assert "hf-dev / links" not in out  # the one URL was found
    code, out, _ = run(
        "--data", str(data_dir), "--set", "hf-dev", "--errors", "5", "--json", "--extractor", f"{FAKE_MODULE}:Gazetteer"
    )
    errors = json.loads(out)["hf-dev-errors"]
    assert errors["task"]["false positive"] == [{"text": "parsing", "key": "parsing", "count": 1, "papers": ["d1"]}]


def test_one_set_can_be_chosen(data_dir: Path) -> None:
    code, out, _ = run("--data", str(data_dir), "--set", "tdmsci", "--json", "--extractor", f"{FAKE_MODULE}:Gazetteer")
    assert code == 0
    assert list(json.loads(out)["sets"]) == ["tdmsci"]


def test_errors_option_prints_examples_of_mistakes(data_dir: Path) -> None:
    code, out, _ = run(
        "--data", str(data_dir), "--set", "scier", "--errors", "3", "--extractor", f"{FAKE_MODULE}:Gazetteer"
    )
    assert code == 0
    assert "scier / task / boundary" in out
    assert "'dependency parsing -> parsing'" in out
    assert "scier / dataset / false positive" in out


def test_vocabulary_and_lexicon_are_passed_to_the_extractor(tmp_path: Path) -> None:
    vocabulary, lexicon = tmp_path / "v.ttl", tmp_path / "l.tsv"
    extractor = eval_cmds.make_extractor(f"{FAKE_MODULE}:Gazetteer", vocabulary, lexicon)
    assert isinstance(extractor, Gazetteer)
    assert extractor.options == {"vocabulary": vocabulary, "lexicon": lexicon}
    assert eval_cmds.make_extractor(f"{FAKE_MODULE}:Gazetteer", None, None).options == {}  # type: ignore[attr-defined]


def test_strict_fails_when_targets_are_missed(data_dir: Path) -> None:
    code, _, error = run("--data", str(data_dir), "--strict", "--extractor", f"{FAKE_MODULE}:Silent")
    assert code != 0
    assert isinstance(error, KgError)
    assert "targets missed for: method, dataset, metric, task" in str(error)


def test_bad_options_are_one_line_errors(data_dir: Path, tmp_path: Path) -> None:
    _, _, error = run("--data", str(data_dir), "--set", "conll", "--extractor", f"{FAKE_MODULE}:Silent")
    assert isinstance(error, UsageError)
    _, _, error = run("--data", str(tmp_path / "nowhere"), "--extractor", f"{FAKE_MODULE}:Silent")
    assert isinstance(error, KgError)
    assert "evaluation file not found" in str(error)
    _, _, error = run("--data", str(data_dir), "--extractor", "no_such_module_xyz:Extractor")
    assert isinstance(error, KgError)
    assert "cannot load the extractor" in str(error)
    _, _, error = run("--data", str(data_dir), "--extractor", f"{FAKE_MODULE}:NotAnExtractor")
    assert isinstance(error, KgError)
    assert "extract(paper)" in str(error)
    _, _, error = run("--data", str(data_dir), "--extractor", "missing-colon")
    assert isinstance(error, UsageError)


def test_kg_eval_runs_the_real_extractor_and_its_offsets_agree_with_the_text(shared_dir: Path) -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "kg", "eval", "--set", "scierc", "--json", "--data", str(shared_dir / "data")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    scierc = json.loads(result.stdout)["sets"]["scierc"]
    assert scierc["documents"] == 50
    assert scierc["offset_mismatches"] == 0
    assert scierc["micro"]["gold"] == 452
    assert scierc["micro"]["predicted"] > 0
