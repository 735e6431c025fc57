"""Reading files and folders into deduplicated papers: the entry points of the ingest layer.

`read_file` streams one file through the reader its format needs; `ingest` expands folders, reads every file,
keeps the rejects in file and line order and merges the listings into papers. Neither raises on bad data: an
empty, binary or unrecognisable file is one `Rejected`, like a bad line.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.ingest import arxiv, hf_api, hf_listing, tabular
from kg.ingest.detect import ARXIV, BINARY, CSV, HF_API, HF_LISTING, JSONL, check_format, sniff
from kg.ingest.lines import DEFAULT_LIMITS, ByteProgress, Limits, is_binary, read_head
from kg.ingest.merge import merge_papers
from kg.records import Paper, Rejected

Reader = Callable[[Path, str, Limits, ByteProgress | None], Iterator[Paper | Rejected]]

READERS: dict[str, Reader] = {
    HF_LISTING: hf_listing.read,
    HF_API: hf_api.read,
    JSONL: tabular.read_jsonl,
    CSV: tabular.read_csv,
    ARXIV: arxiv.read,
}


@dataclass(frozen=True)
class IngestResult:
    """What a run of `ingest` produced: merged papers, every reject, and counts for the summary."""

    papers: tuple[Paper, ...]  # merged, sorted by Paper.key
    rejected: tuple[Rejected, ...]  # in file, then line order
    listings: int  # listing records read, before merging
    files: int


def _choose_format(path: Path, source: str, fmt: str | None) -> str | Rejected:
    """The format to read `path` as (`fmt`, or the detected one), or the Rejected saying why it cannot be read."""
    try:
        if path.stat().st_size == 0:
            return Rejected(source, None, "empty file")
        binary = is_binary(read_head(path))
    except OSError as error:
        return Rejected(source, None, f"unreadable file ({error.strerror or error})")
    if binary:
        return Rejected(source, None, BINARY)
    if fmt is not None:
        return fmt
    detected, reason = sniff(path)
    return detected or Rejected(source, None, reason)


def _read(path: Path, fmt: str | None, limits: Limits, progress: ByteProgress | None) -> Iterator[Paper | Rejected]:
    source = display_path(path)
    chosen = _choose_format(path, source, fmt)
    if isinstance(chosen, Rejected):
        yield chosen
        return
    produced = False
    try:
        for record in READERS[chosen](path, source, limits, progress):
            produced = True
            yield _within_limits(record, limits)
    except OSError as error:
        yield Rejected(source, None, f"unreadable file ({error.strerror or error})")
        return
    if not produced:
        yield Rejected(source, None, f"no records found (read as {chosen})")


def _within_limits(record: Paper | Rejected, limits: Limits) -> Paper | Rejected:
    """The record, or its rejection when its text is longer than the extractor is given (the documented policy:
    reject, never truncate, so no stored abstract differs from its source)."""
    if isinstance(record, Rejected):
        return record
    size = len(record.title) + len(record.abstract)
    if size <= limits.max_text_chars:
        return record
    where = record.provenance[0]
    reason = f"record too long ({size} characters of title and abstract; limit {limits.max_text_chars})"
    return Rejected(where.file, where.line, reason)


def read_file(path: Path, fmt: str | None = None, *, limits: Limits = DEFAULT_LIMITS) -> Iterator[Paper | Rejected]:
    """Stream one Paper per listing in `path`, and a Rejected for each unusable record, line or file.

    `fmt` forces a format (one of FORMATS); by default it is detected from content and extension. Raises
    KgError, at once rather than on first iteration, for an unknown `fmt` or a path that is not a file.
    """
    path = Path(path)
    if fmt is not None:
        check_format(fmt)
    if not path.is_file():
        raise KgError(f"not a readable file: {path}")
    return _read(path, fmt, limits, None)


def display_path(path: Path | str) -> str:
    """`path` as valid Unicode text for reports, IRIs and the terminal: the bytes of a file name that is not UTF-8
    (which Python holds as lone surrogates) are written as \\xNN escapes, so distinct names stay distinct."""
    text = str(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system produced (a name built in Python)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _not_a_file(path: Path) -> Rejected | None:
    """Why `path`, found where a file was expected, cannot be read as one; None for a regular file (or a link to one).

    Special files are never opened: reading a FIFO would wait for a writer, and /dev/zero never ends."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return Rejected(display_path(path), None, f"broken symbolic link (to {display_path(os.readlink(path))})")
        return Rejected(display_path(path), None, "file vanished while reading the folder")
    except OSError as error:
        return Rejected(display_path(path), None, f"unreadable file ({error.strerror or error})")
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "not a file")
    return Rejected(display_path(path), None, f"not a regular file ({kind})")


