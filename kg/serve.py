"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the store, as a Starlette (ASGI) app run by uvicorn.

Routes:

* ``/sparql`` — the SPARQL 1.1 Protocol query operation: GET ``?query=``, POST of a form (``query=``) or of
  ``application/sparql-query``. Results by content negotiation (`kg.sparql_http`). The update operation
  (``application/sparql-update``, ``update=``) is refused with 403: the endpoint is read-only.
* ``/queries`` — the named queries (JSON, or a page for a browser); ``/queries/NAME?param=value`` runs one,
  its parameters bound as RDF terms exactly as `kg query --name` binds them.
* ``/`` — a query page: type SPARQL, see a table. Rendered on the server; no script, nothing from a CDN.
* ``/status`` — the store and the version being served, as JSON.

Every query is vetted (`kg.query.check_read_only`: SERVICE, LOAD, updates and a FROM naming another graph are
refused with 400) in the server process before it reaches a worker, and runs in a worker process that is killed
when it passes the time limit (`kg.query_workers`). Each request is answered from the store version committed
when it arrived, so a build that publishes a new version is picked up by the next request, atomically.

More routes (the concept map) plug in through `create_app(..., routes=[...])`; a handler reaches the store
through `request.app.state.pool` (`WorkerPool.version()` is the data folder of the version current now).
"""

from __future__ import annotations

import html
import ipaddress
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from kg.errors import KgError, UsageError
from kg.query import (
    QueryResult,
    QueryTimeoutError,
    check_dataset,
    check_read_only,
    compact,
    named_queries,
    named_query,
)
from kg.query_workers import QueryJob, ServerError, WorkerPool
from kg.sparql_http import HTML, negotiate, offered, render

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
_DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
_FORM = "application/x-www-form-urlencoded"
_EXAMPLE = (
    "SELECT ?title ?method WHERE {\n  ?paper kg:proposes ?m ; dcterms:title ?title .\n"
    "  ?m skos:prefLabel ?method\n} LIMIT 20"
)


@dataclass(frozen=True)
class ServeConfig:
    """What `kg serve` serves and how: the store folder, the per-query time limit and the number of workers."""

    store: Path
    timeout: float = DEFAULT_TIMEOUT
    workers: int = 2


def endpoint_urls(host: str, port: int) -> dict[str, str]:
    """Where to point a client: the SPARQL endpoint, the query page and the named queries."""
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    return {"SPARQL endpoint": f"{base}/sparql", "query page": f"{base}/", "named queries": f"{base}/queries"}


# ------------------------------------------------------------------------------------------------ errors


class _HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def error_response(error: Exception) -> PlainTextResponse:
    """One line of text: the client's fault 4xx, a time limit or a busy server 503, anything else 500 (for
    routes plugged in through `create_app(routes=...)` too)."""
    if isinstance(error, _HttpError):
        status = error.status
    elif isinstance(error, QueryTimeoutError):
        status = 503
    elif isinstance(error, ServerError):
        status = 500
    else:
        status = 400
    return PlainTextResponse(" ".join(str(error).split()) + "\n", status_code=status)


# ------------------------------------------------------------------------------------------ the protocol


async def _protocol_params(request: Request) -> list[tuple[str, str]]:
    """The query operation's parameters: the URL's, plus a form body's, or the body of a sparql-query POST."""
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        return params
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _HttpError(400, "the request body is not UTF-8 text") from None
    if media_type == "application/sparql-update":
        raise _HttpError(403, "this endpoint is read-only: SPARQL updates are refused")
    if media_type == "application/sparql-query":
        return [*params, ("query", text)]
    if media_type == _FORM:
        return params + parse_qsl(text, keep_blank_values=True)
    raise _HttpError(415, f"POST a query as {_FORM} or application/sparql-query, not {media_type or 'no type'}")


def _vetted_query(params: list[tuple[str, str]]) -> str:
    """The one query text of a protocol request, checked by the same guard as `kg query` before any worker runs."""
    names = [name for name, _ in params]
    if "update" in names:
        raise _HttpError(403, "this endpoint is read-only: SPARQL updates are refused")
    queries = [value for name, value in params if name == "query"]
    if len(queries) != 1:
        raise _HttpError(400, "give exactly one 'query' parameter" if queries else "missing the 'query' parameter")
    graphs = [value for name, value in params if name in _DATASET_PARAMS]
    check_dataset(graphs, "<query>")
    if graphs:
        raise _HttpError(400, f"{', '.join(_DATASET_PARAMS)} are not supported: the graph is the default graph")
    if not queries[0].strip():
        raise _HttpError(400, "the query is empty")
    check_read_only(queries[0])
    return queries[0]


