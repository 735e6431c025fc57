"""`/map` on `kg serve`: the concept map fetched from the real server, self-contained and drawing what the request
asks for, from the version served, without writing the store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.analytics.corpus import papers
from test_map_html import data_of
from test_serve import http, running_server

from kg import analytics
from kg.store import GraphStore


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve-map") / "store"
    with GraphStore.open(path, read_only=False) as writer:
        writer.add(papers())
        analytics.refresh_communities(writer)
    return path


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[str]:
    with running_server(store) as base:
        yield base


def test_the_map_is_served_as_one_self_contained_page(server: str) -> None:
    status, content_type, page = http(server + "/map")
    assert status == 200 and content_type.startswith("text/html")
    assert not re.search(r"<script[^>]*\bsrc=", page, re.IGNORECASE)  # no script from anywhere
    assert not re.search(r"<link\b", page, re.IGNORECASE)  # no stylesheet from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page, re.IGNORECASE)
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert "vis.Network" in page  # the bundle is inlined, not fetched
    assert data_of(page)["info"]  # concepts drawn


def test_type_top_and_min_papers_choose_what_is_drawn(server: str) -> None:
    everything = data_of(http(server + "/map")[2])["info"]
    methods = [row for row in everything if row["kind"] == "method"]
    assert len(methods) > 2 and len(methods) < len(everything)

    status, _, page = http(server + "/map?type=method&top=2")
    assert status == 200
    drawn = data_of(page)["info"]
    assert len(drawn) == 2 and {row["kind"] for row in drawn} == {"method"}

    status, _, page = http(server + "/map?type=method,dataset&min-papers=2")
    assert status == 200
    drawn = data_of(page)["info"]
    assert drawn and {row["kind"] for row in drawn} <= {"method", "dataset"}
    assert all(row["papers"] >= 2 for row in drawn)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("type=gadget", "unknown concept type gadget"),
        ("top=0", "at least 1"),
        ("top=many", "top must be a whole number"),
        ("query=/etc/passwd", "unknown map parameter query"),
    ],
)
def test_bad_parameters_get_400_with_one_line(server: str, query: str, message: str) -> None:
    status, _, body = http(f"{server}/map?{query}")
    assert status == 400
    assert message in body and body.count("\n") == 1


def test_serving_the_map_never_writes_the_store(server: str, store: Path) -> None:
    before = (store / "CURRENT_VERSION").read_text()
    assert http(server + "/map?top=3")[0] == 200
    assert (store / "CURRENT_VERSION").read_text() == before
    with GraphStore.open(store) as reader:  # the server holds no writer lock
        assert reader.stats()["papers"] == len(papers())
