"""Progress bars on stderr for long work, one per stage, counted in the stage's own unit (papers, files, MB).

Commands pass `stage_progress(...)`'s callback down to the Python API, which reports `(stage, done, total)` and
knows nothing of terminals (see `kg.pipeline.ProgressCallback`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping

from rich import filesize
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from kg.cli.output import err_console

# stage -> (label, unit); the unit "bytes" is shown in kB/MB/GB
STAGES: dict[str, tuple[str, str]] = {
    "read": ("Reading listings", "bytes"),
    "extract": ("Extracting concepts", "papers"),
    "export": ("Writing exports", "files"),
}


class _CountColumn(ProgressColumn):
    """"1,234/9,752 papers", or "12.5/58.0 MB" for bytes."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        done, total = int(task.completed), None if task.total is None else int(task.total)
        if unit == "bytes":
            shown = filesize.decimal(done) if total is None else f"{filesize.decimal(done)}/{filesize.decimal(total)}"
            return Text(shown, style="progress.download")
        count = f"{done:,}" if total is None else f"{done:,}/{total:,}"
        return Text(f"{count} {unit}".rstrip(), style="progress.download")


@contextlib.contextmanager
def stage_progress(
    quiet: bool, stages: Mapping[str, tuple[str, str]] = STAGES
) -> Iterator[Callable[[str, int, int | None], None]]:
    """A callback `(stage, done, total)` drawing one bar per stage on stderr; nothing is drawn when `quiet`."""
    columns = (TextColumn("{task.description}"), BarColumn(), _CountColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, disable=quiet, transient=False) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                label, unit = stages.get(stage, (stage, ""))
                tasks[stage] = bars.add_task(label, total=total, unit=unit)
            bars.update(tasks[stage], completed=done, total=total)

        yield progress