async def _answer(request: Request, job: QueryJob, *, html_title: str | None = None) -> Response:
    """Run `job` and render its result as the client accepts, both off the event loop (a large result takes
    a while to render, and other requests must not wait for it)."""
    pool: WorkerPool = request.app.state.pool
    accept = request.headers.get("accept")

    def answer() -> Response:
        result = pool.run(job)
        media_type = negotiate(accept, result.kind, html=html_title is not None)
        if media_type is None:
            available = offered(result.kind)
            raise _HttpError(406, f"cannot give this {result.kind} result as {accept}; available: {available}")
        if media_type == HTML:
            return HTMLResponse(_page(html_title or "", job.sparql or "", result=result))
        text_like = media_type.startswith("text/") or media_type.endswith(("json", "xml", "triples"))
        content_type = f"{media_type}; charset=utf-8" if text_like else media_type
        return Response(render(result, media_type), headers={"content-type": content_type, "vary": "Accept"})

    return await run_in_threadpool(answer)


async def sparql(request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation (GET or POST); updates are refused."""
    try:
        params = await _protocol_params(request)
        browser = negotiate(request.headers.get("accept"), "bindings", html=True) == HTML
        if not params and request.method == "GET" and browser:
            return HTMLResponse(_page("Query", _EXAMPLE))
        text = _vetted_query(params)
        return await _answer(request, QueryJob(sparql=text), html_title="Query")
    except (KgError, _HttpError) as error:
        return error_response(error)


async def query_page(request: Request) -> Response:
    """The query page: a form, and below it the table of the query given in ?query=."""
    params = list(request.query_params.multi_items())
    if not params:
        return HTMLResponse(_page("Query", _EXAMPLE))
    text = dict(params).get("query", "")

    def page() -> HTMLResponse:
        return HTMLResponse(_page("Query", text, result=request.app.state.pool.run(QueryJob(sparql=text))))

    try:
        _vetted_query(params)
        return await run_in_threadpool(page)
    except (KgError, _HttpError) as error:
        return HTMLResponse(_page("Query", text, error=str(error)), status_code=error_response(error).status_code)


# --------------------------------------------------------------------------------------- named queries


def _describe_named() -> list[dict[str, object]]:
    return [
        {
            "name": query.name,
            "description": query.description,
            "url": f"/queries/{query.name}",
            "params": [
                {
                    "name": param.name,
                    "type": param.type,
                    "default": param.default,
                    "choices": list(param.choices),
                    "description": param.description,
                }
                for param in query.params
            ],
            "examples": list(query.examples),
        }
        for query in named_queries()
    ]


async def list_named(request: Request) -> Response:
    """The named queries with their parameters: JSON, or a page for a browser."""
    described = _describe_named()
    if negotiate(request.headers.get("accept"), "bindings", html=True) == HTML:
        return HTMLResponse(_page("Named queries", _EXAMPLE, named=described))
    return JSONResponse(described)


async def run_named_query(request: Request) -> Response:
    """/queries/NAME?param=value: the named query, its parameters bound as RDF terms."""
    name = request.path_params["name"]
    try:
        query = named_query(name)
    except UsageError as error:
        return error_response(_HttpError(404, str(error)))
    params = dict(request.query_params)
    job = QueryJob(name=name, params=params, source=f"queries/{name}")
    try:
        return await _answer(request, job, html_title=f"{query.name}: {query.description}")
    except (KgError, _HttpError) as error:
        return error_response(error)


async def status(request: Request) -> Response:
    """The store served and the version a request arriving now is answered from."""
    pool: WorkerPool = request.app.state.pool
    try:
        version = pool.version()
    except KgError as error:
        return error_response(ServerError(str(error)))
    return JSONResponse(
        {"store": str(pool.store), "version": version.parent.name, "timeout": pool.timeout, "workers": pool.size}
    )


# ------------------------------------------------------------------------------------------------ pages

_STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 80em; padding: 0 1em; color: #222 }
textarea { width: 100%; font: 13px/1.4 ui-monospace, monospace }
table { border-collapse: collapse; margin-top: 1em } td, th { border: 1px solid #ccc; padding: .2em .5em;
vertical-align: top; text-align: left } th { background: #f3f3f3 } .error { color: #a00; white-space: pre-wrap }
nav a { margin-right: 1em } pre { background: #f7f7f7; padding: .5em; overflow: auto }
"""


def _table(result: QueryResult) -> str:
    if result.kind == "boolean":
        return f"<p>Answer: <strong>{'true' if result.boolean else 'false'}</strong></p>"
    if result.kind == "graph":
        return f"<pre>{html.escape(result.graph or '')}</pre>"
    head = "".join(f"<th>{html.escape(name)}</th>" for name in result.variables)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(compact(term))}</td>" for term in row) + "</tr>" for row in result.solutions
    )
    count = f"<p>{len(result)} row{'s' if len(result) != 1 else ''}</p>"
    return f"{count}<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _named_list(described: list[dict[str, object]]) -> str:
    items = []
    for query in described:
        examples = query["examples"]
        params = "".join(
            f"<li><code>{html.escape(str(p['name']))}</code>: {html.escape(str(p['type']))}"
            f"{' = ' + html.escape(str(p['default'])) if p['default'] is not None else ' (required)'}</li>"
            for p in query["params"]  # type: ignore[attr-defined]
        )
        link = f'<a href="/queries/{quote(str(query["name"]))}">{html.escape(str(query["name"]))}</a>'
        shown = f"<br><small>{html.escape(str(examples[0]))}</small>" if examples else ""  # type: ignore[index]
        items.append(f"<li>{link}: {html.escape(str(query['description']))}<ul>{params}</ul>{shown}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _page(
    title: str,
    text: str,
    *,
    result: QueryResult | None = None,
    error: str | None = None,
    named: list[dict[str, object]] | None = None,
) -> str:
    body = f'<p class="error">{html.escape(error)}</p>' if error else ""
    if result is not None:
        body += _table(result)
    if named is not None:
        body += _named_list(named)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg: {html.escape(title)}</title>
