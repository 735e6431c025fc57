"""The HTML concept map: self-contained, escaped, deterministic, and drawing what the selection options ask for.

What the page does in a real browser is checked in test_map_browser.py; these tests read the page as text.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fixtures.analytics.corpus import XSS_TITLES, hostile, papers

from kg import analytics
from kg.errors import UsageError
from kg.export import export
from kg.export.html import DEFAULT_TOP, MapOptions, json_for_script, render_map, safe_url
from kg.pipeline import DEFAULT_EXPORT_FORMATS
from kg.store import GraphStore

DATA_BLOCK = re.compile(r'<script type="application/json" id="kg-map-data">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    path = tmp_path_factory.mktemp("map") / "store"
    with GraphStore.open(path, read_only=False) as writer:
        writer.add(papers() + hostile())
        analytics.refresh_communities(writer)
    with GraphStore.open(path) as reader:
        yield reader


@pytest.fixture(scope="module")
def page(store: GraphStore) -> str:
    return render_map(store.oxigraph)


def data_of(page: str) -> dict[str, Any]:
    (block,) = DATA_BLOCK.findall(page)
    return json.loads(block)


def drawn(page: str, kind: str | None = None) -> list[str]:
    return sorted(r["label"] for r in data_of(page)["info"] if kind is None or r["kind"] == kind)


def render(store: GraphStore, **options: Any) -> str:
    return render_map(store.oxigraph, MapOptions(**options))


# ------------------------------------------------------------------------------------------ self-contained


def test_the_page_loads_nothing_from_anywhere(page: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc=", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page, re.IGNORECASE)
    assert "sourceMappingURL" not in page
    assert "vis.Network" in page  # the vis-network bundle from the pyvis wheel is inlined


def test_a_content_security_policy_allows_only_the_pages_own_scripts_and_no_network(page: str) -> None:
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert (
        "default-src 'none'" in policy
        and "connect-src 'none'" in policy
        and "unsafe-inline" not in policy.split("style-src")[0]
    )
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


# ---------------------------------------------------------------------------------------------- escaping


def test_hostile_titles_stay_text_inside_the_data_block(page: str) -> None:
    for title in XSS_TITLES:
        assert title not in page
    assert "<img" not in page.lower()
    assert page.count("</script>") == 3  # the data block, vis-network and the page's script
    titles = [row[0] for row in data_of(page)["papers"]]
    assert set(XSS_TITLES) <= set(titles)


def test_only_http_and_https_urls_are_kept_as_links(page: str) -> None:
    urls = {url for row in data_of(page)["papers"] for url in row[2:] if url is not None}
    assert urls and all(url.startswith(("https://", "http://")) for url in urls)
    (block,) = DATA_BLOCK.findall(page)
    assert "javascript:" not in block.lower() and "data:text/html" not in block
    for bad in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "//evil.example/x", "https://a\"b",
                "https://x.org/<script>", "ftp://x.org/", None):  # fmt: skip
        assert safe_url(bad) is None
    assert safe_url("https://arxiv.org/abs/2401.00001") == "https://arxiv.org/abs/2401.00001"


def test_json_for_script_escapes_everything_that_could_end_the_block() -> None:
    text = json_for_script({"t": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": "</script><!-- & \u2028"}


def test_the_page_title_is_escaped(store: GraphStore) -> None:
    page = render(store, title="<b>maps</b> & more")
    assert "<title>&lt;b&gt;maps&lt;/b&gt; &amp; more</title>" in page


# -------------------------------------------------------------------------------------------- what it shows


def test_concepts_carry_type_community_papers_and_evidence(page: str) -> None:
    data = data_of(page)
    cnn = next(r for r in data["info"] if r["label"] == "CNN")
    assert cnn["kind"] == "method" and cnn["papers"] == 5 and cnn["aliases"] == ["convolutional neural network"]
    assert cnn["community"] in {c["iri"] for c in data["communities"]}
    titles = [data["papers"][p][0] for p in cnn["p"]]
    assert titles[:3] == ["Transfer from ImageNet to CIFAR-10 with CNNs", *reversed(XSS_TITLES)]  # newest first
    assert len(cnn["ev"]) == 3 and all(ev[2] == "CNN" and "CNN" in ev[1] for ev in cnn["ev"])
    assert data["colorBy"] == "community" and len(data["communities"]) == 2
    assert {t["kind"] for t in data["types"]} == {"method", "dataset", "metric"}
    nodes = {n["label"]: n for n in data["nodes"]}
    assert nodes["CNN"]["shape"] == "dot" and nodes["ImageNet"]["shape"] == "square"
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert data["options"]["physics"]["enabled"] is False


def test_the_same_store_gives_the_same_page(store: GraphStore, page: str) -> None:
    assert render_map(store.oxigraph) == page


def test_the_default_map_is_the_top_concepts_and_html_is_a_default_export() -> None:
    assert MapOptions().effective_top == DEFAULT_TOP
    assert MapOptions(concept="LoRA").effective_top is None
    assert "html" in DEFAULT_EXPORT_FORMATS


# --------------------------------------------------------------------------------------------- selection


def test_type_selection_draws_only_those_types(store: GraphStore) -> None:
    assert drawn(render(store, types=("dataset",))) == ["CIFAR-10", "GLUE", "ImageNet"]


def test_an_ego_network_grows_with_depth(store: GraphStore) -> None:
    assert drawn(render(store, concept="lstm")) == ["LSTM", "perplexity"]
    assert drawn(render(store, concept="LSTM", depth=2)) == ["BERT", "GLUE", "LSTM", "Transformer", "perplexity"]


def test_top_and_min_papers_keep_the_concepts_with_most_papers(store: GraphStore) -> None:
    assert drawn(render(store, top=2)) == ["CNN", "accuracy"]  # CNN 5 papers (with the hostile ones), accuracy 4
    assert drawn(render(store, min_papers=4)) == ["CNN", "ImageNet", "Transformer", "accuracy", "perplexity"]


def test_a_select_or_construct_query_picks_the_nodes(store: GraphStore) -> None:
    select = "SELECT ?c WHERE { ?c skos:prefLabel ?l FILTER(?l IN ('BERT', 'GLUE')) }"
    assert drawn(render(store, query=select)) == ["BERT", "GLUE"]
    construct = "CONSTRUCT { ?c a kg:Metric } WHERE { ?c a kg:Metric }"
    assert drawn(render(store, query=construct)) == ["accuracy", "perplexity"]
    with pytest.raises(UsageError, match="ASK"):
        render(store, query="ASK { ?s ?p ?o }")
    with pytest.raises(UsageError, match="empty"):
        render(store, query="SELECT ?c WHERE { ?c a kg:Hardware }")


def test_papers_are_drawn_only_when_asked(store: GraphStore) -> None:
    page = render(store, concept="LSTM", papers=True)
    assert drawn(page, "paper") == [
        "Distilling BERT: GLUE scores and perplexity",
        "LSTM language models and their perplexity",
        "Scaling BERT-style Transformers lowers perplexity",
        "Transformer language models: GLUE and perplexity",
    ]
    data = data_of(page)
    kinds = {r["kind"] for r in data["info"]}
    assert kinds == {"method", "metric", "paper"}
    assert len(data["edges"]) == 5  # each paper to the drawn concepts it names: P9 twice, P5 P6 P7 once


def test_bad_options_are_usage_errors(store: GraphStore) -> None:
    with pytest.raises(UsageError, match="unknown concept type"):
        render(store, types=("model",))
    with pytest.raises(UsageError, match="no concept"):
        render(store, concept="Attention")
    with pytest.raises(UsageError, match="map options"):
        export(store.oxigraph, "ttl", Path("/nonexistent/x.ttl"), map_options=MapOptions())


def test_export_writes_the_map_atomically(store: GraphStore, tmp_path: Path) -> None:
    path = export(store.oxigraph, "html", tmp_path / "map.html", map_options=MapOptions(types=("metric",)))
    assert drawn(path.read_text(encoding="utf-8")) == ["accuracy", "perplexity"]
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]
