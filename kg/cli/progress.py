"""Progress bars for the long commands: real units (papers, triples, checks), a rate and an ETA, on stderr."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
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


class RateColumn(ProgressColumn):
    """Units per second, in the task's own unit ("1,234 papers/s")."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        if task.speed is None:
            return Text(f"- {unit}/s", style="progress.data.speed")
        return Text(f"{task.speed:,.0f} {unit}/s", style="progress.data.speed")


class UnitColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(task.fields.get("unit", ""), style="progress.download")


class Bars:
    """One bar per stage, created the first time the stage reports."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def update(self, stage: str, label: str, unit: str, done: int, total: int | None) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(label, total=total, unit=unit)
        self._progress.update(self._tasks[stage], completed=done, total=total)

    def callback(self, stage: str, label: str, unit: str) -> Callable[[int, int], None]:
        """A `progress(done, total)` callback drawing one bar."""
        return lambda done, total: self.update(stage, label, unit, done, total)

    def stages(self, labels: dict[str, tuple[str, str]]) -> Callable[[str, int, int | None], None]:
        """A `progress(stage, done, total)` callback; `labels` maps each stage to its label and unit."""
        return lambda stage, done, total: self.update(stage, *labels.get(stage, (stage, "")), done, total)


@contextmanager
def progress_bars(quiet: bool = False) -> Iterator[Bars]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        UnitColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, disable=quiet, transient=False) as progress:
        yield Bars(progress)
