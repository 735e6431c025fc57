"""URLs found in titles and abstracts, cleaned, and the GitHub repositories they point to.

Abstracts write URLs every which way: at a sentence end ("https://github.com/ziplab/Mesa."), in parentheses,
inside LaTeX (``\\url{...}``) or Markdown (``[code](...)``), glued to the previous word ("Codehttps://..."),
without a scheme ("github.com/x/y", "mesa.github.io"), with ``.git`` or a path into the repository ("/tree/main").
`find_urls` returns each URL as written minus that noise (a URL written without a scheme keeps none: the graph
adds ``https://`` through `absolute_url`); `repository_url` maps a URL to its canonical repository
``https://github.com/owner/repo`` when it names one, and `kg.ingest.link_kinds` says what a URL points to.

A URL without a scheme is only taken where it cannot be prose: a host in lower case, as addresses are written,
ending in a common top-level domain ("openthoughts.ai", "hf.co/org/model"), or a host under a known code, model
or project-page site whatever its case ("MathSE.github.io", "www.GitHub.com/x/y"). So "Perplexity.ai", "X.com",
"torch.compile", "model.py" and "e.g." are not URLs.

Matching is linear in the length of the text: the patterns are character-class runs that can only start where
no word, dot or slash precedes them, repeats are found with a set, and cleaning counts brackets once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# A URL with a scheme starts at "http(s)://" (even glued to the previous word); one without starts a dotted host
# name that follows no word character, dot, slash or "@" (so not inside an e-mail address or another URL), and
# has an optional path. Both run to the first whitespace or character that cannot appear unescaped in a URL
# written in prose.
_URL = re.compile(
    r"""https?://[^\s<>"'`{}|\\^\[\]]+"""
    r"""|(?<![\w.@/:%+-])(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])(?:/[^\s<>"'`{}|\\^\[\]]*)?""",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"https?://", re.IGNORECASE)
# Top-level domains a bare host may end in: common generic and country ones, without those that are also file
# extensions (.py, .md, .sh, .pt, .rs) or English words (.in, .is, .to, .at, .be, .me, .us).
_BARE_TLDS = frozenset(
    {
        "com", "org", "net", "edu", "gov", "io", "ai", "dev", "app", "co", "cc", "info", "science", "space",
        "page", "site", "tech", "xyz", "ms", "ly", "gg", "cn", "uk", "de", "fr", "eu", "jp", "kr", "ca", "ch",
        "nl", "hk", "tw", "sg", "au",
    }
)  # fmt: skip
# Hosts whose addresses are links whatever their case: code, model and project-page sites.
_LINK_SITES = (
    "github.com", "github.io", "gitlab.com", "gitlab.io", "bitbucket.org", "codeberg.org", "huggingface.co",
    "hf.co", "hf.space", "sites.google.com",
)  # fmt: skip
# Texts without a scheme or a dot before one of those domains have no URL: most abstracts, skipped at the cost of
# one search (the full pattern tries every word).
_HINT_TLDS = "|".join(sorted(_BARE_TLDS | {site.rsplit(".", 1)[1] for site in _LINK_SITES}))
_HINT = re.compile(rf"://|\.(?:{_HINT_TLDS})(?![\w-])", re.IGNORECASE)
_TRAILING = ".,;:!?*~'\"`"
_CLOSERS = {")": "(", "]": "["}
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_REPO = re.compile(r"[A-Za-z0-9._-]+")
# First path segments of github.com that are site pages, not owners.
_NOT_OWNERS = frozenset(
    {
        "about", "apps", "collections", "contact", "customer-stories", "enterprise", "events", "explore",
        "features", "join", "login", "marketplace", "new", "notifications", "orgs", "organizations", "pricing",
        "pulls", "issues", "search", "security", "settings", "site", "sponsors", "topics", "trending", "users",
        "codespaces", "readme", "signup", "team", "blog",
    }
)  # fmt: skip


