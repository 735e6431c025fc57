"""The corpus build at scale: wall time, papers/s, peak memory and where the time goes.

    python bench/bench_build.py [--corpus DIR] [--sizes 2500,5000,10000,50000] [--skip-baseline]
                                [--skip-scaling] [--skip-validate]

Each build runs in a fresh child process (as `kg build` would), while this process samples the resident memory
of the child and its workers every 0.1 s: "peak RSS" is the largest sum over the whole process tree, "largest"
the largest single process.

- corpus build: `build()` with the default settings on the corpus (9,752 papers), and the per-phase table;
  baseline in the same run: the same build with `n_process=1` (no worker processes, everything in turn);
- incremental add: one new daily file (the corpus's last file with new ids and titles: new papers) added to the
  corpus store with exports off;
- scaling: builds of 2.5k, 5k, 10k papers (the corpus's first files) and 50k (the corpus replicated with new
  arXiv ids and titles), each into a new store: seconds per 1,000 papers and peak MiB per 1,000 papers;
- `kg validate` on the corpus store: the SPARQL engine; baseline: pySHACL on an in-memory copy (minutes, GBs).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "hf-daily-api"


def child_build(args: list[str]) -> None:
    """Run in the child: one build, then its report as JSON on stdout."""
    from kg.pipeline import build

    paths, store, n_process = [Path(p) for p in args[0].split(os.pathsep)], Path(args[1]), args[2]
    start = time.perf_counter()
    report = build(paths, store_path=store, exports_dir=store.parent / "exports", n_process=int(n_process) or None)
    wall = time.perf_counter() - start
    added = report.added
    print(
        json.dumps(
            {
                "wall": wall,
                "papers": report.papers,
                "new": added.papers_new if added else 0,
                "triples": report.triples_after,
                "phases": report.phases,
                "workers": report.workers,
            }
        )
    )


def child_validate(args: list[str]) -> None:
    from kg.store import GraphStore
    from kg.validate import validate_store

    start = time.perf_counter()
    with GraphStore.open(Path(args[0])) as store:
        report = validate_store(store, args[1])
    print(json.dumps({"wall": time.perf_counter() - start, "violations": len(report.violations)}))


def measured(mode: str, *args: str) -> dict:
    """Run this script in `mode` in a child process; its JSON result plus the wall and peak RSS seen from here."""
    command = [sys.executable, __file__, f"--child-{mode}", *args]
    start = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    peak_tree = peak_single = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            sizes = [p.memory_info().rss for p in tree]
        except psutil.Error:
            sizes = []
        peak_tree = max(peak_tree, sum(sizes))
        peak_single = max([peak_single, *sizes])
        time.sleep(0.1)
    out = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise SystemExit(f"{mode} {args} failed with exit code {process.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(outer_wall=time.perf_counter() - start, peak_tree_mib=peak_tree / 2**20, peak_mib=peak_single / 2**20)
    return result


def replicate(corpus: Path, target: Path, copies: int) -> None:
    """The corpus `copies` times: copy k gets arXiv ids with the year digits replaced (k + 30) and titles
    suffixed, so that every copy is new papers."""
    target.mkdir(parents=True)
    for k in range(copies):
        for path in sorted(corpus.glob("*.json")):
            data = _renamed(path, 30 + k, f"copy {k}") if k else json.loads(path.read_text(encoding="utf-8"))
            (target / f"{k}-{path.name}").write_text(json.dumps(data), encoding="utf-8")


def _renamed(path: Path, year: int, suffix: str) -> list[object]:
    """The listings of an API dump file as new papers: the arXiv id's year digits replaced, titles suffixed."""
    data = [_record(item) for item in json.loads(path.read_text(encoding="utf-8"))]
    for item in data:
        if not isinstance(item, dict):
            continue
        paper = item.get("paper", item)
        paper["id"] = f"{year}{paper['id'][2:]}"
        paper["title"] = f"{paper['title']} ({suffix})"
        if "title" in item:
            item["title"] = paper["title"]
    return data


def _record(item: object) -> object:
    """A listing of the API dump: an object, or its Python repr as a string (some files hold those); an item
    that is neither stays as it is (the reader rejects it, in every copy alike)."""
    if isinstance(item, str):
        try:
            return ast.literal_eval(item)
        except (ValueError, SyntaxError):
            return item
    return item


