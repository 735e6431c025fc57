"""`kg validate` and `kg stats`: check the graph store against the SHACL shapes, and count what it holds."""

from __future__ import annotations

from pathlib import Path

import typer

from kg.cli.output import console, err_console
from kg.paths import DEFAULT_STORE

_STORE_HELP = "Folder of the persistent graph store."


def validate_command(
    store: Path = typer.Option(DEFAULT_STORE, "--store", help=_STORE_HELP),
    engine: str = typer.Option(
        "sparql",
        "--engine",
        help="sparql: the shapes compiled to SPARQL queries run by the store (fast); "
        "pyshacl: the reference SHACL engine on an in-memory copy (minutes and GBs on large graphs).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Validate the graph against the SHACL shapes in ontology/shapes.ttl; exit 1 on any violation.

    Each violation is printed on one line: the node at fault, the property path, the message and the value.

    Examples:
      kg validate
      kg validate --store /tmp/kgstore
      kg validate --engine pyshacl      # the reference engine
    """
    from kg.cli.progress import progress_bars
    from kg.store import GraphStore  # loaded when the command runs, so `kg --help` stays light
    from kg.validate import validate_store

    with GraphStore.open(store, read_only=True) as graph_store, progress_bars(quiet) as bars:
        checked = bars.callback("validate", "Checking constraints", "checks")
        report = validate_store(graph_store, engine, progress=checked)
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
    store: Path = typer.Option(DEFAULT_STORE, "--store", help=_STORE_HELP),
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
