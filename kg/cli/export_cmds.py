"""`kg export`: write the graph store as RDF, as a GraphML projection or as the HTML concept map."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli.options import output_option, quiet_option, store_option
from kg.cli.output import console
from kg.cli.progress import stage_progress
from kg.cli.view_cmds import (
    CONCEPT_OPTION,
    DEPTH_OPTION,
    MIN_PAPERS_OPTION,
    PAPERS_OPTION,
    PHYSICS_OPTION,
    QUERY_OPTION,
    TITLE_OPTION,
    TOP_OPTION,
    TYPE_OPTION,
    map_options,
)
from kg.errors import UsageError
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
    types: list[str] = TYPE_OPTION,
    concept: str = CONCEPT_OPTION,
    depth: int = DEPTH_OPTION,
    query: Path = QUERY_OPTION,
    top: int = TOP_OPTION,
    min_papers: int = MIN_PAPERS_OPTION,
    papers: bool = PAPERS_OPTION,
    physics: bool = PHYSICS_OPTION,
    title: str = TITLE_OPTION,
    quiet: bool = quiet_option(),
) -> None:
    """Export the graph store as RDF (Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML), GraphML or an HTML map.

    RDF exports carry every triple, sorted: the same store always gives the same bytes.

    GraphML carries a networkx projection with typed attributes, for Gephi, Cytoscape, networkx or igraph.

    HTML is the interactive concept map (self-contained, works offline); --type, --concept/--depth, --query,
    --top, --min-papers and --papers choose what it draws (`kg view` writes it and opens it).

    Examples:
      kg export --format ttl                                  # exports/kg.ttl
      kg export --format jsonld --store /tmp/kgstore          # /tmp/kgstore/exports/kg.jsonld
      kg export --format graphml --projection cooccurrence --min-weight 3 -o concepts.graphml
      kg export --format html --concept LoRA --depth 2 -o lora.html
    """
    from kg.store import GraphStore  # loaded when the command runs, so `kg --help` stays light

    selection = (types, concept, depth, query, top, min_papers, papers, physics, title)
    chosen = map_options(*selection) if fmt == "html" else None
    if fmt != "html" and selection != (None, None, 1, None, None, 1, False, False, "Concept map"):
        raise UsageError(f"map options (--type, --concept, --query, --top, ...) apply to --format html, not {fmt}")
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
            map_options=chosen,
            progress=lambda done: progress(f"export {fmt}", done, total),
        )
    console.print(f"wrote {path} ({path.stat().st_size:,} bytes)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `kg export` to `app`."""
    app.command("export")(export_command)
