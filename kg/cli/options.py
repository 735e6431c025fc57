"""Options shared by several commands, defined once so that each name has one meaning everywhere.

`--format` is always the output format, `--input-format` the input format, `-o/--output` the file written,
`--store` the graph store, `-q/--quiet` no progress bars; `-f` is `--file` (a query file) and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kg.errors import KgError, UsageError
from kg.extractor_settings import DEFAULT_EXTRACTOR, EXTRACTOR_CHOICES
from kg.ingest import FORMATS
from kg.paths import DEFAULT_STORE


def store_option() -> Any:
    return typer.Option(DEFAULT_STORE, "--store", help="Folder of the graph store.")


def input_format_option() -> Any:
    return typer.Option(
        None,
        "--input-format",
        help=f"Force the input format: {', '.join(FORMATS)} (default: detected per file).",
        show_default=False,
    )


def output_option(what: str) -> Any:
    return typer.Option(None, "--output", "-o", help=what, show_default=False)


def quiet_option() -> Any:
    return typer.Option(False, "--quiet", "-q", help="No progress bars.")


def n_process_option(default: int | None = 1, help: str = "Worker processes for extraction.") -> Any:
    return typer.Option(default, "--n-process", min=1, help=help, show_default=default is not None)


def exports_option() -> Any:
    return typer.Option(
        None,
        "--exports",
        help="Folder for exports and the rejects report (default: exports/ for the default store, STORE/exports "
        "for any other store, exports/SERVER/ for a SPARQL server).",
        show_default=False,
    )


def check_inputs_exist(inputs: list[Path]) -> None:
    """Refuse input paths that do not exist, before any work; a word like "true" is probably a flag's value."""
    missing = [str(path) for path in inputs if not path.exists() and not path.is_symlink()]
    if not missing:
        return
    hint = ""
    if any(name.lower() in ("true", "false", "yes", "no", "on", "off") for name in missing):
        hint = " (flags such as --strict take no value: write --strict, not --strict true)"
    raise KgError(f"no such file or folder: {', '.join(missing)}{hint}")


def _known_extractor(value: str) -> str:
    if value not in EXTRACTOR_CHOICES:
        raise UsageError(f"unknown --extractor {value!r} (expected one of {', '.join(EXTRACTOR_CHOICES)})")
    return value


def extractor_option() -> Any:
    return typer.Option(
        DEFAULT_EXTRACTOR,
        "--extractor",
        help="Which extractor decides the concepts: learned (the concept model `kg train` fits) or rules "
        "(resolution of the rule candidates by length and confidence).",
        callback=_known_extractor,
    )