def clean_url(raw: str) -> str:
    """Strip what prose glues to a URL's end: sentence punctuation, an unbalanced ")" or "]", a GitHub ".git".

    Walks back from the end with counts kept up to date, and cuts once: linear however much there is to strip."""
    end = len(raw)
    opened = {closer: raw.count(opener) for closer, opener in _CLOSERS.items()}
    closed = {closer: raw.count(closer) for closer in _CLOSERS}
    github: bool | None = None  # whether the host is GitHub's, decided once (stripping the end never reaches it)
    while end:
        last = raw[end - 1]
        if last in _TRAILING or (last in _CLOSERS and closed[last] > opened[last]):
            if last in _CLOSERS:
                closed[last] -= 1
            end -= 1
            continue
        if raw[max(0, end - 4) : end].lower() == ".git":
            if github is None:
                github = _is_github(raw[:end])
            if github:
                end -= 4
                continue
        break
    return raw[:end]


def absolute_url(url: str) -> str:
    """`url` with ``https://`` in front when it was written without a scheme, and its scheme in lower case."""
    scheme = _SCHEME.match(url)
    return url[: scheme.end()].lower() + url[scheme.end() :] if scheme else "https://" + url


def find_urls(text: str) -> list[str]:
    """Every URL in `text`, cleaned and as written, in order of appearance, without exact duplicates."""
    found: list[str] = []
    seen: set[str] = set()
    if not _HINT.search(text):
        return found
    for match in _URL.finditer(text):
        url = clean_url(match.group())
        if url not in seen and _is_url(url):
            seen.add(url)
            found.append(url)
    return found


def _is_url(url: str) -> bool:
    """Whether a cleaned match is a URL: one with a scheme needs a host; one without, a host that is not prose."""
    if _SCHEME.match(url):
        return _has_host(url)
    host = url.split("/", 1)[0]
    folded = host.lower()
    site = next((site for site in _LINK_SITES if folded == site or folded.endswith("." + site)), None)
    if site is not None and (folded != site or "/" in url):
        return True
    return host == folded and host.rsplit(".", 1)[-1] in _BARE_TLDS


def _has_host(url: str) -> bool:
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:
        return False


def _is_github(url: str) -> bool:
    try:
        host = urlsplit(absolute_url(url)).hostname or ""
    except ValueError:
        return False
    return host in ("github.com", "www.github.com")


def repository_url(url: str) -> str | None:
    """``https://github.com/owner/repo`` for a URL into a GitHub repository, keeping its casing; else None."""
    url = clean_url(url.strip())
    if not _is_github(url):
        return None
    path = urlsplit(absolute_url(url)).path
    parts = [p for p in path.split("/") if p]
    if len(parts) < 2:
        return None
    owner, repo = parts[0], parts[1].removesuffix(".git")
    if owner.lower() in _NOT_OWNERS or not _OWNER.fullmatch(owner) or not _REPO.fullmatch(repo):
        return None
    if repo in (".", ".."):
        return None
    return f"https://github.com/{owner}/{repo}"


def unique_casefold(items: Iterable[str]) -> tuple[str, ...]:
    """Drop case-insensitive duplicates, keeping the first-seen spelling and order."""
    seen: set[str] = set()
    kept: list[str] = []
    for item in items:
        folded = item.casefold()
        if item and folded not in seen:
            seen.add(folded)
            kept.append(item)
    return tuple(kept)


def unique_links(urls: Iterable[str]) -> tuple[str, ...]:
    """Drop repeated URLs, counting "https://x.io/", "https://x.io" and "x.io" as one; the first spelling is kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for url in urls:
        identity = absolute_url(url).rstrip("/")
        if url and identity not in seen:
            seen.add(identity)
            kept.append(url)
    return tuple(kept)


def links_and_repositories(texts: Iterable[str], urls: Iterable[str] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(links, repositories) from free `texts` (titles, abstracts) and from explicit `urls` (API githubRepo,
    projectPage, url columns).

    Links keep every cleaned URL as written; repositories hold the canonical repository of each GitHub URL that
    names one, deduplicated case-insensitively.
    """
    explicit = (clean_url(url.strip()) for url in urls)
    found = (url for text in texts for url in find_urls(text))
    links = unique_links([*(u for u in explicit if _is_url(u)), *found])
    repos = (repository_url(u) for u in links)
    return links, unique_casefold(r for r in repos if r)
