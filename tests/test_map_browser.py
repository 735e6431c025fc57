"""The seeds' concept map in a real Chromium, offline: it draws, searches, opens panels and runs no injected script.

Debian's `chromium` is driven by Playwright through `executable_path`; no browser is ever downloaded. The map is
built by `kg build`'s own pipeline from seeds/ plus two papers whose titles are script injections, and opened from
a file with every non-file request aborted (and recorded, to prove none was made). Screenshots are written to
test-artifacts/ (ignored by git) for a person to look at.

Without chromium these tests fail: set KG_SKIP_BROWSER_TESTS=1 to skip them on purpose.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kg.pipeline import build

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
XSS_TITLES = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>")


def chromium_path() -> str:
    found = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("KG_SKIP_BROWSER_TESTS") == "1":
        pytest.skip("KG_SKIP_BROWSER_TESTS=1: browser tests skipped on purpose")
    pytest.fail("chromium is not installed (apt-get install chromium); set KG_SKIP_BROWSER_TESTS=1 to skip on purpose")


@pytest.fixture(scope="module")
def seeds_map(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """exports/kg.html of a build of seeds/ and the hostile papers, as `kg build` writes it."""
    work = tmp_path_factory.mktemp("seeds-map")
    hostile = work / "hostile.jsonl"
    abstract = "We fine-tune large language models with LoRA (Low-Rank Adaptation) and report accuracy on GLUE."
    hostile.write_text(
        "".join(
            json.dumps({"id": f"xss-{i}", "title": title, "abstract": abstract, "date": "2026-01-0" + str(i + 1),
                        "url": "javascript:alert(1)"}) + "\n"
            for i, title in enumerate(XSS_TITLES)
        ),
        encoding="utf-8",
    )  # fmt: skip
    report = build(
        [seeds_dir, hostile], store_path=work / "store", exports_dir=work / "exports", export_formats=("html",)
    )
    (path,) = report.exports
    assert path == work / "exports" / "kg.html"
    return path


@dataclass
class Session:
    page: Any
    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def open_map(browser: Any, path: Path) -> Session:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    session = Session(page)
    page.on("console", lambda m: m.type in ("error", "warning") and session.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda error: session.console.append(f"pageerror: {error}"))
    page.on("dialog", lambda dialog: (session.dialogs.append(dialog.message), dialog.dismiss()))

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            session.requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    return session


@pytest.fixture
def session(browser: Any, seeds_map: Path) -> Iterator[Session]:
    opened = open_map(browser, seeds_map)
    yield opened
    opened.page.close()


def drawn_pixels(page: Any) -> int:
    """Pixels of the map's canvas that are not background."""
    return page.evaluate(
        """() => {
            const canvas = document.querySelector('#map canvas');
            const ctx = canvas.getContext('2d');
            const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let inked = 0;
            for (let i = 0; i < pixels.length; i += 4) {
                if (pixels[i + 3] > 0 && (pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235)) inked += 1;
            }
            return inked;
        }"""
    )


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def test_the_map_draws_nodes_offline_with_no_console_errors_and_no_requests(session: Session) -> None:
    page = session.page
    assert page.evaluate("window.kgMap.nodes.length") >= 100
    assert drawn_pixels(page) > 20_000
    assert page.locator("#summary").inner_text().startswith("300 concepts of ")
    screenshot(page, "seeds-map.png")
    assert session.console == []
    assert session.requests == []


def test_search_finds_lora_and_opens_its_panel_with_papers(session: Session) -> None:
    page = session.page
    page.fill("#search-input", "lora")
    first = page.locator("#search-results li").first
    first.wait_for()
    assert first.inner_text().startswith("LoRA")
    page.keyboard.press("Enter")
    page.locator("#panel").wait_for(state="visible")
    assert page.locator("#panel h2").inner_text() == "LoRA"
    assert page.locator("#panel .papers li").count() >= 10
    assert page.locator("#panel blockquote mark").count() >= 1  # evidence with the mention highlighted
    screenshot(page, "seeds-map-lora.png")
    assert session.console == [] and session.dialogs == []


def test_clicking_a_concept_opens_its_panel_and_highlights_its_neighbours(session: Session) -> None:
    page = session.page
    node, x, y = page.evaluate(
        """() => {
            const m = window.kgMap;
            const id = m.info.findIndex(r => r.label === 'Transformer');
            const p = m.network.canvasToDOM(m.network.getPosition(id));
            const box = document.getElementById('map').getBoundingClientRect();
            return [id, box.left + p.x, box.top + p.y];
        }"""
    )
    page.mouse.click(x, y)
    page.locator("#panel").wait_for(state="visible")
    assert page.locator("#panel h2").inner_text() == "Transformer"
    assert page.locator("#panel .papers li").count() >= 10
    assert page.evaluate("window.kgMap.network.getSelectedNodes()") == [node]
    neighbours = page.locator("#panel .neighbours button").count()
    assert neighbours >= 1
    faded = page.evaluate("window.kgMap.nodes.get().filter(n => String(n.color).startsWith('rgba')).length")
    assert faded == page.evaluate("window.kgMap.nodes.length") - neighbours - 1
    page.click("#panel-close")
    assert page.locator("#panel").is_hidden()


def test_injected_titles_show_as_text_and_run_nothing(session: Session) -> None:
    page = session.page
    page.evaluate("window.kgMap.choose(window.kgMap.info.findIndex(r => r.label === 'LoRA'))")
    titles = page.locator("#panel .paper-title").all_inner_texts()
    assert set(XSS_TITLES) <= set(titles)
    links = page.locator("#panel a").evaluate_all("links => links.map(a => a.href)")
    assert links and all(link.startswith(("https://", "http://")) for link in links)
    page.wait_for_timeout(300)
    assert session.dialogs == [] and session.console == []
    assert page.locator("img").count() == 0


def test_paper_nodes_with_injected_titles_can_be_searched_and_opened_safely(
    browser: Any, seeds_map: Path, tmp_path: Path
) -> None:
    from kg.api import open as open_graph

    with open_graph(seeds_map.parent.parent / "store") as graph:
        page_text = graph.concept_map(concept="LoRA", papers=True)
    path = tmp_path / "lora-papers.html"
    path.write_text(page_text, encoding="utf-8")
    opened = open_map(browser, path)
    page = opened.page
    for title in XSS_TITLES:
        page.fill("#search-input", title[:12])
        page.locator("#search-results li").first.wait_for()
        page.keyboard.press("Enter")
        page.locator("#panel").wait_for(state="visible")
        assert page.locator("#panel h2").inner_text() == title
    page.wait_for_timeout(300)
    assert opened.dialogs == [] and opened.console == [] and opened.requests == []
    page.close()


def test_filters_hide_types_and_small_concepts(session: Session) -> None:
    page = session.page
    total = page.evaluate("window.kgMap.nodes.length")
    page.locator("#type-legend input").first.uncheck()  # methods
    hidden = page.evaluate("window.kgMap.nodes.get().filter(n => n.hidden).length")
    methods = page.evaluate("window.kgMap.info.filter(r => r.kind === 'method').length")
    assert hidden == methods
    page.click("#reset-filters")
    page.fill("#min-papers", "10")
    page.dispatch_event("#min-papers", "change")
    big = page.evaluate("window.kgMap.info.filter(r => r.papers >= 10).length")
    assert page.evaluate("window.kgMap.nodes.get().filter(n => !n.hidden).length") == big < total
    assert session.console == []
