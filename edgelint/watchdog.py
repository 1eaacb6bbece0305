"""A bound on the time a check may spend on one file.

Hostile or generated input (10,000-deep nesting, a megabyte-long line) can make an analysis
superlinear. Parsing is bounded by `parsing.PARSE_TIMEOUT_SECONDS`; the checks by this watchdog:
while a check runs, the time since it last moved on to a file it had not looked at before (through
`Context.parse` or `Context.summary`) may not exceed `CHECK_FILE_TIMEOUT_SECONDS`. So a check's
run time is bounded by that limit times the number of files it reads, plus one. A check that
exceeds it is stopped with `CheckTimeout`, which the engine reports like a crash: an EDGE906
finding that names the check and the file, the other checks still run, and the run is
incomplete (exit 2).

The timer is SIGALRM (`signal.setitimer`), so the watchdog works in the main thread on POSIX
systems when no one else uses SIGALRM; elsewhere (a worker thread, Windows) checks run
unwatched and only the parse timeout applies.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager

#: The longest a check may work on one file before it is stopped.
CHECK_FILE_TIMEOUT_SECONDS = 30.0


class CheckTimeout(BaseException):
    """Raised inside a check that exceeded its budget. A BaseException, so that a check's own
    `except Exception:` cannot swallow it."""

    def __init__(self, path: str, seconds: float):
        super().__init__(path, seconds)
        self.path, self.seconds = path, seconds

    def __str__(self) -> str:
        return f"stopped after {self.seconds:g} s on {self.path or 'the project model'} (a pathological input?)"


class Budget:
    """The time left for the file a check is working on."""

    def __init__(self, seconds: float | None = None):
        self.seconds = CHECK_FILE_TIMEOUT_SECONDS if seconds is None else seconds
        self.deadline = time.monotonic() + self.seconds
        self.path = ""
        self._seen: set[str] = set()
        self.active = False

    def touch(self, path: str) -> None:
        """The check looks at `path`; a file it had not seen yet starts a fresh budget."""
        if path and path not in self._seen:
            self._seen.add(path)
            self.path = path
            self.deadline = time.monotonic() + self.seconds


def available() -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None))


@contextmanager
def watch(budget: Budget):
    """Raise CheckTimeout inside the block when `budget` runs out (when a timer is available)."""
    if not available():
        yield budget
        return

    def on_alarm(_signum, _frame) -> None:
        if not budget.active:
            return
        remaining = budget.deadline - time.monotonic()
        if remaining > 0:
            signal.setitimer(signal.ITIMER_REAL, remaining)
            return
        budget.active = False
        raise CheckTimeout(budget.path, budget.seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    budget.active = True
    signal.setitimer(signal.ITIMER_REAL, max(budget.deadline - time.monotonic(), 0.001))
    try:
        yield budget
    finally:
        budget.active = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
