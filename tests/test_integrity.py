"""Integrity: after a build over a folder of good and hostile files, every input record is in the store or in the
rejects report, exactly once, counted file by file (issue 13, "Make it systematic")."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kg.pipeline import BuildReport, build
from kg.query import run_query
from kg.store import GraphStore

GOOD = {"title": "A Good Paper", "abstract": "We propose FooNet and evaluate it on ImageNet with 8 A100 GPUs."}
SEED_LISTINGS = 429  # README: the seeds hold 429 listing records of 401 distinct papers

Location = tuple[str, int | None]


def _line(record: object) -> str:
    return record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)


def _write_inputs(folder: Path, seeds_dir: Path) -> dict[Location, str]:
    """Write the mixed folder; returns each input record's (file, line) -> "store" or "reject" (what must happen
    to it), with line None for a file that is one record as a whole (it is rejected whole)."""
    expected: dict[Location, str] = {}

    def lines(name: str, records: list[tuple[object, str]], encoding: str = "utf-8") -> None:
        path = folder / name
        path.write_bytes("".join(_line(r) + "\n" for r, _ in records).encode(encoding, "surrogatepass"))
        for number, (_, outcome) in enumerate(records, start=1):
            expected[(str(path), number)] = outcome

    lines(
        "hostile.jsonl",
        [
            (GOOD, "store"),
            (GOOD | {"title": "Odd Upvotes", "upvotes": "²"}, "store"),
            ('{"title": "Huge Upvotes", "abstract": "We use BERT.", "upvotes": ' + "9" * 5000 + "}", "store"),
            ('{"title": "broken", "abstract": ', "reject"),
            ({"title": "Only A Title"}, "reject"),
            ({"title": "Too Long", "abstract": "accuracy of 90% on ImageNet " * 40_000}, "reject"),
            ("[1, 2, 3]", "reject"),
            ('{"title": "Nul\x00Inside", "abstract": "x."}', "reject"),
            ({"title": "\x08", "abstract": "A title of control characters only."}, "reject"),
            ({"title": "Nested", "abstract": "Deep."} | {"x": json.loads("[" * 50 + "]" * 50)}, "store"),
        ],
    )
    lines("wide.jsonl", [(GOOD | {"title": "Über UTF-16"}, "store"), (GOOD | {"title": "Zweite"}, "store")], "utf-16")
    (folder / "latin1.jsonl").write_bytes(json.dumps(GOOD).encode() + b'\n{"title": "Caf\xe9", "abstract": "x."}\n')
    expected[(str(folder / "latin1.jsonl"), 1)] = "store"
    expected[(str(folder / "latin1.jsonl"), 2)] = "reject"

    csv_path = folder / "table.csv"
    big = "word " * 28_000  # 140,000 characters: past csv's default field limit, and past the record limit
    csv_path.write_text(
        "title,abstract,upvotes\n"  # line 1: the header, not a record
        "Csv One,We use BERT on GLUE.,²\n"  # 2
        f'Csv Big,"{big}\nstill the same cell",3\n'  # 3-4: one record, too long
        "Csv Two,We use GPT-4.,7\n"  # 5
        "Csv Wide,An abstract.,1,extra\n"  # 6
        'Csv Open,"never closed\nCsv Lost,swallowed by the open quote,1\n'  # 7-8: one record
    )
    for number, outcome in ((2, "store"), (3, "reject"), (5, "store"), (6, "reject"), (7, "reject")):
        expected[(str(csv_path), number)] = outcome

    (folder / "mac.txt").write_bytes(b"Mac Title One\rWe propose FooNet for things.\rMac Title Two\rWe use BERT.\r")
    expected[(str(folder / "mac.txt"), 1)] = expected[(str(folder / "mac.txt"), 3)] = "store"

    (folder / "day.json").write_text(
        "[\n"
        '{"paper": {"id": "2401.00001", "title": "Api One", "summary": "We use ResNet.", "upvotes": %s}},\n'
        "\"{'paper': {'id': '2401.00002', 'title': 'Api Repr', 'summary': 'We use ViT.'}}\",\n"
        '{"paper": {"title": "Api No Abstract"}}\n'
        "]\n" % ("9" * 5000)
    )
    for number, outcome in ((2, "store"), (3, "store"), (4, "reject")):
        expected[(str(folder / "day.json"), number)] = outcome

    shutil.copytree(seeds_dir, folder / "seeds")  # 429 listings, every one stored

    with open(os.path.join(os.fsencode(folder), b"caf\xe9.jsonl"), "wb") as handle:
        handle.write(json.dumps(GOOD | {"title": "Non UTF-8 File Name"}).encode() + b"\n{broken\n")
    expected[(f"{folder}/caf\\xe9.jsonl", 1)] = "store"  # its name is in the IRI digest of its listing
    expected[(f"{folder}/caf\\xe9.jsonl", 2)] = "reject"  # and in the rejects report

    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "empty.txt").write_text("")
    (folder / "notes.md").write_text("# Notes\nnothing to see\n")
    (folder / "dangling.jsonl").symlink_to(folder / "absent.jsonl")
    os.mkfifo(folder / "pipe.jsonl")
    for name in ("image.png", "empty.txt", "notes.md", "dangling.jsonl", "pipe.jsonl"):
        expected[(str(folder / name), None)] = "reject"
    return expected


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> tuple[dict[Location, str], BuildReport, Path]:
    work = tmp_path_factory.mktemp("integrity")
    folder = work / "in"
    folder.mkdir()
    expected = _write_inputs(folder, seeds_dir)
    report = build([folder], store_path=work / "store", exports_dir=work / "out", export_formats=())
    return expected, report, work


def _stored(store_path: Path) -> Counter[Location]:
    query = "SELECT ?file ?line WHERE { ?l a kg:Listing ; kg:sourceFile ?file ; kg:sourceLine ?line }"
    with GraphStore.open(store_path) as store:
        rows = run_query(store.oxigraph, query).rows
    return Counter((row["file"], row["line"]) for row in rows)


def test_every_record_is_stored_or_rejected_exactly_once(built: tuple[dict[Location, str], BuildReport, Path]) -> None:
    expected, report, work = built
    stored = _stored(work / "store")
    rejected = Counter(
        (r["file"], r["line"]) for r in json.loads((work / "out" / "rejects.json").read_text())["rejected"]
    )
    assert max(stored.values()) == 1 and max(rejected.values()) == 1
    assert not set(stored) & set(rejected)
    seeds = {loc for loc in stored if "/seeds/" in loc[0]}
    assert len(seeds) == SEED_LISTINGS
    outcome = {loc: "store" for loc in set(stored) - seeds} | {loc: "reject" for loc in rejected}
    assert outcome == expected
    assert len(stored) + len(rejected) == len(expected) + SEED_LISTINGS == report.listings + len(report.rejected)


def test_the_report_counts_match_the_build_summary(built: tuple[dict[Location, str], BuildReport, Path]) -> None:
    _, report, work = built
    document = json.loads((work / "out" / "rejects.json").read_text())
    assert document["count"] == len(report.rejected) == sum(document["by_reason"].values())
    assert report.files == 15  # every regular file; the link and the FIFO are rejected without being read
