"""Shared fixtures: paths to the project's seeds and to ../shared beside the checkout."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return ROOT / "seeds"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present beside the checkout")
    return SHARED


@dataclass(frozen=True)
class CliRun:
    status: int
    stdout: str
    stderr: str


@pytest.fixture
def kg_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Run the `kg` entry point in process, as the console script does (stdin empty), with its exit status."""
    from kg.cli import main

    def run(*args: str) -> CliRun:
        monkeypatch.setattr(sys, "argv", ["kg", *args])
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        try:
            main()
            status = 0
        except SystemExit as exit_:
            status = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return CliRun(status, out, err)

    return run
