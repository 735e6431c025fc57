"""A SPARQL server as the graph store: `kg build --store http://HOST:PORT/...` and `kg query --endpoint URL`.

How a build writes into a server. The graph the server gets must equal the embedded build of the same input,
and that graph is more than the union of what each paper states: a paper replaced by a new extraction takes back
the aliases no other paper states, case variants of one concept keep one preferred label, and paper counts and
label keys are derived from the whole graph (`kg.store`, `kg.derived`). Those rules need per-paper bookkeeping
that a server holds nowhere a query would not see it. So the build runs the embedded store's own code on a local
*working copy* (a `GraphStore` under `.kg/remote/`), and then brings the server to equal it:

* the graph is cut into named graphs: one per paper (the paper's node, its kg:listedIn links, its mentions and
  results) and the shared nodes (concepts, authors, organisations, repositories, listings) hashed into buckets,
  about four papers per bucket, so a small add rewrites few small graphs;
* a digest of each named graph is compared with the digests the server was last sent (`synced.json` beside the
  working copy), and only the graphs that differ are sent, with the SPARQL 1.1 Graph Store HTTP Protocol: `PUT`
  replaces a graph whole, so sending one twice changes nothing, and `DELETE` drops a graph no longer needed;
* graphs go in batches; the digests are saved after each batch, so a build stopped half-way resends only what
  the server lacks. Transient failures (connection errors, 429, 5xx) are retried with a bounded exponential
  backoff; a refused write (401, 403, 405: a read-only server) stops the build with a one-line message.

A machine without a working copy pulls one from the server first (a CONSTRUCT over kg's graphs), and a working
copy whose triple count no longer matches the server's (another machine wrote since) is pulled again. One writer
at a time per server, as for the embedded store.

Queries see the graph as the union of the named graphs: Oxigraph `serve --union-default-graph` (or
`?union-default-graph` on the query URL), Fuseki's `unionDefaultGraph`, and GraphDB's and QLever's default.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kg.atomic import atomic_write_text
from kg.errors import KgError
from kg.mapped import MappedPaper, map_extraction
from kg.paths import is_remote, remote_name
from kg.query import QueryResult, Term, check_read_only, inline_substitutions, run_query
from kg.records import Extraction
from kg.sparql_http import CLIENT_ACCEPT, parse_result
from kg.store import AddReport, GraphStore, import_graph
from kg.terms import ID, KG
from kg.timing import Phases

GRAPH_BASE = str(ID) + "graph/"  # every named graph kg writes is under this IRI (and under kg.terms.BASE)
DEFAULT_WORKING_COPIES = Path(".kg") / "remote"
_DEFAULT = ox.DefaultGraph()
_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_PAPER = ox.NamedNode(str(KG.Paper))
_PARTS = (ox.NamedNode(str(KG.hasMention)), ox.NamedNode(str(KG.hasResult)))
_MANIFEST = "synced.json"
_BATCH_GRAPHS = 200  # named graphs per batch (the digests are saved after each)
_ATTEMPTS = 6  # tries per request: waits of 0.5, 1, 2, 4, 8 s between them (15.5 s in all)
_QUERY_ATTEMPTS = 3  # a query is retried less: a mistyped --endpoint should fail in seconds
_TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})
_REFUSED = frozenset({401, 403, 405})

# upload progress: graphs sent so far, graphs to send
UploadProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class ServerUrls:
    """The Graph Store Protocol URL a build writes to and the query URL reads go to."""

    graph_store: str
    query: str


# Known layouts: (the --store URL's path ending, the query path that replaces it). Anything else (QLever, a
# Fuseki dataset URL) takes queries at the same URL.
_LAYOUTS: tuple[tuple[str, str], ...] = (
    ("/store", "/query?union-default-graph"),  # Oxigraph server
    ("/data", "/query"),  # Fuseki: /DATASET/data
    ("/rdf-graphs/service", ""),  # GraphDB and RDF4J: /repositories/REPO/rdf-graphs/service
)


def server_urls(url: str) -> ServerUrls:
    """The Graph Store and query URLs of the server `url` (a --store value) names."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KgError(f"{url}: a remote store is an http:// or https:// URL with a host")
    path = parts.path.rstrip("/")
    for ending, query_path in _LAYOUTS:
        if path.endswith(ending):
            query, _, flag = query_path.partition("?")
            query_url = urlunsplit(parts._replace(path=path[: -len(ending)] + query))
            if flag:
                query_url += ("&" if "?" in query_url else "?") + flag
            return ServerUrls(url, query_url)
    return ServerUrls(url, url)


