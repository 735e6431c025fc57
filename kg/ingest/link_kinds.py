"""What a paper's URL points to, from its host and path alone: code, a project page, a dataset, a model, or other.

* **code**: code hosts (GitHub, GitLab, Bitbucket, Codeberg, Gitee, SourceForge, anonymous review mirrors),
  notebooks (Colab), package indexes, and demos that ship their code (Hugging Face Spaces, ``*.hf.space``);
* **dataset**: dataset pages of model hubs (``huggingface.co/datasets/...``, Kaggle, ModelScope) and data
  archives (Zenodo, Figshare, Dataverse, Mendeley Data, PhysioNet);
* **model**: model pages of hubs (``huggingface.co/owner/model``, ModelScope, Kaggle, Ollama, Civitai,
  Replicate);
* **other**: places that are not the paper's own: short links (``aka.ms``, ``bit.ly``), videos, paper archives
  and proceedings, social media, file shares, encyclopaedias, and hub pages that are not one model or dataset
  (an organisation, a collection, a paper page);
* **project page**: everything else. A host that is none of the above is the project's own site: GitHub and
  GitLab Pages (``*.github.io``), Google Sites, static hosts (Netlify, Vercel, Cloudflare Pages), a lab's
  ``research.example.com/project`` or a product's own domain.

The kind depends on the URL only, never on the paper, so every paper that gives a URL agrees on its kind.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from kg.ingest.links import absolute_url

CODE = "code"
PROJECT_PAGE = "project-page"
DATASET = "dataset"
MODEL = "model"
OTHER = "other"
LINK_KINDS: tuple[str, ...] = (CODE, PROJECT_PAGE, DATASET, MODEL, OTHER)

_HOST_NAME = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}")

# host (and its subdomains) -> kind, whatever the path.
_HOSTS: dict[str, str] = {
    **dict.fromkeys(
        (
            "github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com", "sourceforge.net",
            "anonymous.4open.science", "colab.research.google.com", "pypi.org", "npmjs.com", "hf.space",
            "git.io", "githubusercontent.com",
        ),
        CODE,
    ),
    **dict.fromkeys(
        (
            "zenodo.org", "figshare.com", "dataverse.harvard.edu", "data.mendeley.com", "physionet.org",
            "datadryad.org", "osf.io",
        ),
        DATASET,
    ),
    **dict.fromkeys(("ollama.com", "civitai.com", "replicate.com"), MODEL),
    **dict.fromkeys(
        (
            # short links: where they lead is unknown
            "aka.ms", "bit.ly", "tinyurl.com", "t.co", "goo.gl", "t.ly", "rb.gy", "ow.ly", "is.gd", "shorturl.at",
            # videos and social media
            "youtube.com", "youtu.be", "vimeo.com", "bilibili.com", "twitter.com", "x.com", "linkedin.com",
            "reddit.com", "discord.gg", "discord.com", "medium.com", "substack.com",
            # papers, proceedings and references
            "arxiv.org", "doi.org", "openreview.net", "aclanthology.org", "semanticscholar.org", "acm.org",
            "ieee.org", "springer.com", "sciencedirect.com", "nature.com", "neurips.cc", "thecvf.com",
            "paperswithcode.com", "wikipedia.org", "wikidata.org", "scholar.google.com",
            # file shares and documents
            "drive.google.com", "docs.google.com", "dropbox.com", "onedrive.live.com", "1drv.ms", "box.com",
        ),
        OTHER,
    ),
}  # fmt: skip

# Model hubs: the first path segment says what the page is; a page under an owner is one of its models.
_HUBS = frozenset({"huggingface.co", "hf.co"})
_HUB_SECTIONS: dict[str, str] = {
    "datasets": DATASET,
    "spaces": CODE,
    "models": MODEL,
    **dict.fromkeys(
        (
            "papers", "collections", "docs", "blog", "organizations", "api", "chat", "learn", "tasks", "join",
            "login", "pricing", "settings", "posts", "search", "enterprise",
        ),
        OTHER,
    ),
}  # fmt: skip
# Sites where a section of the path, not the host, names a dataset or a model.
_SECTIONED: dict[str, dict[str, str]] = {
    "kaggle.com": {"datasets": DATASET, "benchmarks": DATASET, "competitions": DATASET, "models": MODEL, "code": CODE},
    "modelscope.cn": {"datasets": DATASET, "models": MODEL, "studios": CODE},
    "modelscope.ai": {"datasets": DATASET, "models": MODEL, "studios": CODE},
    "openml.org": {"d": DATASET},
}


def link_kind(url: str) -> str:
    """One of `LINK_KINDS` for `url` (written with or without a scheme)."""
    try:
        parts = urlsplit(absolute_url(url.strip()))
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return OTHER
    if not _HOST_NAME.fullmatch(host):
        return OTHER
    segments = [segment for segment in parts.path.split("/") if segment]
    if host in _HUBS:
        return _hub_kind(segments)
    for site, sections in _SECTIONED.items():
        if _under(host, site):
            return sections.get(segments[0].lower(), OTHER) if segments else OTHER
    for site, kind in _HOSTS.items():
        if _under(host, site):
            return kind
    return PROJECT_PAGE


def _hub_kind(segments: list[str]) -> str:
    """huggingface.co/datasets/o/d is a dataset, /spaces/o/s a demo with its code, /o/m a model, /o alone an
    organisation (other)."""
    if not segments:
        return OTHER
    section = _HUB_SECTIONS.get(segments[0].lower())
    if section is not None:
        return section
    return MODEL if len(segments) >= 2 else OTHER


def _under(host: str, site: str) -> bool:
    return host == site or host.endswith("." + site)
