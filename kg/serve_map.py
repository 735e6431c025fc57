"""`/map` on `kg serve`: the HTML concept map of the version being served, plugged in through
`kg.serve.create_app(config, routes=MAP_ROUTES)`.

The page is `kg.export.html.render_map`'s: one self-contained file (no script or stylesheet from anywhere, a
Content-Security-Policy that allows no connection), so serving it adds nothing the file export lacks. It is
rendered in a query worker (`MapJob` through `request.app.state.pool`), like a query: from the store version
committed when the request arrived, opened read-only, and stopped at the server's time limit. Only the common
selection parameters are taken (`type`, `top`, `min-papers`); a map drawn from a query file (`kg view --query`)
stays a command-line feature, so a request can never name a file on the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from kg.errors import KgError, UsageError
from kg.export.html import MapOptions
from kg.query_workers import WorkerPool
from kg.serve import error_response

if TYPE_CHECKING:
    import pyoxigraph as ox

MAP_PARAMS: tuple[str, ...] = ("type", "top", "min-papers")


@dataclass(frozen=True)
class MapJob:
    """The concept map for a query worker (see `kg.query_workers.Job`)."""

    options: MapOptions
    source: str = "/map"

    def run(self, store: ox.Store) -> str:
        from kg.export.html import render_map

        return render_map(store, self.options)


def map_options(params: Mapping[str, list[str]]) -> MapOptions:
    """The `MapOptions` of a request's parameters: `type` (repeatable or comma-separated), `top` and `min-papers`
    (positive integers); UsageError for anything else, so a misspelt parameter is never silently ignored."""
    unknown = sorted(set(params) - set(MAP_PARAMS))
    if unknown:
        raise UsageError(f"unknown map parameter {', '.join(unknown)} (known: {', '.join(MAP_PARAMS)})")
    kinds = tuple(k.strip().lower() for value in params.get("type", []) for k in value.split(",") if k.strip())
    min_papers = _integer(params, "min-papers")
    options = MapOptions(types=kinds, top=_integer(params, "top"), min_papers=1 if min_papers is None else min_papers)
    options.check()
    return options


def _integer(params: Mapping[str, list[str]], name: str) -> int | None:
    values = params.get(name, [])
    if not values:
        return None
    if len(values) > 1:
        raise UsageError(f"give {name} once, not {len(values)} times")
    try:
        return int(values[0])
    except ValueError:
        raise UsageError(f"{name} must be a whole number, not {values[0]!r}") from None


async def concept_map(request: Request) -> Response:
    """/map?type=method,dataset&top=200&min-papers=2: the concept map of the version served now."""
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    pool: WorkerPool = request.app.state.pool
    try:
        page = await run_in_threadpool(pool.run, MapJob(map_options(params)))
    except KgError as error:
        return error_response(error)
    return HTMLResponse(page)


MAP_ROUTES = (Route("/map", concept_map, methods=["GET"]),)