def without_credentials(url: str) -> str:
    """The URL as printed in messages: user and password removed."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


# ------------------------------------------------------------------------------------------------- HTTP


class RejectedError(KgError):
    """The server answered a request with a 4xx that is neither transient nor a refusal to write."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class _Http:
    """One keep-alive HTTP client with bounded retries of transient failures."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 120.0,
        attempts: int = _ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.where = without_credentials(url)
        self._attempts = attempts
        self._client = httpx.Client(timeout=timeout, follow_redirects=True)
        self._sleep = sleep

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """Send one request; retry transient failures; raise KgError on a refusal or when the tries run out."""
        failure = ""
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(0.5 * 2 ** (attempt - 1))
            try:
                response = self._client.request(method, url, **kw)
            except httpx.TransportError as error:
                failure = f"{type(error).__name__}: {' '.join(str(error).split()) or 'no answer'}"
                continue
            if response.status_code < 400:
                return response
            detail = _first_line(response.text)
            status = f"HTTP {response.status_code} {response.reason_phrase}" + (f": {detail}" if detail else "")
            if response.status_code in _REFUSED:
                raise KgError(
                    f"{self.where}: the server refused the write ({method}, {status}); "
                    "check that it is not read-only and that the URL carries the credentials it needs"
                )
            if response.status_code not in _TRANSIENT:
                raise RejectedError(f"{self.where}: the server rejected the {method} ({status})", response.status_code)
            failure = status
        raise KgError(f"{self.where}: {method} failed {self._attempts} times, last: {failure}")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0][:200] if lines else ""


# ------------------------------------------------------------------------------------------------ queries


def request_text(query: str, prefixes: Mapping[str, str] | None, substitutions: Mapping[str, Term] | None) -> str:
    """The query as a server without kg's options receives it: the prefixes declared in the text, and the
    substitutions written in as VALUES blocks (`kg.query.inline_substitutions`)."""
    declared = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in (prefixes or {}).items())
    return declared + inline_substitutions(query, substitutions or {})


class SparqlEndpoint:
    """A remote SPARQL 1.1 Protocol query endpoint, usable wherever kg.query runs a query on a pyoxigraph Store.

    The common prefixes are declared by prepending them; substitutions are written in as VALUES blocks
    (`kg.query.inline_substitutions`). A query is first parsed by pyoxigraph on an empty in-memory store, so a
    syntax error names the user's line and column, as for a local query."""

    def __init__(self, url: str, *, timeout: float = 300.0) -> None:
        self.url = url
        self._timeout = timeout

    def query(
        self,
        query: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: dict[ox.Variable, Term] | None = None,
    ) -> QueryResult:
        check_read_only(query)  # before anything runs it, even on the empty store below
        ox.Store().query(query, prefixes=prefixes, substitutions=substitutions)  # raises SyntaxError, as locally
        text = request_text(query, prefixes, {v.value: term for v, term in (substitutions or {}).items()})
        http = _Http(self.url, timeout=self._timeout, attempts=_QUERY_ATTEMPTS)
        try:
            response = http.request("POST", self.url, data={"query": text}, headers={"Accept": CLIENT_ACCEPT})
        finally:
            http.close()
        return parse_result(response.headers.get("content-type", ""), response.content, http.where)


# ----------------------------------------------------------------------------------------- named graphs


