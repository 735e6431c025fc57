"""Code and project URLs found in abstracts, cleaned, and the GitHub repositories they point to.

Abstracts write URLs every which way: at a sentence end ("https://github.com/ziplab/Mesa."), in parentheses,
inside LaTeX (``\\url{...}``) or Markdown (``[code](...)``), glued to the previous word ("Codehttps://..."),
without a scheme ("github.com/x/y"), with ``.git`` or a path into the repository ("/tree/main"). `find_urls`
returns each URL as written minus that noise; `repository_url` maps a URL to its canonical repository
``https://github.com/owner/repo`` when it names one.

All patterns are single character-class runs, so matching is linear in the length of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# A URL starts at a scheme (even glued to the previous word) or at a bare github.com; it runs to the first
# whitespace or character that cannot appear unescaped in a URL written in prose.
_URL = re.compile(r"""(?:https?://|(?<![\w.@/-])(?:www\.)?github\.com/)[^\s<>"'`{}|\\^\[\]]+""", re.IGNORECASE)
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
    """Strip what prose glues to a URL's end: sentence punctuation, an unbalanced ")", a GitHub ".git"."""
    url = raw
    while url:
        last = url[-1]
        if last in _TRAILING or (last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])):
            url = url[:-1]
        elif _is_github(url) and url.lower().endswith(".git"):
            url = url[:-4]
        else:
            break
    if url.lower().startswith(("github.com/", "www.github.com/")):
        url = "https://" + url
    return url


def find_urls(text: str) -> list[str]:
    """Every URL in `text`, cleaned, in order of appearance, without exact duplicates."""
    found: list[str] = []
    if "://" not in text and "github.com/" not in text.lower():
        return found
    for match in _URL.finditer(text):
        url = clean_url(match.group())
        if _has_host(url) and url not in found:
            found.append(url)
    return found


def _has_host(url: str) -> bool:
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:
        return False


def _is_github(url: str) -> bool:
    try:
        host = urlsplit(url if "://" in url else "https://" + url).hostname or ""
    except ValueError:
        return False
    return host in ("github.com", "www.github.com")


def repository_url(url: str) -> str | None:
    """``https://github.com/owner/repo`` for a URL into a GitHub repository, keeping its casing; else None."""
    url = clean_url(url.strip())
    if not _is_github(url):
        return None
    path = urlsplit(url if "://" in url else "https://" + url).path
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
    """Drop repeated URLs, counting "https://x.io/" and "https://x.io" as one; the first spelling is kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for url in urls:
        identity = url.rstrip("/")
        if url and identity not in seen:
            seen.add(identity)
            kept.append(url)
    return tuple(kept)


def links_and_repositories(texts: Iterable[str], urls: Iterable[str] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(links, repositories) from free `texts` (abstracts) and from explicit `urls` (API githubRepo, url columns).

    Links keep every cleaned URL as written; repositories hold the canonical repository of each GitHub URL that
    names one, deduplicated case-insensitively.
    """
    explicit = (clean_url(url.strip()) for url in urls)
    found = (url for text in texts for url in find_urls(text))
    links = unique_links([*(u for u in explicit if _has_host(u)), *found])
    repos = (repository_url(u) for u in links)
    return links, unique_casefold(r for r in repos if r)
