"""Property tests (Hypothesis): readers and extraction hold their contracts on arbitrary and mutated input.

Every reader, fed arbitrary bytes or structure-aware mutations of real samples (seed listings, API dumps, CSV, JSON
Lines, arXiv snapshot lines), yields only `Paper` and `Rejected` records and never raises. Extraction on arbitrary
Unicode never raises, and each mention's offsets slice its field back to the mention's text.

Example counts are kept small and inputs short (`settings` below), so the whole module runs in well under a minute;
`--hypothesis-seed` reproduces a failure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.ingest import FORMATS, read_file
from kg.records import Extraction, Paper, Rejected

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
API_SAMPLE = ROOT.parent / "shared" / "corpus" / "hf-daily-api" / "2024-09-03.json"

READER_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _seed_sample() -> bytes:
    """The head of a seed listing with metadata blocks ("· / date"), and one without."""
    with_meta = (ROOT / "seeds" / "003_e1c1b91a050badc5.txt").read_bytes().splitlines(keepends=True)[:40]
    plain = (ROOT / "seeds" / "000_debbf009154df580.txt").read_bytes().splitlines(keepends=True)[:24]
    return b"".join(with_meta + plain)


def _api_sample() -> bytes:
    """A real API dump when ../shared is present, else one built in its shape (objects, a repr string, "data")."""
    if API_SAMPLE.is_file():
        return API_SAMPLE.read_bytes()
    item = {
        "paper": {
            "id": "2408.16725",
            "authors": [{"name": "Zhifei Xie"}, {"name": "Changqiao Wu"}],
            "publishedAt": "2024-08-29T17:18:53.000Z",
            "title": "Mini-Omni: Language Models Can Hear",
            "summary": "Recent advances in language models.\nWe propose Mini-Omni, trained on 8 A100 GPUs.",
            "upvotes": 12,
            "githubRepo": "https://github.com/gpt-omni/mini-omni",
            "ai_keywords": ["speech", "streaming"],
        },
        "title": "Mini-Omni",
    }
    return json.dumps({"data": [item, repr(item)]}, indent=2).encode()


SAMPLES: dict[str, bytes] = {
    "listing.txt": _seed_sample(),
    "papers.csv": (FIXTURES / "papers.csv").read_bytes(),
    "papers.jsonl": (FIXTURES / "papers.jsonl").read_bytes(),
    "snapshot.jsonl": (FIXTURES / "arxiv-snapshot.jsonl").read_bytes(),
    "day.json": _api_sample(),
}

# Values that have broken readers before, or plausibly could: huge and odd numbers, odd digits, markup, nesting.
NASTY_TEXT = st.sampled_from(
    ["²", "٣", "9" * 5000, "-1", "1e999", "NaN", "\x00", "\ud800", "\r", "\r\n", '"', '""', ",", "·", "Mar 7, 2024 3",
     "\u2028", "\ufeff", " " * 300, "x" * 2000, "(" * 500, "https://github.com/a/b).", "{'paper': 1}"]
)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40) | NASTY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12) | NASTY_TEXT, inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


def _read(workdir: Path, name: str, data: bytes, fmt: str | None = None) -> list[Paper | Rejected]:
    path = workdir / name
    path.write_bytes(data)
    records = list(read_file(path, fmt))
    assert all(isinstance(record, Paper | Rejected) for record in records)
    for record in records:
        if isinstance(record, Paper):
            assert record.title and record.abstract
            assert record.provenance and record.provenance[0].file == str(path)
        else:
            assert record.file == str(path) and record.reason
    return records


# ------------------------------------------------------------------------------------------ byte mutations


def _mutate_bytes(data: bytes, draw: Callable[[Any], Any]) -> bytes:
    """A few byte-level edits: replace, insert, delete, duplicate a slice, or truncate."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(buffer)))
        action = draw(st.sampled_from(["replace", "insert", "delete", "duplicate", "truncate"]))
        piece = draw(st.binary(min_size=1, max_size=16) | NASTY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
        if action == "replace":
            buffer[at : at + len(piece)] = piece
        elif action == "insert":
            buffer[at:at] = piece
        elif action == "delete":
            del buffer[at : at + draw(st.integers(1, 64))]
        elif action == "duplicate":
            buffer[at:at] = buffer[at : at + draw(st.integers(1, 200))]
        else:
            del buffer[at:]
    return bytes(buffer)


@READER_SETTINGS
@given(data=st.binary(max_size=2048), fmt=st.sampled_from([None, *FORMATS]))
def test_every_reader_survives_arbitrary_bytes(workdir: Path, data: bytes, fmt: str | None) -> None:
    for name in ("input.txt", "input.jsonl", "input.csv", "input.json", "input.dat"):
        _read(workdir, name, data, fmt)


@READER_SETTINGS
@given(name=st.sampled_from(sorted(SAMPLES)), fmt=st.sampled_from([None, *FORMATS]), data=st.data())
def test_every_reader_survives_byte_mutations_of_real_samples(
    workdir: Path, name: str, fmt: str | None, data: st.DataObject
) -> None:
    _read(workdir, name, _mutate_bytes(SAMPLES[name], data.draw), fmt)


@READER_SETTINGS
@given(name=st.sampled_from(sorted(SAMPLES)), codec=st.sampled_from(["utf-16", "utf-16-be", "utf-32", "latin-1"]))
def test_every_reader_survives_other_encodings(workdir: Path, name: str, codec: str) -> None:
    text = SAMPLES[name].decode("utf-8")
    _read(workdir, name, text.encode(codec, errors="replace"))


# ------------------------------------------------------------------------------------- structure mutations


def _mutate_json(value: Any, draw: Callable[[Any], Any], depth: int = 0) -> Any:
    """`value` with one member somewhere replaced by an arbitrary JSON value, deleted, or given a new type."""
    if isinstance(value, dict) and value and depth < 4:
        key = draw(st.sampled_from(sorted(value)))
        action = draw(st.sampled_from(["replace", "delete", "descend", "add"]))
        changed = dict(value)
        if action == "replace":
            changed[key] = draw(JSON_VALUES)
        elif action == "delete":
            del changed[key]
        elif action == "add":
            changed[draw(st.text(max_size=12) | NASTY_TEXT)] = draw(JSON_VALUES)
        else:
            changed[key] = _mutate_json(value[key], draw, depth + 1)
        return changed
    if isinstance(value, list) and value and depth < 4:
        index = draw(st.integers(0, len(value) - 1))
        changed_list = list(value)
        changed_list[index] = _mutate_json(value[index], draw, depth + 1)
        return changed_list
    return draw(JSON_VALUES)


@READER_SETTINGS
@given(name=st.sampled_from(["papers.jsonl", "snapshot.jsonl"]), data=st.data())
def test_json_lines_readers_survive_field_mutations(workdir: Path, name: str, data: st.DataObject) -> None:
    lines = SAMPLES[name].decode("utf-8").splitlines()
    mutated = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            mutated.append(line)
            continue
        for _ in range(data.draw(st.integers(0, 3))):
            record = _mutate_json(record, data.draw)
        mutated.append(json.dumps(record, ensure_ascii=data.draw(st.booleans())))
    _read(workdir, name, "\n".join(mutated).encode("utf-8", "surrogatepass"))


@READER_SETTINGS
@given(data=st.data(), wrap=st.booleans(), as_repr=st.booleans())
def test_api_reader_survives_item_mutations(workdir: Path, data: st.DataObject, wrap: bool, as_repr: bool) -> None:
    document = json.loads(SAMPLES["day.json"])
    items = document["data"] if isinstance(document, dict) else document
    for _ in range(data.draw(st.integers(1, 4))):
        items = _mutate_json(items, data.draw)
    if as_repr and isinstance(items, list):
        items = [repr(item) for item in items]
    body = json.dumps({"data": items} if wrap else items, indent=data.draw(st.sampled_from([None, 2])))
    _read(workdir, "day.json", body.encode("utf-8", "surrogatepass"))


CSV_CELLS = st.text(max_size=30) | NASTY_TEXT | st.sampled_from(['"quoted, cell"', 'a "quote" in', '"open', 'close"'])


@READER_SETTINGS
@given(data=st.data())
def test_csv_reader_survives_cell_mutations(workdir: Path, data: st.DataObject) -> None:
    rows = [line.split(",") for line in SAMPLES["papers.csv"].decode("utf-8").split("\n")]
    for _ in range(data.draw(st.integers(1, 6))):
        row = data.draw(st.integers(0, len(rows) - 1))
        action = data.draw(st.sampled_from(["replace", "add", "drop", "duplicate_row"]))
        if action == "duplicate_row":
            rows.insert(row, list(rows[row]))
            continue
        cell = data.draw(st.integers(0, max(len(rows[row]) - 1, 0)))
        if action == "replace" and rows[row]:
            rows[row][cell] = data.draw(CSV_CELLS)
        elif action == "add":
            rows[row].insert(cell, data.draw(CSV_CELLS))
        elif rows[row]:
            del rows[row][cell]
    text = "\n".join(",".join(row) for row in rows)
    _read(workdir, "papers.csv", text.encode("utf-8", "surrogatepass"))


LISTING_LINES = st.sampled_from(
    ["", "·", "  • 8 authors", "  • 1 author", "Mar 14", "Feb 25, 2024", "Jun 3, 2024 12", "Oct 13 5", "Subscribe",
     "SubscribeTitle Glued", "new", "Daily Papers", "A Title", "An abstract sentence.", "nyu-visionx NYU VisionX",
     "Feb 30, 2024", "Mar 7, 0000 1", "Sep 99, 9999"]
) | st.text(max_size=80) | NASTY_TEXT  # fmt: skip


@READER_SETTINGS
@given(data=st.data())
def test_listing_reader_survives_line_mutations(workdir: Path, data: st.DataObject) -> None:
    lines = SAMPLES["listing.txt"].decode("utf-8").split("\n")
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "replace"]))
        if action == "insert":
            lines.insert(at, data.draw(LISTING_LINES))
        elif action == "delete":
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        else:
            lines[at] = data.draw(LISTING_LINES)
    newline = data.draw(st.sampled_from(["\n", "\r\n", "\r"]))
    _read(workdir, "listing.txt", newline.join(lines).encode("utf-8", "surrogatepass"))