def _paper_graph(paper: str) -> str:
    local = paper[len(str(ID)) :] if paper.startswith(str(ID)) else "paper/" + hashlib.sha1(paper.encode()).hexdigest()
    return GRAPH_BASE + local


def _bucket_count(papers: int) -> int:
    """Buckets for the shared nodes: a power of two near a quarter of the papers, at least 16."""
    count = 16
    while count * 4 < papers:
        count *= 2
    return count


def _line(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} ."


def _line_hash(line: str) -> int:
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass
class _Partition:
    """The store's default graph cut into named graphs: each graph's subjects, triple count and digest."""

    subjects: dict[str, set[ox.NamedNode | ox.BlankNode]]
    digests: dict[str, str]

    @property
    def triples(self) -> int:
        return sum(int(digest.split(":", 1)[0]) for digest in self.digests.values())

    def lines(self, db: ox.Store, graph: str) -> list[str]:
        return [
            _line(quad)
            for subject in self.subjects[graph]
            for quad in db.quads_for_pattern(subject, None, None, _DEFAULT)
        ]


def partition(db: ox.Store) -> _Partition:
    """Cut `db`'s default graph into kg's named graphs (see the module docstring), with an order-independent
    digest of each: the sum of its lines' hashes, so two stores holding the same triples agree."""
    papers = {q.subject for q in db.quads_for_pattern(None, _TYPE, _PAPER, _DEFAULT)}
    owner = {q.object: q.subject for part in _PARTS for q in db.quads_for_pattern(None, part, None, _DEFAULT)}
    buckets = _bucket_count(len(papers))
    graph_of: dict[Any, str] = {}
    subjects: dict[str, set[Any]] = {}
    sums: dict[str, int] = {}
    counts: dict[str, int] = {}
    for quad in db.quads_for_pattern(None, None, None, _DEFAULT):
        subject = quad.subject
        graph = graph_of.get(subject)
        if graph is None:
            paper = subject if subject in papers else owner.get(subject)
            if paper is not None and paper in papers and isinstance(paper, ox.NamedNode):
                graph = _paper_graph(paper.value)
            else:
                bucket = int(hashlib.sha1(str(subject).encode()).hexdigest()[:8], 16) % buckets
                graph = f"{GRAPH_BASE}nodes/{buckets}/{bucket}"
            graph_of[subject] = graph
            subjects.setdefault(graph, set()).add(subject)
        sums[graph] = (sums.get(graph, 0) + _line_hash(_line(quad))) % (1 << 64)
        counts[graph] = counts.get(graph, 0) + 1
    return _Partition(subjects, {graph: f"{counts[graph]}:{sums[graph]:016x}" for graph in sums})


# ------------------------------------------------------------------------------------------ the store


def _working_copy_for(url: str) -> Path:
    return DEFAULT_WORKING_COPIES / remote_name(url)


