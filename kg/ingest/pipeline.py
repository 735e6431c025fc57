"""Reading files and folders into deduplicated papers: the entry points of the ingest layer.

`read_file` streams one file through the reader its format needs; `ingest` expands folders, reads every file,
keeps the rejects in file and line order and merges the listings into papers. Neither raises on bad data: an
empty, binary or unrecognisable file is one `Rejected`, like a bad line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.ingest import arxiv, hf_api, hf_listing, tabular
from kg.ingest.detect import ARXIV, CSV, HF_API, HF_LISTING, JSONL, check_format, sniff
from kg.ingest.lines import DEFAULT_LIMITS, ByteProgress, Limits, is_binary, read_head
from kg.ingest.merge import merge_papers
from kg.records import Paper, Rejected

FileProgress = Callable[[int, int, int], None]  # files done, files in all, listings read so far
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
        return Rejected(source, None, "binary file (not a paper listing)")
    if fmt is not None:
        return fmt
    detected, reason = sniff(path)
    return detected or Rejected(source, None, reason)


def _read(path: Path, fmt: str | None, limits: Limits, progress: ByteProgress | None) -> Iterator[Paper | Rejected]:
    source = str(path)
    chosen = _choose_format(path, source, fmt)
    if isinstance(chosen, Rejected):
        yield chosen
        return
    produced = False
    try:
        for record in READERS[chosen](path, source, limits, progress):
            produced = True
            yield record
    except OSError as error:
        yield Rejected(source, None, f"unreadable file ({error.strerror or error})")
        return
    if not produced:
        yield Rejected(source, None, f"no records found (read as {chosen})")


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


def _files_under(folder: Path) -> list[Path]:
    """Non-hidden files below `folder`, sorted; symbolic links to folders are not followed (no cycles)."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(root) / name for name in names if not name.startswith("."))
    return sorted((p for p in found if p.is_file()), key=str)


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named, plus every non-hidden file under each folder (recursive, sorted); each file once."""
    files: list[Path] = []
    seen: set[Path] = set()
    for given in map(Path, paths):
        if given.is_dir():
            found = _files_under(given)
        elif given.is_file():
            found = [given]
        else:
            raise KgError(f"no such file or folder: {given}")
        for path in found:
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(path)
    return files


def _file_order(rejected: Rejected) -> int:
    return -1 if rejected.line is None else rejected.line


def ingest(
    paths: Sequence[Path],
    fmt: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    on_file: FileProgress | None = None,
) -> IngestResult:
    """Read every file under `paths` and merge duplicate listings into papers.

    `progress(bytes_done, bytes_total)` is called at the start, as each file's bytes are consumed, and after each
    file; `on_file(files_done, files_total, listings_read)` after each file. Raises KgError only for a path that
    does not exist or an unknown `fmt`.
    """
    if fmt is not None:
        check_format(fmt)
    files = expand_paths(paths)
    listings, rejected = read_files(files, fmt, progress, limits=limits, on_file=on_file)
    return IngestResult(merge_papers(listings), tuple(rejected), len(listings), len(files))


def read_files(
    files: Sequence[Path],
    fmt: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    on_file: FileProgress | None = None,
) -> tuple[list[Paper], list[Rejected]]:
    """The listings of `files` (not merged) and their rejects, in file then line order: one partition of
    `ingest`'s work, which a cluster can run on several partitions at once before merging."""
    sizes = [path.stat().st_size for path in files]
    total = sum(sizes)
    done = 0
    if progress is not None:
        progress(0, total)
    listings: list[Paper] = []
    rejected: list[Rejected] = []
    for index, (path, size) in enumerate(zip(files, sizes, strict=True), start=1):
        on_bytes = None if progress is None else _file_progress(progress, done, total)
        file_rejects = []
        for record in _read(path, fmt, limits, on_bytes):
            if isinstance(record, Rejected):
                file_rejects.append(record)
            else:
                listings.append(record)
        rejected.extend(sorted(file_rejects, key=_file_order))
        done += size
        if progress is not None:
            progress(done, total)
        if on_file is not None:
            on_file(index, len(files), len(listings))
    return listings, rejected


def _file_progress(progress: Callable[[int, int], None], before: int, total: int) -> ByteProgress:
    return lambda consumed: progress(before + consumed, total)