def first_files(corpus: Path, papers: int) -> list[Path]:
    """The corpus's first files holding at least `papers` listings."""
    chosen, count = [], 0
    for path in sorted(corpus.glob("*.json")):
        if count >= papers:
            break
        chosen.append(path)
        count += len(json.loads(path.read_text(encoding="utf-8")))
    return chosen


def new_daily_file(corpus: Path, target: Path) -> Path:
    data = _renamed(sorted(corpus.glob("*.json"))[-1], 39, "next day")
    out = target / "next-day.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def phase_table(phases: list[list]) -> None:
    total = sum(seconds for _, seconds in phases)
    print(f"  {'phase':38} {'seconds':>8} {'share':>6}")
    for name, seconds in phases:
        print(f"  {name:38} {seconds:8.1f} {seconds / total:6.0%}")


def build_line(name: str, result: dict) -> None:
    rate = result["papers"] / result["wall"]
    print(
        f"{name:34} {result['wall']:7.1f} s {rate:7.0f} papers/s  peak {result['peak_tree_mib']:6.0f} MiB "
        f"(largest process {result['peak_mib']:4.0f})  {result['triples']:,} triples  [{result['workers']}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", default="2500,5000,10000,50000", help="scaling points, in papers")
    parser.add_argument("--skip-baseline", action="store_true", help="no n_process=1 build, no pySHACL run")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--skip-validate", action="store_true")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    work = Path(tempfile.mkdtemp(prefix="kg-bench-build-"))
    try:
        corpus_store = work / "corpus" / "store"
        result = measured("build", str(args.corpus), str(corpus_store), "0")
        build_line("corpus build (default settings)", result)
        phase_table(result["phases"])
        if not args.skip_baseline:
            baseline = measured("build", str(args.corpus), str(work / "serial" / "store"), "1")
            build_line("baseline: n_process=1", baseline)
            phase_table(baseline["phases"])
            print(f"  speed-up of the default build: {baseline['wall'] / result['wall']:.2f}x")
            shutil.rmtree(work / "serial")
        daily = new_daily_file(args.corpus, work)
        added = measured("build", str(daily), str(corpus_store), "0")
        print(f"incremental add of one daily file ({added['new']} new papers): {added['wall']:.1f} s in the build, "
              f"{added['outer_wall']:.1f} s with start-up, peak {added['peak_tree_mib']:.0f} MiB")  # fmt: skip
        if not args.skip_validate:
            checked = measured("validate", str(corpus_store), "sparql")
            print(f"kg validate (sparql): {checked['wall']:.1f} s, peak {checked['peak_tree_mib']:.0f} MiB, "
                  f"{checked['violations']} violation(s)")  # fmt: skip
            if not args.skip_baseline:
                reference = measured("validate", str(corpus_store), "pyshacl")
                ratio = reference["wall"] / checked["wall"]
                print(f"baseline: pySHACL: {reference['wall']:.1f} s, peak {reference['peak_tree_mib']:.0f} MiB, "
                      f"{reference['violations']} violation(s); speed-up {ratio:.1f}x")  # fmt: skip
        if not args.skip_scaling:
            print(f"{'papers':>8} {'wall s':>8} {'s/1k papers':>12} {'peak MiB':>9} {'MiB/1k papers':>14}")
            for size in (int(s) for s in args.sizes.split(",")):
                if size <= 10_000:
                    files = first_files(args.corpus, size)
                    inputs = os.pathsep.join(map(str, files))
                else:
                    replicate(args.corpus, work / f"x{size}", -(-size // 9752))
                    inputs = str(work / f"x{size}")
                point = measured("build", inputs, str(work / f"s{size}" / "store"), "0")
                per = point["papers"] / 1000
                print(f"{point['papers']:8} {point['wall']:8.1f} {point['wall'] / per:12.2f} "
                      f"{point['peak_tree_mib']:9.0f} {point['peak_tree_mib'] / per:14.1f}")  # fmt: skip
                shutil.rmtree(work / f"s{size}")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-build":
        child_build(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-validate":
        child_validate(sys.argv[2:])
    else:
        main()