class RemoteStore:
    """A SPARQL server written through the Graph Store HTTP Protocol, with `GraphStore`'s add/stats interface.

    Open it with `RemoteStore.open(url)` and use it as a context manager; `oxigraph` is the working copy,
    which equals the server's graph after each `add` (exports read it)."""

    def __init__(self, urls: ServerUrls, working_copy: Path, local: GraphStore, upload: UploadProgress | None) -> None:
        self.urls = urls
        self.working_copy = working_copy
        self._local: GraphStore | None = local
        self._http = _Http(urls.graph_store)
        self._upload = upload
        self._dataset_post = True  # until the server rejects one
        self._dataset_post_checked = False

    @classmethod
    def open(cls, url: str, *, working_copy: Path | None = None, upload: UploadProgress | None = None) -> RemoteStore:
        """Open the server at `url` for writing; `working_copy` defaults to a folder under .kg/remote/."""
        urls = server_urls(url)
        folder = Path(working_copy) if working_copy is not None else _working_copy_for(url)
        _refresh_working_copy(urls, folder)
        local = GraphStore.open(folder / "store", read_only=False)
        return cls(urls, folder, local, upload)

    # ---- the GraphStore interface

    @property
    def local(self) -> GraphStore:
        if self._local is None:
            raise KgError(f"remote store {without_credentials(self.urls.graph_store)} is closed")
        return self._local

    @property
    def path(self) -> str:
        return without_credentials(self.urls.graph_store)

    @property
    def oxigraph(self) -> ox.Store:
        return self.local.oxigraph

    def stats(self) -> dict:
        return self.local.stats()

    def triple_count(self) -> int:
        return self.local.triple_count()

    def add(self, extractions: Iterable[Extraction]) -> AddReport:
        """Add to the working copy (the embedded store's rules), then send the server what differs from it."""
        return self.add_mapped(map(map_extraction, extractions))

    def add_mapped(
        self,
        papers: Iterable[MappedPaper],
        phases: Phases | None = None,
        steps: Callable[[int, int], None] | None = None,
    ) -> AddReport:
        """`add` for papers already mapped (see `GraphStore.add_mapped`)."""
        report = self.local.add_mapped(papers, phases, steps)
        self.sync()
        return report

    def replace_annotations(
        self, predicates: Iterable[str], classes: Iterable[str], triples: Iterable[ox.Triple]
    ) -> bool:
        """`GraphStore.replace_annotations` on the working copy, then send the server what differs from it."""
        changed = self.local.replace_annotations(predicates, classes, triples)
        if changed:
            self.sync()
        return changed

    def sync(self) -> int:
        """Send the server every named graph that differs from what it was last sent; returns how many.

        Graphs the server has never been sent go many to a request, as N-Quads POSTed to the Graph Store URL
        (a dataset POST: Oxigraph and Fuseki take it; measured about 3x faster than one PUT per graph on
        Oxigraph); a server that rejects it gets one PUT per graph instead. A changed graph is replaced by a PUT,
        a graph no longer needed is deleted."""
        db = self.local.oxigraph
        current = partition(db)
        sent = dict(_read_manifest(self.working_copy).get("graphs", {}))
        changed = sorted(graph for graph, digest in current.digests.items() if sent.get(graph) != digest)
        new = [graph for graph in changed if graph not in sent]
        steps: list[tuple[str, list[str]]] = [
            ("post", new[i : i + _BATCH_GRAPHS]) for i in range(0, len(new), _BATCH_GRAPHS)
        ]
        replaced = [graph for graph in changed if graph in sent]
        steps += [("put", replaced[i : i + _BATCH_GRAPHS]) for i in range(0, len(replaced), _BATCH_GRAPHS)]
        gone = sorted(set(sent) - set(current.digests))
        steps += [("delete", gone[i : i + _BATCH_GRAPHS]) for i in range(0, len(gone), _BATCH_GRAPHS)]
        total = len(changed) + len(gone)
        done = 0
        for action, graphs in steps:
            if action == "delete":
                for graph in graphs:
                    self._delete(graph)
                    sent.pop(graph, None)
            else:
                if action == "put" or not self._post(db, current, graphs):
                    for graph in graphs:
                        self._put(graph, current.lines(db, graph))
                sent.update((graph, current.digests[graph]) for graph in graphs)
            _write_manifest(self.working_copy, self.urls.graph_store, sent)
            done += len(graphs)
            if self._upload is not None:
                self._upload(done, total)
        if not steps:
            _write_manifest(self.working_copy, self.urls.graph_store, sent)
        return total

    def _post(self, db: ox.Store, current: _Partition, graphs: list[str]) -> bool:
        """POST `graphs` as one N-Quads document; False when the server does not take a dataset POST."""
        if not self._dataset_post:
            return False
        body = "".join(f"{line[:-1]}<{graph}> .\n" for graph in graphs for line in current.lines(db, graph))
        headers = {"Content-Type": "application/n-quads"}
        try:
            self._http.request("POST", self.urls.graph_store, content=body.encode("utf-8"), headers=headers)
        except RejectedError:
            self._dataset_post = False
            return False
        if not self._dataset_post_checked:  # a server that took the POST but dropped the graph names would be wrong
            if not run_query(SparqlEndpoint(self.urls.query), f"ASK {{ GRAPH <{graphs[0]}> {{ ?s ?p ?o }} }}").boolean:
                raise KgError(
                    f"{self.path}: the server took an N-Quads POST but did not keep its named graphs; "
                    "it cannot hold a kg graph as it is (see README, Remote stores)"
                )
            self._dataset_post_checked = True
        return True

    def _put(self, graph: str, lines: list[str]) -> None:
        body = "".join(line + "\n" for line in lines).encode("utf-8")
        headers = {"Content-Type": "application/n-triples"}
        self._http.request("PUT", self.urls.graph_store, params={"graph": graph}, content=body, headers=headers)

    def _delete(self, graph: str) -> None:
        try:
            self._http.request("DELETE", self.urls.graph_store, params={"graph": graph})
        except RejectedError as error:
            if error.status != 404:  # already gone: what DELETE wanted
                raise

    # ---- closing

    def close(self) -> None:
        if self._local is not None:
            self._local.close()
            self._local = None
        self._http.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise KgError(f"cannot read {folder / _MANIFEST}: {error}") from None


