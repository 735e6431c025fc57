"""`kg query`: SPARQL from an argument, a file, stdin or a named query, printed as a table, CSV, TSV or JSON."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from kg.api import open as open_graph
from kg.cli.options import store_option
from kg.cli.output import console, err_console
from kg.errors import KgError, UsageError
from kg.query import (
    NamedQuery,
    QueryEngine,
    QueryResult,
    compact,
    named_queries,
    run_named,
    run_query,
    unmatched_parameters,
)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


def query_command(
    sparql: str | None = typer.Argument(
        None, help="SPARQL 1.1 query text; '-' (or a pipe) reads stdin.", show_default=False
    ),
    file: Path | None = typer.Option(None, "--file", "-f", help="Read the query from FILE.", show_default=False),
    name: str | None = typer.Option(None, "--name", "-n", help="Run a named query (see --list).", show_default=False),
    param: list[str] | None = typer.Option(
        None, "--param", "-p", help="key=value, bound as an RDF term (repeatable).", show_default=False
    ),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="Output format."),
    timeout: float | None = typer.Option(
        None, "--timeout", help="Stop the query after SECONDS (exit status 124).", show_default=False
    ),
    store: Path = store_option(),
    endpoint: str | None = typer.Option(
        None,
        "--endpoint",
        help="Query a remote SPARQL 1.1 endpoint (its query URL) instead of --store.",
        show_default=False,
    ),
    list_queries: bool = typer.Option(False, "--list", help="Describe the named queries and exit."),
) -> None:
    """Query the graph with SPARQL; the common prefixes (kg:, kgid:, skos:, dcterms:, ...) are pre-declared.

    SELECT and ASK print as a table, CSV, TSV or SPARQL JSON; CONSTRUCT and DESCRIBE print Turtle (JSON-LD with
    --format json). Queries are read-only and never reach the network: SERVICE, LOAD and updates are refused.

    Examples:
      kg query "SELECT ?title WHERE { ?p a kg:Paper ; dcterms:title ?title } LIMIT 5"
      kg query -f my.rq --format csv
      kg query --name top-concepts --param type=dataset --param limit=10
      kg query --list
      kg query --endpoint 'http://127.0.0.1:7878/query?union-default-graph' --name top-concepts
    """
    if list_queries:
        _print_named(named_queries())
        return
    values = _parse_params(param or [])
    if name is not None:
        if sparql is not None or file is not None:
            raise UsageError("give a query text, -f FILE or --name NAME, not several")
        with _engine(store, endpoint) as engine:
            result = run_named(engine, name, values, timeout=timeout)
            unmatched = unmatched_parameters(engine, name, values) if len(result) == 0 else []
        if unmatched:
            raise KgError("nothing matched: " + "; ".join(entry.message() for entry in unmatched))
    else:
        text, source = _read_query(sparql, file)
        if not text.strip():
            raise UsageError(f"{source}: the query is empty")
        with _engine(store, endpoint) as engine:
            result = run_query(engine, text, substitutions=values, timeout=timeout, source=source)
    _print_result(result, output)
    if len(result) == 0 and result.kind != "boolean" and output is not OutputFormat.table:
        err_console.print("no rows: nothing matched", highlight=False)


@contextlib.contextmanager
def _engine(store: Path, endpoint: str | None) -> Iterator[QueryEngine]:
    """What the query runs on: the local store, or a remote endpoint (checked by the same read-only guard)."""
    if endpoint is not None:
        from kg.remote_store import open_endpoint

        with open_endpoint(endpoint) as remote:
            yield remote
        return
    with open_graph(store) as graph:
        yield graph.unsafe_store  # through run_query/run_named only: the read-only guard runs first


def _parse_params(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"--param {item!r}: expected key=value")
        values[key.strip()] = value
    return values


def _read_query(sparql: str | None, file: Path | None) -> tuple[str, str]:
    """The query text and the name errors use for it: the file, "<stdin>" or "<query>"."""
    if sparql is not None and file is not None:
        raise UsageError("give a query text or -f FILE, not both")
    if file is not None and str(file) != "-":
        try:
            return file.read_text(encoding="utf-8"), str(file)
        except (OSError, UnicodeDecodeError) as error:
            raise KgError(f"cannot read query file {file}: {error}") from None
    if sparql is not None and sparql != "-":
        return sparql, "<query>"
    if sparql is None and file is None and sys.stdin.isatty():
        raise UsageError("no query: give SPARQL text, -f FILE, --name NAME or pipe a query in (see kg query --help)")
    try:
        return sys.stdin.read(), "<stdin>"
    except UnicodeDecodeError as error:
        raise KgError(f"<stdin>: the query is not UTF-8 text: {error}") from None


def _table(result: QueryResult) -> Table:
    caption = f"{len(result)} row{'s' if len(result) != 1 else ''}" if len(result) else "0 rows: nothing matched"
    table = Table(*result.variables, caption=caption)
    for row in result.solutions:
        table.add_row(*(Text(compact(term)) for term in row))  # Text: a title with [brackets] is not markup
    return table


def _print_result(result: QueryResult, output: OutputFormat) -> None:
    if output is OutputFormat.table and result.kind == "bindings":
        console.print(_table(result))
        return
    # A table of an ASK or CONSTRUCT result is its plain text: "true"/"false" or Turtle, as in CSV.
    render = {
        OutputFormat.json: result.to_json,
        OutputFormat.csv: result.to_csv,
        OutputFormat.tsv: result.to_tsv,
        OutputFormat.table: result.to_csv,
    }[output]
    text = render()
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    sys.stdout.flush()


def _print_named(queries: list[NamedQuery]) -> None:
    for query in queries:
        console.print(Text(query.name, style="bold"))
        console.print(Text("  " + query.description))
        for param in query.params:
            console.print(Text(f"  --param {param.describe()}"))
        for example in query.examples:
            console.print(Text(f"  e.g. {example}", style="dim"))
        console.print()


def register(app: typer.Typer) -> None:
    """Add `kg query` to `app`."""
    app.command("query")(query_command)
