"""The `kg` command line: a thin typer layer over the Python API.

Each area registers its own commands (`register(app)`), so this module only assembles them and turns
`KgError` into a one-line message with a non-zero exit status.
"""

from __future__ import annotations

import sys

import typer

from kg.cli import (
    analytics_cmds,
    build_cmds,
    eval_cmds,
    export_cmds,
    extract_cmds,
    query_cmds,
    store_cmds,
    view_cmds,
)
from kg.cli.output import err_console
from kg.errors import KgError

app = typer.Typer(
    name="kg",
    help=(
        "Build a typed knowledge graph of ML papers (methods, datasets, hardware, metrics, tasks) and query it.\n\n"
        "Example: [bold]kg build seeds/ && kg stats && kg query --name top-concepts --param type=method[/bold]"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

for module in (build_cmds, store_cmds, extract_cmds, eval_cmds, query_cmds, export_cmds, view_cmds, analytics_cmds):
    module.register(app)


def main() -> None:
    try:
        app()
    except KgError as error:
        err_console.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
