"""Where a build's time goes: seconds per phase, accumulated over the slices a phase runs in.

A phase may run many times (the store loads one batch at a time), so `Phases` adds up every slice; the build
report and `bench/bench_build.py` print the totals. It is an object handed down the call chain, not global state.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Phases:
    """Accumulated wall seconds per named phase, in the order the phases first ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def timed(self, name: str, items: Iterator) -> Iterator:
        """Pass `items` through, counting the time spent producing each one as `name`."""
        while True:
            with self(name):
                try:
                    item = next(items)
                except StopIteration:
                    return
            yield item
