"""Graph statistics: node counts by class and the triple count, computed from the store, and their renderings.

The counts come from one SPARQL group-by over rdf:type, so they are always those of the committed graph (no
counter kept beside it that could drift). The dictionary shape is a public contract (`kg stats --json`).
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from rich.table import Table

from kg.records import CONCEPT_TYPES
from kg.terms import CONCEPT_CLASS, KG

# Only the classes reported: each is one range of the (predicate, object) index, where grouping every rdf:type
# triple would also walk the mentions, listings and authors (most of them).
_COUNTED = (KG.Paper, *CONCEPT_CLASS.values(), KG.Repository, KG.Organization)
_COUNTS_QUERY = (
    "SELECT ?class (COUNT(?node) AS ?n) WHERE { VALUES ?class { "
    + " ".join(f"<{cls}>" for cls in _COUNTED)
    + " } ?node a ?class } GROUP BY ?class"
)


def compute_stats(db: ox.Store, triples: int | None = None) -> dict:
    """{"papers", "concepts": {type: n}, "repositories", "organizations", "triples"} for the default graph.

    `triples` is the triple count when the caller knows it (the store records it at each commit); counting
    otherwise scans every quad."""
    solutions = db.query(_COUNTS_QUERY)
    assert isinstance(solutions, ox.QuerySolutions)
    counts: dict[str, int] = {}
    for row in solutions:
        cls, n = row["class"], row["n"]
        if cls is not None and n is not None:
            counts[cls.value] = int(n.value)
    return {
        "papers": counts.get(str(KG.Paper), 0),
        "concepts": {kind: counts.get(str(CONCEPT_CLASS[kind]), 0) for kind in CONCEPT_TYPES},
        "repositories": counts.get(str(KG.Repository), 0),
        "organizations": counts.get(str(KG.Organization), 0),
        "triples": len(db) if triples is None else triples,
    }


def stats_json(stats: dict) -> str:
    return json.dumps(stats, indent=2)


def stats_table(stats: dict, title: str) -> Table:
    """The counts as a two-column table, concepts broken down by type."""
    table = Table(title=title)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("papers", f"{stats['papers']:,}")
    for kind, count in stats["concepts"].items():
        table.add_row(f"{kind} concepts", f"{count:,}")
    table.add_row("repositories", f"{stats['repositories']:,}")
    table.add_row("organizations", f"{stats['organizations']:,}")
    table.add_row("triples", f"{stats['triples']:,}")
    return table
