"""The `kg` command line: a thin typer layer over the Python API.

Each area registers its own commands (`register(app)`), so this module only assembles them and turns
`KgError` into a one-line message with a non-zero exit status.

Exit statuses: 0 success; 1 an error the message explains; 2 a usage error; 3 the store is locked by another
writer; 4 a write failed and nothing was committed (the store is as it was); 5 a write failed after the store was
committed (the store is complete, an export or report is not); 124 a query ran past --timeout; 130 interrupted.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import typer
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup, TyperOption

from kg.cli import (
    analytics_cmds,
    build_cmds,
    eval_cmds,
    export_cmds,
    extract_cmds,
    query_cmds,
    serve_cmds,
    store_cmds,
    train_cmds,
    view_cmds,
)
from kg.cli.output import err_console
from kg.errors import KgError


def _show_flags_as_flags(params: list[Any]) -> list[Any]:
    """Typer's rich help prints `<bool>` after every flag (`--strict <bool>`, even `--help <bool>`), as if it took a
    value; an empty metavar makes a flag read as one. Parsing is unchanged: flags never take a value."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class FlagCommand(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _show_flags_as_flags(super().get_params(ctx))


class FlagGroup(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _show_flags_as_flags(super().get_params(ctx))


app = typer.Typer(
    name="kg",
    help=(
        "Build a typed knowledge graph of ML papers (methods, datasets, hardware, metrics, tasks) and query it.\n\n"
        "Example: [bold]kg build seeds/ && kg stats && kg query --name top-concepts --param type=method[/bold]\n\n"
        "Exit status: 0 ok, 1 error, 2 usage error, 3 store locked, 4 write failed (store unchanged), "
        "5 write failed after the store was committed, 124 query timeout."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    cls=FlagGroup,
)

for module in (
    build_cmds,
    store_cmds,
    extract_cmds,
    eval_cmds,
    query_cmds,
    export_cmds,
    view_cmds,
    analytics_cmds,
    serve_cmds,
    train_cmds,
):
    module.register(app)
for command in app.registered_commands:
    command.cls = FlagCommand


def main() -> None:
    try:
        app()
    except KgError as error:
        err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        _quiet_stdout()  # the reader went away (`kg query ... | head`): not an error worth a message
        sys.exit(141)
    except OSError as error:  # writing to stdout or stderr on a full disk, or any write not routed through kg.atomic
        where = f" {error.filename}" if error.filename else " the output"
        reason = error.strerror or " ".join(str(error).split())
        message = escape(f"cannot write{where}: {reason}")
        err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
        sys.exit(4 if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else 1)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so Python's exit-time flush does not raise BrokenPipeError again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
