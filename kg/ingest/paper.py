"""Building `Paper` records: one place decides keys, ids, cleaned text and links for every reader."""

from __future__ import annotations

from collections.abc import Iterable

from kg.ingest.links import links_and_repositories, unique_casefold
from kg.ingest.normalize import collapse, join_wrapped, normalize_title
from kg.records import Paper, Provenance, Rejected
from kg.terms import digest


def paper_key(arxiv: str | None, title: str) -> str:
    """``arxiv:<id>`` when the arXiv id is known, else ``title:<normalised title>``."""
    return f"arxiv:{arxiv}" if arxiv else f"title:{normalize_title(title)}"


def derived_id(arxiv: str | None, title: str) -> str:
    """The id of a paper whose source gives none: its arXiv id, else a digest of its normalised title."""
    return arxiv or f"t-{digest(normalize_title(title))}"


def make_paper(
    *,
    title: str,
    abstract: str,
    provenance: Provenance,
    own_id: str | None = None,
    arxiv: str | None = None,
    date: str | None = None,
    authors: Iterable[str] = (),
    organization: str | None = None,
    upvotes: int | None = None,
    url: str | None = None,
    project_page: str | None = None,
    github_stars: int | None = None,
    code_urls: Iterable[str] = (),
    keywords: Iterable[str] = (),
    categories: Iterable[str] = (),
) -> Paper | Rejected:
    """A `Paper` from one listing; titles and abstracts are unwrapped, links found in both.

    `code_urls` are URLs the source states explicitly (API ``githubRepo``, a ``repo`` column); they come first
    in `links`, followed by the project page and then the URLs written in the title and the abstract. A title or
    abstract that cleaning leaves empty (it held only control characters) makes the listing a Rejected, as a
    missing one does.
    """
    clean_title = join_wrapped(title).replace("\n\n", " ")
    clean_abstract = join_wrapped(abstract)
    if not clean_title:
        return Rejected(provenance.file, provenance.line, "record with no title")
    if not clean_abstract:
        return Rejected(provenance.file, provenance.line, "title with no abstract")
    page = collapse(project_page) if project_page else None
    explicit = [*code_urls, *([page] if page else [])]
    links, repositories = links_and_repositories([clean_title, clean_abstract], explicit)
    return Paper(
        key=paper_key(arxiv, clean_title),
        id=own_id or derived_id(arxiv, clean_title),
        title=clean_title,
        abstract=clean_abstract,
        arxiv_id=arxiv,
        date=date,
        authors=unique_casefold(collapse(a) for a in authors),
        organization=collapse(organization) if organization and organization.strip() else None,
        upvotes=upvotes,
        url=collapse(url) if url and url.strip() else None,
        project_page=page or None,
        github_stars=github_stars,
        repositories=repositories,
        links=links,
        keywords=unique_casefold(collapse(k) for k in keywords),
        categories=unique_casefold(collapse(c) for c in categories),
        provenance=(provenance,),
    )
