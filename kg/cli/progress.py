"""Progress bars on stderr for long work: one bar per stage, counted in the stage's own unit (papers, triples,
checks, files, MB), with a rate and an ETA.

Commands pass `stage_progress(...)`'s callback down to the Python API, which reports `(stage, done, total)` and
knows nothing of terminals (see `kg.pipeline.ProgressCallback`). Build, export, validate, extract and eval all
draw through it; a command with stages of its own passes them in `stages`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from rich import filesize
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from kg.cli.output import err_console
from kg.pipeline import ProgressCallback

RDF_EXPORTS = ("ttl", "nt", "nq", "jsonld", "xml")
BYTES = "bytes"  # a unit shown in kB/MB/GB

# stage -> (label, unit)
STAGES: dict[str, tuple[str, str]] = {
    "read": ("Reading listings", BYTES),  # this process reads: bytes, also within a large file
    "read files": ("Reading listings", "files"),  # a cluster reads: files as their partitions come back
    "extract": ("Extracting concepts", "papers"),
    "store": ("Deriving and committing", "steps"),
    "upload": ("Sending named graphs", "graphs"),
    "communities": ("Finding communities", "steps"),
    **{f"export {fmt}": (f"Writing {fmt}", "triples") for fmt in RDF_EXPORTS},
    "export graphml": ("Writing graphml", "files"),
    "export html": ("Writing html", "files"),
    "validate": ("Checking constraints", "checks"),
}


class _CountColumn(ProgressColumn):
    """Counts in the task's unit: "1,234/9,752 papers", or "12.5/58.0 MB" for bytes."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        done, total = int(task.completed), None if task.total is None else int(task.total)
        if unit == BYTES:
            shown = filesize.decimal(done) if total is None else f"{filesize.decimal(done)}/{filesize.decimal(total)}"
            return Text(shown, style="progress.download")
        count = f"{done:,}" if total is None else f"{done:,}/{total:,}"
        return Text(f"{count} {unit}".rstrip(), style="progress.download")


class _RateColumn(ProgressColumn):
    """Units per second, in the task's own unit ("1,234 papers/s", "2.1 MB/s")."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        if task.speed is None:
            return Text(f"- {'B' if unit == BYTES else unit}/s", style="progress.data.speed")
        if unit == BYTES:
            return Text(f"{filesize.decimal(int(task.speed))}/s", style="progress.data.speed")
        return Text(f"{task.speed:,.0f} {unit}/s", style="progress.data.speed")


@contextlib.contextmanager
def stage_progress(quiet: bool, stages: Mapping[str, tuple[str, str]] = STAGES) -> Iterator[ProgressCallback]:
    """A callback `(stage, done, total)` drawing one bar per stage on stderr, created the first time the stage
    reports; `stages` maps a stage to its label and unit (an unknown stage is labelled with its own name).
    Nothing is drawn when `quiet`."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        _CountColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, disable=quiet, transient=False) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                label, unit = stages.get(stage, (stage, ""))
                tasks[stage] = bars.add_task(label, total=total, unit=unit)
            bars.update(tasks[stage], completed=done, total=total)

        yield progress
