"""Deduplication: listings of the same paper become one `Paper`.

Two listings are the same paper when they share an arXiv id or a normalised title (union-find, so the relation
is transitive both ways). One exception keeps identities sound: a title never joins two groups that already
carry different arXiv ids, because an arXiv id is stronger evidence than a title two papers may share.

Merged metadata: the first non-empty value in provenance order (file, line), except the longest abstract, the
largest upvote and star counts, and unions of authors, repositories, links, keywords, categories and
provenance, keeping first-seen order (case-insensitive where case is not meaningful).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from kg.ingest.links import unique_casefold, unique_links
from kg.ingest.normalize import normalize_title
from kg.ingest.paper import derived_id, paper_key
from kg.records import Paper

T = TypeVar("T")


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> int:
        """Join the groups of a and b under the smaller root, so the outcome does not depend on call order."""
        ra, rb = self.find(a), self.find(b)
        root, child = min(ra, rb), max(ra, rb)
        self.parent[child] = root
        return root


def group_listings(papers: Sequence[Paper]) -> list[list[int]]:
    """Indices of `papers` grouped into one list per distinct paper, each group and the groups in input order."""
    groups = _UnionFind(len(papers))
    arxiv_of: dict[int, str] = {}  # root -> the arXiv id its group carries
    first_with: dict[str, int] = {}
    for i, paper in enumerate(papers):
        if paper.arxiv_id:
            if paper.arxiv_id in first_with:
                groups.union(first_with[paper.arxiv_id], i)
            else:
                first_with[paper.arxiv_id] = i
    for i, paper in enumerate(papers):
        if paper.arxiv_id:
            arxiv_of[groups.find(i)] = paper.arxiv_id
    first_titled: dict[str, int] = {}
    for i, paper in enumerate(papers):
        title = normalize_title(paper.title)
        if title not in first_titled:
            first_titled[title] = i
            continue
        a, b = groups.find(first_titled[title]), groups.find(i)
        ids = {arxiv_of.get(a), arxiv_of.get(b)} - {None}
        if a != b and len(ids) <= 1:
            carried = arxiv_of.pop(a, None) or arxiv_of.pop(b, None)
            root = groups.union(a, b)
            if carried:
                arxiv_of[root] = carried
    members: dict[int, list[int]] = {}
    for i in range(len(papers)):
        members.setdefault(groups.find(i), []).append(i)
    return list(members.values())


def _first(values: Iterable[T | None]) -> T | None:
    return next((v for v in values if v), None)


def _largest(values: Iterable[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _union(papers: Sequence[Paper], field: Callable[[Paper], tuple[str, ...]]) -> tuple[str, ...]:
    return unique_casefold(item for paper in papers for item in field(paper))


def _own_id(paper: Paper) -> str | None:
    """The id the source itself gave, recognised as one that differs from the id it would have been given."""
    return paper.id if paper.id != derived_id(paper.arxiv_id, paper.title) else None


def merge_group(listings: Sequence[Paper]) -> Paper:
    """One Paper from the listings of one paper (see the module docstring for the rules)."""
    papers = sorted(listings, key=lambda p: p.provenance)
    title = _first(p.title for p in papers) or ""
    arxiv = _first(p.arxiv_id for p in papers)
    abstract = max((p.abstract for p in papers), key=len)
    return Paper(
        key=paper_key(arxiv, title),
        id=_first(_own_id(p) for p in papers) or derived_id(arxiv, title),
        title=title,
        abstract=abstract,
        arxiv_id=arxiv,
        date=_first(p.date for p in papers),
        authors=_union(papers, lambda p: p.authors),
        organization=_first(p.organization for p in papers),
        upvotes=_largest(p.upvotes for p in papers),
        url=_first(p.url for p in papers),
        project_page=_first(p.project_page for p in papers),
        github_stars=_largest(p.github_stars for p in papers),
        repositories=_union(papers, lambda p: p.repositories),
        links=unique_links(link for p in papers for link in p.links),
        keywords=_union(papers, lambda p: p.keywords),
        categories=_union(papers, lambda p: p.categories),
        provenance=tuple(sorted({prov for p in papers for prov in p.provenance})),
    )


def merge_papers(papers: Sequence[Paper]) -> tuple[Paper, ...]:
    """Deduplicated papers, sorted by key; merging the result again changes nothing."""
    merged = [merge_group([papers[i] for i in group]) for group in group_listings(papers)]
    return tuple(sorted(merged, key=lambda p: (p.key, p.id)))
