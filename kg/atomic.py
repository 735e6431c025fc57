"""Atomic file writes: readers see the old file or the new one, never a half-written one.

The temporary file is created with mode 0666 through `os.open`, so the kernel applies the process umask exactly as
it does for a plain `open()` (`tempfile.mkstemp` would make every output 0600, unreadable to the rest of a team).
A failed write (a full disk, a read-only folder) raises `WriteError` naming the path, and leaves the old file.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kg.errors import WriteError


def os_reason(error: OSError) -> str:
    """The reason of an OSError in a few words ("No space left on device"), without Python's "[Errno 28]"."""
    return error.strerror or " ".join(str(error).split())


@contextlib.contextmanager
def write_failures(outcome: str, *, committed: bool, where: str | None = None) -> Iterator[None]:
    """Turn a failed write (a full disk: Oxigraph raises OSError, our own files WriteError) into one `WriteError`
    ending with `outcome`, what the failure left behind; `committed` sets the exit status (5, else 4). The reason
    reads "cannot write WHERE: ..." when `where` is given, else an OSError's "cannot write: ..." or the reason of
    the WriteError, which already names its path (an inner failure's own outcome is replaced by this one)."""
    try:
        yield
    except (OSError, WriteError) as error:
        base = os_reason(error) if isinstance(error, OSError) else error.reason
        if where is not None:
            reason = f"cannot write {where}: {base}"
        else:
            reason = f"cannot write: {base}" if isinstance(error, OSError) else base
        raise WriteError(reason, committed=committed, outcome=outcome) from error


def _create_beside(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file in `path`'s folder, opened for writing, with the umask's permissions."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside `path`; on success fsync and rename it over `path`.

    On any exception the temporary file is removed and `path` is left as it was; an OSError (from the writing
    or from the block's own work) becomes a `WriteError` naming `path`.
    """
    path = Path(path)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_beside(path)
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(error, OSError):
            raise WriteError(f"cannot write {path}: {os_reason(error)}") from error
        raise


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_open(path, "w") as handle:
        handle.write(text)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_open(path, "wb", encoding=None) as handle:
        handle.write(data)


def write_json_gz(path: Path, document: object) -> None:
    """`document` as gzipped JSON with sorted keys and no time stamp in the gzip header, written atomically: the
    same document always gives the same bytes (the model and statistics `kg train` ships are compared byte for
    byte)."""
    data = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    atomic_write_bytes(path, gzip.compress(data, compresslevel=9, mtime=0))


def read_json_gz(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return json.load(stream)
