"""`kg related`, `kg path`, `kg communities`, `kg trends` and `kg rank`: graph analytics as tables or JSON."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from kg.cli.options import store_option
from kg.cli.output import console, err_console
from kg.errors import KgError


class Format(StrEnum):
    table = "table"
    json = "json"


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def _table(*columns: str, caption: str | None = None) -> Table:
    return Table(*columns, caption=caption, caption_justify="left")


def _text(value: object) -> Text:
    """A cell that shows text as it is: a title with [brackets] is not rich markup."""
    return Text("" if value is None else str(value))


# -------------------------------------------------------------------------------------------------- related


def related_command(
    paper: str = typer.Argument(..., help="arXiv id, paper IRI, exact title or a unique part of the title."),
    method: str = typer.Option("jaccard", "--method", help="jaccard (weighted by rarity) or adamic-adar."),
    limit: int = typer.Option(10, "--limit", min=1, help="How many papers to list."),
    output: Format = typer.Option(Format.table, "--format", help="Output format."),
    store: Path = store_option(),
) -> None:
    """Papers related to PAPER by the concepts they share, most related first.

    jaccard: the weighted Jaccard similarity of the two concept sets, each concept weighted by log(N / its
    papers), so a shared rare dataset counts more than a shared "accuracy". adamic-adar: the sum over shared
    concepts of 1 / log(their papers).

    Examples:
      kg related 2106.09685
      kg related "Mesa: A Memory-saving" --method adamic-adar --format json
    """
    from kg.api import open as open_graph

    with open_graph(store) as graph:
        found = graph.related(paper, method=method, limit=limit)
    if output is Format.json:
        _print_json([asdict(r) for r in found])
        return
    table = _table("score", "paper", "date", "shared concepts", caption=f"{len(found)} related papers ({method})")
    for r in found:
        table.add_row(
            f"{r.score:.3f}", _text(r.paper.title), _text(r.paper.date), _text(", ".join(c.label for c in r.shared))
        )
    console.print(table)


# ----------------------------------------------------------------------------------------------------- path


def path_command(
    source: str = typer.Argument(..., help="First concept: label or alias (any case) or IRI."),
    target: str = typer.Argument(..., help="Second concept."),
    max_papers: int = typer.Option(3, "--papers", min=1, help="Connecting papers listed per step."),
    output: Format = typer.Option(Format.table, "--format", help="Output format."),
    store: Path = store_option(),
) -> None:
    """The shortest chain of co-occurring concepts from SOURCE to TARGET, with the papers linking each step.

    Fewest steps first; of equally short chains, the one whose steps more papers share. Exit status 1 when the
    two concepts are not connected.

    Examples:
      kg path LoRA ImageNet
      kg path "Mixture of Experts" GPU --papers 5 --format json
    """
    from kg.api import open as open_graph

    with open_graph(store) as graph:
        found = graph.path(source, target, max_papers=max_papers)
    if found is None:
        raise KgError(f"no chain of co-occurring concepts links {source!r} and {target!r}")
    if output is Format.json:
        _print_json(asdict(found))
        return
    console.print(Text(" → ".join(c.label for c in found.concepts), style="bold"))
    table = _table("step", "papers naming both", caption=f"{len(found.steps)} step(s)")
    for step in found.steps:
        papers = "\n".join(f"{p.title} ({p.date or 'undated'})" for p in step.papers)
        table.add_row(_text(f"{step.source.label} — {step.target.label}"), _text(papers))
    console.print(table)


# ---------------------------------------------------------------------------------------------- communities


def communities_command(
    method: str = typer.Option("louvain", "--method", help="louvain (seeded) or greedy (greedy modularity)."),
    weighting: str = typer.Option("jaccard", "--weight", help="Edge weight: jaccard, count or pmi."),
    seed: int = typer.Option(0, "--seed", help="Random seed of Louvain: the same seed gives the same result."),
    resolution: float = typer.Option(1.0, "--resolution", help="Above 1: more, smaller communities."),
    write: bool = typer.Option(True, "--write/--no-write", help="Write the communities to the store."),
    limit: int = typer.Option(20, "--limit", min=1, help="Communities listed."),
    members: int = typer.Option(8, "--members", min=0, help="Concepts listed per community."),
    output: Format = typer.Option(Format.table, "--format", help="Output format."),
    store: Path = store_option(),
) -> None:
    """Detect communities of concepts that papers name together, name them, and write them to the store.

    Written communities are plain triples (concept kg:community ?c . ?c a kg:Community ; rdfs:label ...), so
    SPARQL can use them, and the HTML map colours them. `kg build` refreshes them with the defaults.

    Examples:
      kg communities
      kg communities --resolution 2 --no-write --format json
      kg query "SELECT ?name (COUNT(?c) AS ?n) WHERE { ?c kg:community ?k . ?k rdfs:label ?name } GROUP BY ?name"
    """
    from kg import analytics
    from kg.store import GraphStore
    from kg.views import paper_concept_graph

    options = {"weighting": weighting, "method": method, "seed": seed, "resolution": resolution}
    with GraphStore.open(store, read_only=not write) as graph_store:
        bipartite = paper_concept_graph(graph_store.oxigraph, paper_details=False)
        analytics.require_concepts(bipartite)
        found = analytics.detect_communities(bipartite, **options)  # type: ignore[arg-type]
        changed = write and analytics.write_communities(
            graph_store, found, analytics.community_description(method, weighting, resolution, seed)
        )
    if output is Format.json:
        _print_json(
            [
                {
                    "iri": c.iri,
                    "rank": c.rank,
                    "name": c.name,
                    "size": c.size,
                    "members": [asdict(m) for m in c.members[:members]],
                }
                for c in found[:limit]
            ]
        )
    else:
        table = _table("#", "name", "concepts", "top concepts (papers)", caption=f"{len(found)} communities")
        for c in found[:limit]:
            top = ", ".join(f"{m.label} ({m.paper_count})" for m in c.members[:members])
            table.add_row(str(c.rank), _text(c.name), str(c.size), _text(top))
        console.print(table)
    if write:
        err_console.print(
            "communities written to the store" if changed else "the store already holds these communities"
        )


# --------------------------------------------------------------------------------------------------- trends


def trends_command(
    window: int = typer.Option(3, "--window", min=1, help="Months compared: the last N against the N before."),
    limit: int = typer.Option(10, "--limit", min=1, help="Rising concepts listed."),
    kind: str = typer.Option(None, "--type", help="Only concepts of this type (method, dataset, ...)."),
    min_papers: int = typer.Option(2, "--min-papers", min=1, help="Papers a concept needs in the recent window."),
    concept: list[str] = typer.Option(None, "--concept", help="Also show this concept's series (repeatable)."),
    output: Format = typer.Option(Format.table, "--format", help="Output format."),
    store: Path = store_option(),
) -> None:
    """Papers per concept per month, and the concepts rising fastest.

    A concept's rise is the change in the share of papers naming it (percentage points) between the last
    --window months with dated papers and the months before them; shares, because months differ in size.

    Examples:
      kg trends
      kg trends --window 6 --type dataset
      kg trends --concept LoRA --concept "Mixture of Experts" --format json
    """
    from kg.api import open as open_graph

    with open_graph(store) as graph:
        report = graph.trends(window=window, limit=limit, kind=kind, min_papers=min_papers, track=tuple(concept or ()))
    if output is Format.json:
        _print_json(
            {
                "months": report.months,
                "papers": report.papers,
                "recent": report.recent,
                "previous": report.previous,
                "undated": report.undated,
                "rising": [dict(asdict(t), rise=t.rise) for t in report.rising],
                "tracked": [dict(asdict(t), rise=t.rise) for t in report.tracked],
            }
        )
        return
    if not report.months:
        console.print(f"no dated papers ({report.undated} undated): no trends to show")
        return
    span = (
        f"{report.recent[0]}..{report.recent[-1]} vs {report.previous[0]}..{report.previous[-1]}"
        if report.previous
        else ""
    )
    table = _table(
        "concept",
        "type",
        "recent",
        "before",
        "rise (pts)",
        "last 12 months",
        caption=f"{span}; {sum(report.papers)} dated papers, {report.undated} undated",
    )
    for t in (*report.tracked, *report.rising):
        table.add_row(
            _text(t.concept.label),
            t.concept.kind,
            str(t.recent),
            str(t.previous),
            f"{t.rise:+.1f}",
            _spark(t.by_month[-12:]),
        )
    console.print(table)


_BARS = " ▁▂▃▄▅▆▇█"


def _spark(series: tuple[int, ...]) -> str:
    top = max(series, default=0)
    return "".join(_BARS[0 if top == 0 else round(8 * v / top)] for v in series)


# ----------------------------------------------------------------------------------------------------- rank


def rank_command(
    by: str = typer.Option("pagerank", "--by", help="pagerank, degree or papers."),
    weighting: str = typer.Option("count", "--weight", help="Edge weight for PageRank: count, jaccard or pmi."),
    kind: str = typer.Option(None, "--type", help="Only concepts of this type."),
    limit: int = typer.Option(20, "--limit", min=1, help="Concepts listed."),
    output: Format = typer.Option(Format.table, "--format", help="Output format."),
    store: Path = store_option(),
) -> None:
    """Concepts ranked by PageRank, degree or paper count on the co-occurrence graph.

    Examples:
      kg rank
      kg rank --by degree --type dataset --limit 10
    """
    from kg.api import open as open_graph

    with open_graph(store) as graph:
        ranked = graph.rank(by=by, weighting=weighting, limit=limit, kind=kind)
    if output is Format.json:
        _print_json([asdict(r) for r in ranked])
        return
    table = _table("concept", "type", "papers", "degree", "PageRank")
    for r in ranked:
        table.add_row(
            _text(r.concept.label), r.concept.kind, str(r.concept.paper_count), str(r.degree), f"{r.pagerank:.5f}"
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the analytics commands to `app`."""
    app.command("related")(related_command)
    app.command("path")(path_command)
    app.command("communities")(communities_command)
    app.command("trends")(trends_command)
    app.command("rank")(rank_command)
