"""A pool of query worker processes for `kg serve`: time limits that really stop a query, and new versions followed.

Why processes: Oxigraph cannot interrupt a running query, and a thread left running would keep a core busy and
the store open. `kg query` forks a child per query (`kg.query.call_with_deadline`), but forking a server that
runs threads (the web layer's, RocksDB's) can deadlock the child. So the server starts its workers once, with the
"spawn" method, and kills the one whose query passes the time limit and starts a fresh one in its place; the
other workers keep answering meanwhile.

Why it never reads a half-written graph: each request reads CURRENT_VERSION when it arrives (see kg.store) and
the worker opens that committed version read-only, a folder no writer touches. A request is answered from one
complete version; the next request after a build publishes sees the new one. A writer deletes a version two
commits later, so a version can vanish under a request that waited through two builds: that request is run once
more on the version then current.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from kg.errors import KgError
from kg.query import QueryResult, QueryTimeoutError
from kg.store import current_data_dir

if TYPE_CHECKING:
    import pyoxigraph as ox

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class ServerError(KgError):
    """The server could not run the query (a worker died, the store is gone): not the client's fault."""


class Job(Protocol[T_co]):
    """Work a worker does on the read-only store version it is given (picklable: it travels to the worker)."""

    @property
    def source(self) -> str:
        """How errors name the job."""
        ...

    def run(self, store: ox.Store) -> T_co: ...


@dataclass(frozen=True)
class QueryJob:
    """One query for a worker: SPARQL text, or a named query with its parameters."""

    sparql: str | None = None
    name: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    source: str = "<query>"

    def run(self, store: ox.Store) -> QueryResult:
        from kg.query import run_named, run_query

        if self.name is not None:
            return run_named(store, self.name, dict(self.params))
        return run_query(store, self.sparql or "", source=self.source)


def _worker_main(connection: Connection) -> None:
    """A worker's loop: say "ready" once imported, then receive (data folder, job) and answer ("ok", result) or
    ("error", KgError), until EOF."""
    import pyoxigraph as ox

    connection.send("ready")
    store: ox.Store | None = None
    opened: Path | None = None
    while True:
        try:
            data_dir, job = connection.recv()
        except (EOFError, OSError):  # the server closed the pipe or died: nothing left to serve
            return
        try:
            if data_dir != opened:
                store, opened = None, None
                store, opened = ox.Store.read_only(str(data_dir)), data_dir
            assert store is not None
            connection.send(("ok", job.run(store)))
        except KgError as error:
            connection.send(("error", error))
        except Exception as error:  # anything else still reaches the server as a message, never as a hang
            connection.send(("error", ServerError(f"{job.source}: failed: {' '.join(str(error).split())}")))


_START_TIMEOUT = 120.0  # seconds a new worker may take to import kg (minutes would mean something is wrong)


class _Worker:
    """One worker process and the server's end of its pipe; `start` waits until it can take queries, so the time
    it takes to start never counts against a query's time limit."""

    def __init__(self, context: Any) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child,), daemon=True, name="kg-query-worker")
        self.process.start()
        child.close()
        try:
            ready = self.connection.poll(_START_TIMEOUT) and self.connection.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            exited = not self.process.is_alive()
            self.stop()
            if exited:
                raise ServerError(f"a query worker ended as it started (exit code {self.process.exitcode})")
            raise ServerError(f"a query worker did not start within {_START_TIMEOUT:g} s")

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class WorkerPool:
    """`size` worker processes answering queries on the store at `store`, each query limited to `timeout` s.

    `run` blocks until a worker is free (at most `timeout` seconds, then the server is busy) and until the
    answer comes; it is meant to be called from the web layer's thread pool."""

    def __init__(self, store: Path, *, size: int, timeout: float) -> None:
        if size < 1:
            raise KgError(f"the server needs at least one worker, not {size}")
        if not timeout > 0:
            raise KgError(f"the time limit must be a positive number of seconds, not {timeout}")
        current_data_dir(store)  # fail now, with a clear message, when there is no store
        self.store = store
        self.timeout = timeout
        self.size = size
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._context)
        with self._lock:
            if self._closed:
                worker.stop()
                raise ServerError("the server is shutting down")
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Stop `worker` (past its time limit, or dead) and start another in the background: the request that
        found it answers at once, and the pool has one worker fewer until the new one is ready."""
        worker.stop()
        with self._lock:
            self._all.discard(worker)

        def start() -> None:
            with contextlib.suppress(ServerError):
                self._idle.put(self._start())

        threading.Thread(target=start, name="kg-query-worker-start", daemon=True).start()

    def version(self) -> Path:
        """The folder of the version a request arriving now is answered from."""
        return current_data_dir(self.store)

    def run(self, job: Job[T]) -> T:
        """Answer `job` from the version committed now; raises KgError (the query's fault), QueryTimeoutError or
        ServerError."""
        data_dir = self.version()
        try:
            return self._run_on(data_dir, job)
        except KgError:
            if data_dir.exists() or self.version() == data_dir:
                raise
        return self._run_on(self.version(), job)  # the version was deleted under the request: once more

    def _run_on(self, data_dir: Path, job: Job[T]) -> T:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ServerError(f"{job.source}: every query worker stayed busy for {self.timeout:g} s") from None
        healthy = False
        try:
            worker.connection.send((data_dir, job))
            if not worker.connection.poll(self.timeout):
                raise QueryTimeoutError(f"{job.source}: stopped after the {self.timeout:g} s time limit")
            status, payload = worker.connection.recv()
            healthy = True
        except (EOFError, OSError):
            raise ServerError(f"{job.source}: the query worker ended without an answer") from None
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker)
        if status == "error":
            raise payload
        return cast(T, payload)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()