<style>{_STYLE}</style></head><body>
<nav><a href="/">query</a><a href="/queries">named queries</a><a href="/status">status</a></nav>
<h1>{html.escape(title)}</h1>
<form method="get" action="/"><textarea name="query" rows="10">{html.escape(text)}</textarea>
<p><button type="submit">Run</button> Prefixes kg:, kgid:, skos:, dcterms:, rdf:, rdfs:, xsd:, foaf:, prov:,
schema: are declared. Read-only; SERVICE and LOAD are refused.</p></form>
{body}
</body></html>
"""


# --------------------------------------------------------------------------------------------- the app


def create_app(
    config: ServeConfig, *, routes: Sequence[BaseRoute] = (), allowed_hosts: Sequence[str] | None = None
) -> Starlette:
    """The ASGI app serving `config.store`; `routes` are added after the built-in ones (e.g. a concept map).

    `allowed_hosts` limits the Host header (a server on loopback answers only to loopback names, so a web page
    cannot reach it through DNS rebinding). The worker pool starts with the app (its lifespan) and stops with it."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await run_in_threadpool(WorkerPool, config.store, size=config.workers, timeout=config.timeout)
        try:
            yield
        finally:
            await run_in_threadpool(app.state.pool.close)

    built_in = [
        Route("/", query_page, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/queries", list_named, methods=["GET"]),
        Route("/queries/{name}", run_named_query, methods=["GET"]),
        Route("/status", status, methods=["GET"]),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))] if allowed_hosts else []
    return Starlette(routes=[*built_in, *routes], middleware=middleware, lifespan=lifespan)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port), or a one-line error when that is impossible.

    It is made with the protocol getaddrinfo names (TCP), not 0: asyncio turns Nagle's algorithm off only on
    connections whose socket says TCP, and with it on, each response waited for the client's delayed ACK
    (44 ms per request measured on loopback, against under 1 ms)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as error:
        raise KgError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(socket.SOMAXCONN)
    except OSError as error:
        sock.close()
        raise KgError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock


def serve(
    config: ServeConfig,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    announce: Callable[[int], None] | None = None,
    routes: Sequence[BaseRoute] = (),
) -> None:
    """Run the server until interrupted (uvicorn, one process; queries run in the worker pool), with `routes`
    added to the built-in ones. The socket is bound first, so a busy port is a one-line error and `announce` gets
    the port really listened on."""
    import uvicorn

    sock = listen(host, port)
    if announce is not None:
        announce(sock.getsockname()[1])
    hosts = LOOPBACK_NAMES if is_loopback(host) else None
    server = uvicorn.Server(
        uvicorn.Config(create_app(config, routes=routes, allowed_hosts=hosts), log_level="warning", access_log=False)
    )
    server.run(sockets=[sock])


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether `host` (a --host value) only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def where_to_query(store: str | Path) -> str:
    """The line `kg build` prints: where a SPARQL client reads what it built."""
    from kg.remote_store import is_remote, server_urls, without_credentials

    if is_remote(store):
        query = without_credentials(server_urls(str(store)).query)
        return f"SPARQL endpoint: {query} (or `kg query --endpoint '{query}'`)"
    urls = endpoint_urls(DEFAULT_HOST, DEFAULT_PORT)
    return f"SPARQL endpoint: {urls['SPARQL endpoint']} once `kg serve --store {store}` runs"


def describe(config: ServeConfig, host: str, port: int) -> str:
    """The lines `kg serve` prints: where to point a client, and what is served."""
    lines = [f"{what}: {url}" for what, url in endpoint_urls(host, port).items()]
    lines.append(f"serving {config.store} read-only; queries stop after {config.timeout:g} s")
    return "\n".join(lines)
