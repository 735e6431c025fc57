"""`kg export`: write the graph store as RDF or as a GraphML projection."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli.output import console
from kg.export import EXTENSIONS, PROJECTIONS, export
from kg.paths import DEFAULT_STORE


def export_command(
    fmt: str = typer.Option(
        ...,
        "--format",
        "-f",
        help=f"Output format: {', '.join(EXTENSIONS)} (xml is RDF/XML).",
        show_default=False,
    ),
    output: Path = typer.Option(
        None, "--output", "-o", help="File to write (default: exports/kg.<ext>).", show_default=False
    ),
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="Folder of the persistent graph store."),
    projection: str = typer.Option(
        "typed",
        "--projection",
        help=f"GraphML only: {' or '.join(PROJECTIONS)} (concepts linked by the papers they share).",
    ),
    min_weight: int = typer.Option(
        1, "--min-weight", help="GraphML co-occurrence only: keep edges shared by at least this many papers."
    ),
    evidence: bool = typer.Option(
        False, "--evidence", help="GraphML typed only: add mention and result nodes, the evidence for each link."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Export the graph store as RDF (Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML) or as GraphML.

    RDF exports carry every triple, sorted: the same store always gives the same bytes.

    GraphML carries a networkx projection with typed attributes, for Gephi, Cytoscape, networkx or igraph.

    Examples:
      kg export --format ttl                                  # exports/kg.ttl
      kg export --format jsonld -o graph.jsonld --store /tmp/kgstore
      kg export --format graphml --projection cooccurrence --min-weight 3 -o concepts.graphml
    """
    from kg.cli.progress import progress_bars
    from kg.store import GraphStore  # loaded when the command runs, so `kg --help` stays light

    with GraphStore.open(store, read_only=True) as graph_store, progress_bars(quiet) as bars:
        total = graph_store.triple_count()
        written = bars.callback("export", f"Writing {fmt}", "triples")
        path = export(
            graph_store.oxigraph,
            fmt,
            output,
            projection=projection,
            min_weight=min_weight,
            include_evidence=evidence,
            progress=lambda done: written(done, total),
        )
    console.print(f"wrote {path} ({path.stat().st_size:,} bytes)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `kg export` to `app`."""
    app.command("export")(export_command)
