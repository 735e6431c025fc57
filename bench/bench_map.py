"""HTML concept map timings on the real corpus: writing the map, and opening it in Chromium, against pyvis.

    .venv/bin/python bench/bench_map.py [--store DIR] [--corpus DIR] [--top 10000] [--baseline-top 2000]
                                        [--screenshot PATH] [--skip-browser]

The store is built from ../shared/corpus/hf-daily-api by bench_query.py's builder when --store does not exist
(communities are refreshed as `kg build` does). Measured in the same run:

- read: the store's paper-concept projection, aliases and communities, and the selection (`select`);
- evidence: the evidence sentences read for the drawn concepts;
- write: from the selection to the file on disk (layout, page data, template, atomic write): the part pyvis's
  `write_html` does, and the issue's "written in under 3 s";
- end to end: `kg export --format html --top N` in-process (read + evidence + write);
- baselines, on the `--baseline-top` map (pyvis is quadratic: 10,000 nodes would take minutes): pyvis's own
  `Network.from_nx` + `write_html` on the same drawn graph, and `nx.spring_layout` of that graph against our
  community layout;
- Chromium (Debian's, through Playwright): from navigation to the first complete drawing (the map answers
  clicks from then on), then the time to redraw after a zoom, and a click that opens a panel.

Times are wall / CPU seconds; the machine is shared, so the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import networkx as nx

from kg import analytics
from kg.atomic import atomic_write_text
from kg.export import html as maps
from kg.export.layout import community_layout
from kg.store import GraphStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_query import DEFAULT_CORPUS, build_store  # the corpus store builder shared by the benches

T = TypeVar("T")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def timed(function: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def write_phase(selection: maps.MapSelection, options: maps.MapOptions, evidence: dict, path: Path) -> None:
    atomic_write_text(path, maps.render_page(maps.map_data(selection, options, evidence), options.title))


def pyvis_write(graph: nx.Graph, path: Path) -> None:
    """pyvis's own path for the same graph: from_nx (label, size) and write_html, in a scratch folder (it writes
    a lib/ folder into the working directory)."""
    from pyvis.network import Network

    network = Network(height="900px", width="100%", cdn_resources="in_line")
    plain = nx.Graph()
    plain.add_nodes_from((n, {"label": str(d.get("label", n)), "size": 10}) for n, d in graph.nodes(data=True))
    plain.add_edges_from(graph.edges())
    network.from_nx(plain)
    network.toggle_physics(False)
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        network.write_html(str(path))
    finally:
        os.chdir(cwd)


def spring_layout(graph: nx.Graph) -> object:
    """networkx's spring layout; above 500 nodes networkx switches to a sparse variant that needs scipy (not a
    dependency here), so the dense variant it uses below 500 nodes runs on the whole graph: the same algorithm."""
    try:
        return nx.spring_layout(graph, seed=0)
    except ImportError:
        from networkx.drawing.layout import _fruchterman_reingold

        return _fruchterman_reingold(nx.to_numpy_array(graph), seed=0)


def measure_write(store: GraphStore, top: int, folder: Path) -> dict[str, float]:
    options = maps.MapOptions(top=top)
    selection, read_wall, read_cpu = timed(lambda: maps.select(store.oxigraph, options))
    concepts = [n for n in selection.graph if selection.graph.nodes[n]["kind"] != "paper"]
    evidence, ev_wall, ev_cpu = timed(lambda: maps._evidence(store.oxigraph, concepts))
    path = folder / f"map-{top}.html"
    _, write_wall, write_cpu = timed(lambda: write_phase(selection, options, evidence, path))
    _, e2e_wall, e2e_cpu = timed(lambda: maps.write_map(store.oxigraph, folder / f"map-{top}-e2e.html", options))
    print(
        f"map of {selection.graph.number_of_nodes():,} nodes, {selection.graph.number_of_edges():,} edges, "
        f"{path.stat().st_size / 1e6:.1f} MB"
    )
    return {
        "read_wall": read_wall, "read_cpu": read_cpu, "evidence_wall": ev_wall, "evidence_cpu": ev_cpu,
        "write_wall": write_wall, "write_cpu": write_cpu, "e2e_wall": e2e_wall, "e2e_cpu": e2e_cpu,
        "nodes": selection.graph.number_of_nodes(), "selection": selection,  # type: ignore[dict-item]
    }  # fmt: skip


def measure_browser(path: Path, screenshot: Path | None) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        started = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=120_000)
        ready = time.perf_counter() - started
        redraw = page.evaluate(
            """() => new Promise(done => {
                const network = window.kgMap.network;
                const start = performance.now();
                network.once('afterDrawing', () => done((performance.now() - start) / 1000));
                network.moveTo({ scale: network.getScale() * 1.5 });
            })"""
        )
        started = time.perf_counter()
        page.evaluate("window.kgMap.choose(0)")
        page.locator("#panel").wait_for(state="visible")
        click = time.perf_counter() - started
        if screenshot is not None:
            page.evaluate("document.getElementById('panel-close').click(); window.kgMap.network.fit()")
            page.wait_for_timeout(800)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
        browser.close()
    return {"ready": ready, "redraw": redraw, "click": click}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=None, help="corpus store (built there if missing)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--top", type=int, default=10_000, help="concepts on the large map")
    parser.add_argument("--baseline-top", type=int, default=2_000, help="concepts on the map pyvis also writes")
    parser.add_argument("--screenshot", type=Path, default=None, help="save a screenshot of the large map here")
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-map-"))
    store_path = args.store or work / "store"
    try:
        if not (store_path / "CURRENT_VERSION").exists():
            build_store(args.corpus, store_path, "kg")
        with GraphStore.open(store_path, read_only=False) as writer:
            if not analytics.stored_communities(writer.oxigraph)[0]:
                analytics.refresh_communities(writer)
        print(f"load average before: {load()}")
        with GraphStore.open(store_path) as store:
            small = measure_write(store, args.baseline_top, work)
            large = measure_write(store, args.top, work)
        graph = small["selection"].graph  # type: ignore[attr-defined]
        (work / "pyvis").mkdir(exist_ok=True)
        _, pyvis_wall, pyvis_cpu = timed(lambda: pyvis_write(graph, work / "pyvis" / "map.html"))
        community = {n: small["selection"].community_of.get(n) for n in graph}  # type: ignore[attr-defined]
        _, ours_layout_wall, _ = timed(lambda: community_layout(graph, community))
        _, spring_wall, spring_cpu = timed(lambda: spring_layout(graph))

        print(f"\n| measurement | {args.baseline_top:,} concepts | {args.top:,} concepts |")
        print("|---|---|---|")
        for name, key in (("read store + select", "read"), ("evidence sentences", "evidence"),
                          ("write (layout, page, file)", "write"), ("end to end", "e2e")):  # fmt: skip
            print(
                f"| {name} | {small[key + '_wall']:.2f} s / {small[key + '_cpu']:.2f} s CPU "
                f"| {large[key + '_wall']:.2f} s / {large[key + '_cpu']:.2f} s CPU |"
            )
        print(f"\nbaselines on the {small['nodes']:,}-node map (same run):")
        print(f"- pyvis from_nx + write_html: {pyvis_wall:.2f} s / {pyvis_cpu:.2f} s CPU; ours (write): "
              f"{small['write_wall']:.2f} s -> {pyvis_wall / small['write_wall']:.1f}x faster")  # fmt: skip
        print(f"- nx.spring_layout: {spring_wall:.2f} s / {spring_cpu:.2f} s CPU; community layout: "
              f"{ours_layout_wall:.2f} s -> {spring_wall / ours_layout_wall:.1f}x faster")  # fmt: skip
        if not args.skip_browser:
            for label, top in ((f"{args.baseline_top:,}", args.baseline_top), (f"{args.top:,}", args.top)):
                shot = args.screenshot if top == args.top else None
                browser = measure_browser(work / f"map-{top}.html", shot)
                print(
                    f"- Chromium, {label} concepts: drawn and interactive {browser['ready']:.2f} s after navigation; "
                    f"redraw after zoom {browser['redraw'] * 1000:.0f} ms; panel open {browser['click'] * 1000:.0f} ms"
                )
        print(f"\nload average after: {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
