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
    /queries and /queries/NAME?param=value, / (a query page), /status. Updates are refused (403); SERVICE,
    LOAD and FROM of another graph are refused (400) before a query runs. A build into the same store is picked
    up by the next request, without a restart.

    Examples:
      kg serve
      kg serve --store /tmp/kgstore --port 8000 --timeout 10
      curl -H 'Accept: text/csv' 'http://127.0.0.1:7878/sparql' --data-urlencode 'query=SELECT * {?s ?p ?o} LIMIT 3'
    """
    from kg.serve import ServeConfig, describe, is_loopback, serve
    from kg.store import current_data_dir

    current_data_dir(store)  # no store: a one-line error now rather than at the first request
    config = ServeConfig(store=store, timeout=timeout, workers=workers)
    if not is_loopback(host):
        err_console.print(
            f"[bold yellow]warning:[/] listening on {host}: anyone who can reach this address can query the graph",
            highlight=False,
        )
    serve(
        config,
        host=host,
        port=port,
        announce=lambda bound: console.print(describe(config, host, bound), markup=False, highlight=False),
    )


def register(app: typer.Typer) -> None:
    """Add `kg serve` to `app`."""
    app.command("serve")(serve_command)