# ------------------------------------------------------------------------------------------------ extraction


@pytest.fixture(scope="module")
def extractor() -> Any:
    from kg.nlp import Extractor

    return Extractor()


# Words the extraction rules react to, mixed with arbitrary text, so the components do real work on odd input.
CUE_WORDS = st.sampled_from(
    ["We", "propose", "LoRA", "Low-Rank", "Adaptation", "(", ")", "(LoRA)", "accuracy", "of", "90%", "on", "ImageNet",
     "8", "A100", "GPUs", "NVIDIA", "H100", "BLEU", "F1", "2times", "2%", "Transformer", "BERT", "dataset", "task", ":",
     ".", ",", "Mesa:", "training", "large", "language", "models", "LLMs", "state-of-the-art", "x", "±", "1.5", "%"]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(CUE_WORDS | st.text(max_size=8), max_size=60).map(" ".join),
    st.lists(CUE_WORDS | st.text(max_size=8), max_size=60).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXTS, abstract=TEXTS)
def test_extraction_never_raises_and_offsets_slice_back_to_the_mention(
    extractor: Any, title: str, abstract: str
) -> None:
    paper = Paper(key="title:x", id="x", title=title, abstract=abstract)
    extraction: Extraction = extractor.extract(paper)
    for mention in extraction.mentions:
        field = title if mention.field == "title" else abstract
        assert mention.field in ("title", "abstract")
        assert 0 <= mention.start < mention.end <= len(field)
        assert field[mention.start : mention.end] == mention.text
    for result in extraction.results:
        assert result.metric and result.value