def _files_under(folder: Path) -> list[Path | Rejected]:
    """Non-hidden files below `folder`, sorted, and a Rejected for each entry that cannot be read as one: an
    unreadable folder, a broken link, a special file, a symbolic link to a folder (not followed: no cycles)."""
    found: list[Path | Rejected] = []

    def unreadable(error: OSError) -> None:
        name = display_path(error.filename or folder)
        found.append(Rejected(name, None, f"unreadable folder ({error.strerror or error})"))

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        linked = (Path(root) / name for name in dirs if (Path(root) / name).is_symlink())
        found.extend(Rejected(display_path(link), None, "symbolic link to a folder (not followed)") for link in linked)
        for name in names:
            if not name.startswith("."):
                path = Path(root) / name
                found.append(_not_a_file(path) or path)
    return sorted(found, key=lambda entry: entry.file if isinstance(entry, Rejected) else display_path(entry))


def expand_paths(paths: Sequence[Path]) -> list[Path | Rejected]:
    """Files named, plus every non-hidden file under each folder (recursive, sorted); each file once.

    What cannot be read as a file (see `_files_under`; a named FIFO or device too) is a Rejected in its place, so
    nothing found is skipped in silence. Raises KgError for a path that does not exist at all.
    """
    entries: list[Path | Rejected] = []
    seen: set[Path] = set()
    for given in map(Path, paths):
        if given.is_dir():
            found = _files_under(given)
        elif given.exists() or given.is_symlink():
            found = [_not_a_file(given) or given]
        else:
            raise KgError(f"no such file or folder: {display_path(given)}")
        for entry in found:
            if isinstance(entry, Rejected):
                entries.append(entry)
                continue
            resolved = entry.resolve()
            if resolved not in seen:
                seen.add(resolved)
                entries.append(entry)
    return entries


def _file_order(rejected: Rejected) -> int:
    return -1 if rejected.line is None else rejected.line


def ingest(
    paths: Sequence[Path],
    fmt: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> IngestResult:
    """Read every file under `paths` and merge duplicate listings into papers.

    `progress(bytes_done, bytes_total)` is called at the start, as each file's bytes are consumed, and after each
    file. Raises KgError only for a path that does not exist or an unknown `fmt`.
    """
    if fmt is not None:
        check_format(fmt)
    entries = expand_paths(paths)
    listings, rejected = read_files(entries, fmt, progress, limits=limits)
    files = sum(isinstance(entry, Path) for entry in entries)
    return IngestResult(merge_papers(listings), tuple(rejected), len(listings), files)


def read_files(
    entries: Sequence[Path | Rejected],
    fmt: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[list[Paper], list[Rejected]]:
    """The listings of `entries` (not merged) and their rejects, in file then line order: one partition of
    `ingest`'s work, which a cluster can run on several partitions at once before merging. An entry that is
    already a Rejected (see `expand_paths`) is passed through in its place."""
    sizes = {entry: file_size(entry) for entry in entries if isinstance(entry, Path)}
    total = sum(sizes.values())
    done = 0
    if progress is not None:
        progress(0, total)
    listings: list[Paper] = []
    rejected: list[Rejected] = []
    for path in entries:
        if isinstance(path, Rejected):
            rejected.append(path)
            continue
        on_bytes = None if progress is None else _file_progress(progress, done, total)
        file_rejects = []
        for record in _read(path, fmt, limits, on_bytes):
            if isinstance(record, Rejected):
                file_rejects.append(record)
            else:
                listings.append(record)
        rejected.extend(sorted(file_rejects, key=_file_order))
        done += sizes[path]
        if progress is not None:
            progress(done, total)
    return listings, rejected


def file_size(path: Path) -> int:
    """The size of `path` in bytes, or 0 when it cannot be read (reading it then rejects it with the reason)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _file_progress(progress: Callable[[int, int], None], before: int, total: int) -> ByteProgress:
    return lambda consumed: progress(before + consumed, total)