def _write_manifest(folder: Path, url: str, graphs: Mapping[str, str]) -> None:
    triples = sum(int(digest.split(":", 1)[0]) for digest in graphs.values())
    document = {"server": without_credentials(url), "triples": triples, "graphs": dict(sorted(graphs.items()))}
    atomic_write_text(folder / _MANIFEST, json.dumps(document, indent=0) + "\n")


_KG_GRAPHS = f'GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}"))'


def _server_triples(endpoint: SparqlEndpoint) -> int:
    """The number of triples in kg's named graphs on the server."""
    result = run_query(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ {_KG_GRAPHS} }}")
    value = result.rows[0]["n"] if result.rows else 0
    return int(value or 0)


def _refresh_working_copy(urls: ServerUrls, folder: Path) -> None:
    """Make `folder` hold a working copy equal to the server's graph: keep it when the server's triple count is
    the one last sent, else pull the graph from the server (nothing to pull from a server without kg's graphs)."""
    endpoint = SparqlEndpoint(urls.query)
    on_server = _server_triples(endpoint)
    manifest = _read_manifest(folder)
    if (folder / "store").is_dir() and manifest.get("triples") == on_server:
        return
    if (folder / "store").is_dir() and not manifest and on_server == 0:
        return  # a first build that stopped before sending anything
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    if on_server == 0:
        return
    _pull(urls.query, folder / "store")
    with GraphStore.open(folder / "store") as pulled:
        _write_manifest(folder, urls.graph_store, partition(pulled.oxigraph).digests)


def _pull(query_url: str, store: Path) -> None:
    """Stream the server's kg graphs as N-Triples into a spooled file and import them as the store at `store`."""
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_KG_GRAPHS} }}"
    headers = {"Accept": "application/n-triples"}
    with httpx.Client(timeout=600.0) as client, tempfile.TemporaryFile() as spool:
        try:
            with client.stream("POST", query_url, data={"query": query}, headers=headers) as response:
                if response.status_code >= 400:
                    detail = _first_line(response.read().decode("utf-8", "replace"))
                    where = without_credentials(query_url)
                    raise KgError(f"{where}: cannot read the graph (HTTP {response.status_code}: {detail})")
                for chunk in response.iter_bytes():
                    spool.write(chunk)
        except httpx.TransportError as error:
            raise KgError(f"{without_credentials(query_url)}: cannot read the graph: {error}") from None
        spool.seek(0)
        import_graph(store, spool)


@contextlib.contextmanager
def open_endpoint(url: str) -> Iterator[SparqlEndpoint]:
    """A query endpoint for `kg query --endpoint` (a context manager, like opening a local store)."""
    if not is_remote(url):
        raise KgError(f"--endpoint {url}: expected an http:// or https:// SPARQL query URL")
    yield SparqlEndpoint(url)
