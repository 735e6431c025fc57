"""User-facing errors: the CLI prints them as one line and exits non-zero, never with a traceback."""

from __future__ import annotations


class KgError(Exception):
    """An error the user can act on; `str(error)` is the whole message, naming file and line if known."""

    exit_code: int = 1


class UsageError(KgError):
    exit_code = 2


class StoreLockedError(KgError):
    """Another process holds the store for writing."""

    exit_code = 3
