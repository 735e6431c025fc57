"""`kg validate` and `kg stats`: check the graph store against the SHACL shapes, and count what it holds."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli.options import quiet_option, store_option
from kg.cli.output import console, err_console
from kg.cli.progress import stage_progress


def validate_command(
    store: Path = store_option(),
    engine: str = typer.Option(
        "sparql",
        "--engine",
        help="sparql: the shapes compiled to SPARQL queries run by the store (fast); "
        "pyshacl: the reference SHACL engine on an in-memory copy (minutes and GBs on large graphs).",
    ),
    quiet: bool = quiet_option(),
) -> None:
    """Validate the graph against the SHACL shapes in ontology/shapes.ttl; exit 1 on any violation.

    Each violation is printed on one line: the node at fault, the property path, the message and the value.

    Examples:
      kg validate
      kg validate --store /tmp/kgstore
      kg validate --engine pyshacl      # the reference engine
    """
    from kg.store import GraphStore  # loaded when the command runs, so `kg --help` stays light
    from kg.validate import validate_store

    with GraphStore.open(store, read_only=True) as graph_store, stage_progress(quiet) as progress:
        report = validate_store(graph_store, engine, progress=lambda done, total: progress("validate", done, total))
    for violation in report.violations:
        console.print(str(violation), markup=False, highlight=False)
    if report.conforms:
        err_console.print(f"[green]valid[/]: {report.triples:,} triples in {store} conform to the shapes")
        return
    err_console.print(
        f"[bold red]invalid[/]: {len(report.violations):,} violation(s) in {store} ({report.triples:,} triples)",
        highlight=False,
    )
    raise typer.Exit(1)


def stats_command(
    store: Path = store_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON instead of a table."),
) -> None:
    """Count papers, concepts by type, repositories, organisations and triples in the graph store.

    Examples:
      kg stats
      kg stats --json --store /tmp/kgstore
    """
    from kg.stats import stats_json, stats_table
    from kg.store import GraphStore

    with GraphStore.open(store, read_only=True) as graph_store:
        stats = graph_store.stats()
    if as_json:
        console.print(stats_json(stats), markup=False, highlight=False)
    else:
        console.print(stats_table(stats, title=f"Graph store {store}"))


def register(app: typer.Typer) -> None:
    """Add `kg validate` and `kg stats` to `app`."""
    app.command("validate")(validate_command)
    app.command("stats")(stats_command)
