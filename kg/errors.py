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


class WriteError(KgError):
    """A file or the store could not be written (a full disk, a read-only folder); the message names the path.

    The exit status says what the failure left behind: 4 when nothing was committed (the store is as it was
    before the command), 5 when the store was committed and a later write (an export, a report) failed.
    """

    exit_code = 4

    def __init__(self, reason: str, *, committed: bool = False, outcome: str = "") -> None:
        super().__init__(f"{reason}; {outcome}" if outcome else reason)
        self.reason = reason  # what failed, naming the path; `outcome` says what the failure left behind
        self.committed = committed
        self.exit_code = 5 if committed else 4
