"""Cleaning URLs out of titles and abstracts, mapping them to GitHub repositories, and telling their kinds."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from kg.ingest.link_kinds import CODE, DATASET, LINK_KINDS, MODEL, OTHER, PROJECT_PAGE, link_kind
from kg.ingest.links import absolute_url, clean_url, find_urls, links_and_repositories, repository_url
from kg.ingest.paper import make_paper
from kg.records import Provenance


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
        ("see github.com/openai/mle-bench/ and", ["github.com/openai/mle-bench/"]),
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
        "github.com/FacebookResearch/LuckMatters",
    )
    assert repos == ("https://github.com/facebookresearch/luckmatters",)


def test_explicit_urls_need_a_host_too() -> None:
    links, repos = links_and_repositories([], ["n/a", "none", "-", "github.com/x/y", "https://p.github.io"])
    assert links == ("github.com/x/y", "https://p.github.io")
    assert repos == ("https://github.com/x/y",)


def test_trailing_slash_variants_are_one_link() -> None:
    links, _ = links_and_repositories(["at https://p.github.io."], ["https://p.github.io/"])
    assert links == ("https://p.github.io/",)


def test_url_matching_is_linear_on_adversarial_text() -> None:
    text = "https://" + "a" * 200_000 + " " + "github.com/" * 20_000
    assert len(find_urls(text)) >= 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Project page: anchoralignvla.github.io.", ["anchoralignvla.github.io"]),
        (
            "(google.github.io/tacotron/publications/zero_shot_voice_transfer).",
            ["google.github.io/tacotron/publications/zero_shot_voice_transfer"],
        ),
        (
            "weights at hf.co/PowerInfer/SmallThinker-4BA0.6B-Instruct.",
            ["hf.co/PowerInfer/SmallThinker-4BA0.6B-Instruct"],
        ),
        (
            "data: huggingface.co/datasets/uw-math-ai/theorem-matching.",
            ["huggingface.co/datasets/uw-math-ai/theorem-matching"],
        ),
        ("available at theoremsearch.com and openthoughts.ai.", ["theoremsearch.com", "openthoughts.ai"]),
        ("examples on www.surveyx.cn", ["www.surveyx.cn"]),
        ("see MathSE.github.io/.", ["MathSE.github.io/"]),
        ("Codehttps://github.com/a/b and b.github.io", ["https://github.com/a/b", "b.github.io"]),
    ],
)
def test_urls_without_a_scheme_are_kept_as_written(text: str, expected: list[str]) -> None:
    assert find_urls(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ChatGPT-Web and Perplexity.ai applications",  # a product name, capitalised
        "a federated Twitter or X.com alternative",
        "faster than torch.compile on KernelBench",
        "edit model.py and README.md, e.g. i.e. etc.",
        "Llama-3.1-8B and Qwen2.5-7B at 3.5B scale on FLUX-1.Dev and SD3.5.Code is released",
        "mail jane.doe@lab.org for access",
        "released on GitHub.com",  # a site named, no address
    ],
)
def test_prose_with_dots_is_not_a_url(text: str) -> None:
    assert find_urls(text) == []


def test_absolute_url_adds_https_where_no_scheme_is_written_and_lowers_the_scheme() -> None:
    assert absolute_url("x.github.io/p") == "https://x.github.io/p"
    assert absolute_url("http://x.io") == "http://x.io"
    assert absolute_url("HTTPS://x.io/A") == "https://x.io/A"


def test_links_come_from_the_title_too() -> None:
    paper = make_paper(
        title="Mesa (https://github.com/ziplab/Mesa): saving memory",
        abstract="Project page at mesa.github.io.",
        provenance=Provenance("f", 1, "jsonl"),
    )
    assert paper.links == ("https://github.com/ziplab/Mesa", "mesa.github.io")
    assert paper.repositories == ("https://github.com/ziplab/Mesa",)


def test_a_url_written_with_and_without_scheme_is_one_link() -> None:
    links, _ = links_and_repositories(["at https://p.github.io/x and p.github.io/x/"])
    assert links == ("https://p.github.io/x",)


def _best_time(function: Callable[[str], object], text: str) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - start)
    return min(times)


def _growth(function: Callable[[str], object], small: str, large: str) -> float:
    """How much longer `function` takes on `large` (8x `small`) than on `small`, timed in the same run."""
    return _best_time(function, large) / _best_time(function, small)


def _many_urls(copies: int) -> str:
    return "".join(
        f"Code: https://github.com/o/r{k}-{i}. Page: p{k}-{i}.github.io/x. Data (hf.co/datasets/d{k}/{i}); "
        for k in range(copies)
        for i in range(1_000)
    )


def test_url_finding_is_linear_in_the_number_of_urls() -> None:
    """Issue 13: 40k URLs took 13 s (each looked up in a list of those found). 8x the URLs must cost about 8x
    the time (bounded at 20x for noise), where a quadratic search costs about 64x."""
    assert len(find_urls(_many_urls(8))) == 8 * 3_000
    assert _growth(find_urls, _many_urls(1), _many_urls(8)) < 20


def test_url_cleaning_is_linear_in_what_it_strips() -> None:
    """Stripping one character at a time by slicing (and recounting brackets) was quadratic."""
    for tail in (")", ".", ".git"):
        assert clean_url("https://github.com/a/b" + tail * 100) == "https://github.com/a/b"
        small, large = "https://github.com/a/b" + tail * 20_000, "https://github.com/a/b" + tail * 160_000
        assert _growth(clean_url, small, large) < 20


# ----------------------------------------------------------------------------------------------------- link kinds


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://github.com/ziplab/Mesa", CODE),
        ("github.com/mts-ai/ROCKET/tree/main", CODE),
        ("https://github.com/LLM-NodeJS-dataset", CODE),  # an organisation on a code host
        ("https://gist.github.com/a/b", CODE),
        ("https://gitlab.com/group/project", CODE),
        ("https://bitbucket.org/team/repo", CODE),
        ("https://codeberg.org/user/repo", CODE),
        ("https://anonymous.4open.science/r/tracealign-2DA7", CODE),
        ("https://huggingface.co/spaces/matiasky/CheXmask-U", CODE),
        ("https://hashiruagentx-hashiruai.hf.space", CODE),
        ("https://colab.research.google.com/drive/1abc", CODE),
        ("https://huggingface.co/datasets/BAAI/CCI3-HQ", DATASET),
        ("hf.co/datasets/x/y", DATASET),
        ("https://www.kaggle.com/datasets/owner/name", DATASET),
        ("https://zenodo.org/records/123", DATASET),
        ("https://huggingface.co/nvidia/NV-Embed-v1", MODEL),
        ("hf.co/PowerInfer/SmallThinker-4BA0.6B-Instruct", MODEL),
        ("https://modelscope.cn/models/qwen/Qwen2", MODEL),
        ("https://ollama.com/library/llama3", MODEL),
        ("https://collaborativevideodiffusion.github.io/", PROJECT_PAGE),
        ("anchoralignvla.github.io", PROJECT_PAGE),
        ("https://sites.google.com/view/pokechamp-llm", PROJECT_PAGE),
        ("https://research.nvidia.com/labs/toronto-ai/x", PROJECT_PAGE),
        ("https://music-arena.org", PROJECT_PAGE),
        ("https://my-demo.vercel.app", PROJECT_PAGE),
        ("https://aka.ms/dpkd", OTHER),
        ("https://bit.ly/3zf2CVs", OTHER),
        ("https://youtu.be/4ZdcuiwFU7I", OTHER),
        ("https://arxiv.org/abs/2401.00001", OTHER),
        ("https://huggingface.co/PowerInfer", OTHER),  # an organisation page
        ("https://huggingface.co/collections/kyutai/kairos", OTHER),
        ("https://huggingface.co/papers/2401.00001", OTHER),
        ("https://drive.google.com/file/d/1", OTHER),
        ("not a url", OTHER),
    ],
)
def test_link_kind_follows_host_and_path(url: str, kind: str) -> None:
    assert link_kind(url) == kind
    assert kind in LINK_KINDS


def test_link_kind_ignores_case_and_www() -> None:
    assert link_kind("HTTPS://WWW.GitHub.com/A/B") == CODE
    assert link_kind("https://www.HuggingFace.co/Datasets/a/b") == DATASET
