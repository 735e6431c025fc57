"""`kg serve`: the read-only SPARQL endpoint over the store (see kg.serve)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from kg.cli.output import console, err_console
from kg.paths import DEFAULT_STORE


def serve_command(
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="Folder of the graph store to serve."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(7878, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.001, help="Stop a query after SECONDS (HTTP 503)."),
    workers: int = typer.Option(
        min(4, os.cpu_count() or 1), "--workers", min=1, help="Query worker processes (queries run in parallel)."
    ),
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 Protocol endpoint, with the named queries and a query page.

    Endpoints: /sparql (GET ?query=, POST form or application/sparql-query; results as SPARQL JSON, XML, CSV,
    TSV, or Turtle, N-Triples, JSON-LD, RDF/XML for CONSTRUCT/DESCRIBE, chosen by the Accept header),
    /queries and /queries/NAME?param=value, / (a query page), /status, and /map (the HTML concept map of the
    version served; ?type=method,dataset&top=200&min-papers=2 choose what it draws). Updates are refused (403);
    SERVICE, LOAD and FROM of another graph are refused (400) before a query runs. A build into the same store is
    picked up by the next request, without a restart.

    Examples:
      kg serve
      kg serve --store /tmp/kgstore --port 8000 --timeout 10
      curl -H 'Accept: text/csv' 'http://127.0.0.1:7878/sparql' --data-urlencode 'query=SELECT * {?s ?p ?o} LIMIT 3'
      open 'http://127.0.0.1:7878/map?type=method,dataset&top=200'
    """
    from kg.serve import ServeConfig, describe, endpoint_urls, is_loopback, serve
    from kg.serve_map import MAP_ROUTES
    from kg.store import current_data_dir

    current_data_dir(store)  # no store: a one-line error now rather than at the first request
    config = ServeConfig(store=store, timeout=timeout, workers=workers)
    if not is_loopback(host):
        err_console.print(
            f"[bold yellow]warning:[/] listening on {host}: anyone who can reach this address can query the graph",
            highlight=False,
        )

    def announce(bound: int) -> None:
        concept_map = endpoint_urls(host, bound)["query page"] + "map"
        console.print(f"{describe(config, host, bound)}\nconcept map: {concept_map}", markup=False, highlight=False)

    serve(config, host=host, port=port, announce=announce, routes=MAP_ROUTES)


def register(app: typer.Typer) -> None:
    """Add `kg serve` to `app`."""
    app.command("serve")(serve_command)
