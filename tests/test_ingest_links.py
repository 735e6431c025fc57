"""Cleaning URLs out of abstracts and mapping them to GitHub repositories."""

from __future__ import annotations

import pytest

from kg.ingest.links import clean_url, find_urls, links_and_repositories, repository_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Code is available at https://github.com/ziplab/Mesa.", ["https://github.com/ziplab/Mesa"]),
        ("see (https://github.com/a/b) for code", ["https://github.com/a/b"]),
        ("clone https://github.com/wgcban/mix-bt.git now", ["https://github.com/wgcban/mix-bt"]),
        ("at https://github.com/x/y.git.", ["https://github.com/x/y"]),
        ("code (https://github.com/nachifur/RDDM).", ["https://github.com/nachifur/RDDM"]),
        ("wiki https://en.wikipedia.org/wiki/Foo_(bar), ok", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("\\url{https://github.com/bytedance/SALMONN/}.", ["https://github.com/bytedance/SALMONN/"]),
        (
            "[GitHub](https://github.com/fighting-Zhang/StrandDesigner).",
            ["https://github.com/fighting-Zhang/StrandDesigner"],
        ),
        ("Codehttps://github.com/black-forest-labs/flux model", ["https://github.com/black-forest-labs/flux"]),
        ("see github.com/openai/mle-bench/ and", ["https://github.com/openai/mle-bench/"]),
        ('href="https://x.github.io/p/">this', ["https://x.github.io/p/"]),
        ("no urls here, just github and http words", []),
    ],
)
def test_find_urls_strips_prose_around_urls(text: str, expected: list[str]) -> None:
    assert find_urls(text) == expected


@pytest.mark.parametrize(
    ("url", "repository"),
    [
        ("https://github.com/ziplab/Mesa", "https://github.com/ziplab/Mesa"),
        ("https://github.com/CLAIRE-Labo/StructuredFFN/tree/main", "https://github.com/CLAIRE-Labo/StructuredFFN"),
        ("https://github.com/a/b/blob/main/README.md", "https://github.com/a/b"),
        ("http://www.github.com/Owner/Repo.git", "https://github.com/Owner/Repo"),
        ("github.com/x/y", "https://github.com/x/y"),
        ("https://github.com/Alibaba-NLP/WebAgent//", "https://github.com/Alibaba-NLP/WebAgent"),
        ("https://github.com/orgs/foo/repositories", None),
        ("https://github.com/DFIR-Metric", None),
        ("https://foo.github.io/project", None),
        ("https://gist.github.com/a/b", None),
        ("https://gitlab.com/a/b", None),
    ],
)
def test_repository_url_maps_github_paths_to_owner_and_repo(url: str, repository: str | None) -> None:
    assert repository_url(url) == repository


def test_clean_url_removes_only_unbalanced_closers() -> None:
    assert clean_url("https://a.io/x_(y))") == "https://a.io/x_(y)"
    assert clean_url("https://a.io/x];") == "https://a.io/x"


def test_links_keep_full_url_and_repositories_dedupe_case_insensitively() -> None:
    links, repos = links_and_repositories(
        [
            "Code: https://github.com/facebookresearch/luckmatters/tree/master/ssl. "
            "Also github.com/FacebookResearch/LuckMatters"
        ],
        ["https://github.com/facebookresearch/luckmatters"],
    )
    assert links == (
        "https://github.com/facebookresearch/luckmatters",
        "https://github.com/facebookresearch/luckmatters/tree/master/ssl",
        "https://github.com/FacebookResearch/LuckMatters",
    )
    assert repos == ("https://github.com/facebookresearch/luckmatters",)


def test_trailing_slash_variants_are_one_link() -> None:
    links, _ = links_and_repositories(["at https://p.github.io."], ["https://p.github.io/"])
    assert links == ("https://p.github.io/",)


def test_url_matching_is_linear_on_adversarial_text() -> None:
    text = "https://" + "a" * 200_000 + " " + "github.com/" * 20_000
    assert len(find_urls(text)) >= 1
