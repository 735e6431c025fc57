"""`kg export`: write the graph store as RDF or as a GraphML projection."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli.options import output_option, quiet_option, store_option
from kg.cli.output import console
from kg.cli.progress import stage_progress
from kg.export import EXTENSIONS, PROJECTIONS, export
from kg.paths import default_exports


def export_command(
    fmt: str = typer.Option(
        ...,
        "--format",
        help=f"Output format: {', '.join(EXTENSIONS)} (xml is RDF/XML).",
        show_default=False,
    ),
    output: Path | None = output_option(
        "File to write (default: kg.<ext> in the store's exports folder: exports/ for the default store, "
        "STORE/exports for any other)."
    ),
    store: Path = store_option(),
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
    quiet: bool = quiet_option(),
) -> None:
    """Export the graph store as RDF (Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML) or as GraphML.

    RDF exports carry every triple, sorted: the same store always gives the same bytes.

    GraphML carries a networkx projection with typed attributes, for Gephi, Cytoscape, networkx or igraph.

    Examples:
      kg export --format ttl                                  # exports/kg.ttl
      kg export --format jsonld --store /tmp/kgstore          # /tmp/kgstore/exports/kg.jsonld
      kg export --format graphml --projection cooccurrence --min-weight 3 -o concepts.graphml
    """
    from kg.store import GraphStore  # loaded when the command runs, so `kg --help` stays light

    if output is None and fmt in EXTENSIONS:
        output = default_exports(store) / f"kg.{EXTENSIONS[fmt]}"
    with GraphStore.open(store, read_only=True) as graph_store, stage_progress(quiet) as progress:
        total = graph_store.triple_count()
        path = export(
            graph_store.oxigraph,
            fmt,
            output,
            projection=projection,
            min_weight=min_weight,
            include_evidence=evidence,
            progress=lambda done: progress(f"export {fmt}", done, total),
        )
    console.print(f"wrote {path} ({path.stat().st_size:,} bytes)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `kg export` to `app`."""
    app.command("export")(export_command)
