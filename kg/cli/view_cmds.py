"""`kg view`: write the HTML concept map and open it; the map selection options shared with `kg export`."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import typer

from kg.cli.options import output_option, store_option
from kg.cli.output import console, err_console
from kg.errors import KgError
from kg.export.html import DEFAULT_TOP, MapOptions
from kg.paths import default_exports

# Declared once, used by `kg view` and `kg export --format html`.
TYPE_OPTION = typer.Option(
    None,
    "--type",
    help="Concept types to draw (repeatable or comma-separated): method, dataset, hardware, metric, task.",
)
CONCEPT_OPTION = typer.Option(None, "--concept", help="Draw the concepts around this one (label or alias).")
DEPTH_OPTION = typer.Option(1, "--depth", min=1, help="With --concept: co-occurrence steps from it.")
QUERY_OPTION = typer.Option(
    None, "--query", help="A SPARQL SELECT or CONSTRUCT file (.rq); the concepts (or papers) it names are drawn."
)
TOP_OPTION = typer.Option(
    None,
    "--top",
    min=1,
    help=f"Keep the N concepts with the most papers (default {DEFAULT_TOP} when nothing else selects).",
)
MIN_PAPERS_OPTION = typer.Option(1, "--min-papers", min=1, help="Keep concepts named by at least N papers.")
PAPERS_OPTION = typer.Option(False, "--papers", help="Also draw the papers of the drawn concepts.")
PHYSICS_OPTION = typer.Option(False, "--physics", help="Let nodes move (vis-network physics) from the computed layout.")
TITLE_OPTION = typer.Option("Concept map", "--title", help="Title of the page.")


def map_options(
    types: list[str] | None,
    concept: str | None,
    depth: int,
    query: Path | None,
    top: int | None,
    min_papers: int,
    papers: bool,
    physics: bool,
    title: str,
) -> MapOptions:
    """The `MapOptions` the command-line options describe; a query file is read here, with a clear error."""
    query_text = None
    if query is not None:
        try:
            query_text = query.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise KgError(f"cannot read query file {query}: {error}") from None
    kinds = tuple(k.strip().lower() for item in types or () for k in item.split(",") if k.strip())
    options = MapOptions(
        types=kinds,
        concept=concept,
        depth=depth,
        query=query_text,
        query_source=str(query) if query is not None else "<query>",
        top=top,
        min_papers=min_papers,
        papers=papers,
        physics=physics,
        title=title,
    )
    options.check()
    return options


def view_command(
    output: Path | None = output_option(
        "Where to write the page before opening it (default: kg.html in the store's exports folder: exports/ for "
        "the default store, STORE/exports for any other)."
    ),
    store: Path = store_option(),
    open_browser: bool = typer.Option(True, "--open/--no-open", help="Open the page in the default browser."),
    types: list[str] = TYPE_OPTION,
    concept: str = CONCEPT_OPTION,
    depth: int = DEPTH_OPTION,
    query: Path = QUERY_OPTION,
    top: int = TOP_OPTION,
    min_papers: int = MIN_PAPERS_OPTION,
    papers: bool = PAPERS_OPTION,
    physics: bool = PHYSICS_OPTION,
    title: str = TITLE_OPTION,
) -> None:
    """Write the interactive concept map (one self-contained HTML file) and open it in the browser.

    The page needs no network: vis-network is inlined. Click a concept for its papers, evidence sentences and
    neighbours; search by name or alias; filter by type, paper count, date and community.

    Examples:
      kg view                                      # the 300 concepts with the most papers
      kg view --concept LoRA --depth 2
      kg view --type dataset,metric --min-papers 3 --papers
      kg view --query my-nodes.rq --no-open -o /tmp/map.html
    """
    from kg.api import open as open_graph
    from kg.export.html import write_map

    options = map_options(types, concept, depth, query, top, min_papers, papers, physics, title)
    output = output if output is not None else default_exports(store) / "kg.html"
    with open_graph(store) as graph:
        path = write_map(graph.unsafe_store, output, options)
    console.print(f"wrote {path} ({path.stat().st_size:,} bytes)", highlight=False)
    if open_browser and not webbrowser.open(path.resolve().as_uri()):
        err_console.print(f"could not start a browser; open {path.resolve().as_uri()}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `kg view` to `app`."""
    app.command("view")(view_command)
