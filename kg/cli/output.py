"""Consoles shared by the commands: results go to stdout, messages and progress to stderr."""

from __future__ import annotations

from rich.console import Console

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)
