"""Progress while `cogsync verify` runs, on stderr (stdout keeps the table for ``> report.txt``).

On an interactive terminal, rich's live display: one bar per phase, redrawn in
place. In CI logs (not a terminal, or ``CI`` set) carriage returns and cursor
moves turn into noise, so there it is plain lines, a phase's start and end and
at most one line per interval between.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from cogsync.conformance.config import Progress as ProgressEvent


class LiveProgress:
    """rich's progress display: a bar per phase, kept on screen once the phase is done.

    Thread-safe: the engine may report from its client threads.
    """

    def __init__(self, console: Console) -> None:
        self.display = Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[message]}"),
            console=console,
        )
        self.tasks: dict[str, TaskID] = {}
        self.started = False
        self.lock = threading.Lock()

    def __call__(self, event: ProgressEvent) -> None:
        with self.lock:
            if not self.started:
                self.display.start()
                self.started = True
            total = float(event.total) if event.total > 0 else None  # None: no known end
            task = self.tasks.get(event.phase)
            if task is None:
                task = self.tasks[event.phase] = self.display.add_task(
                    event.phase, total=total, message=event.message
                )
            self.display.update(task, total=total, completed=event.done, message=event.message)

    def close(self) -> None:
        """Stop redrawing; the cursor ends on a fresh line, so what follows starts a line."""
        with self.lock:
            if self.started:
                self.display.stop()
                self.started = False


class LineProgress:
    """Plain lines for logs: a phase's start and end, at most one line per interval between.

    Thread-safe, like :class:`LiveProgress`.
    """

    def __init__(
        self, stream: TextIO, *, interval: float = 10.0, clock: Callable[[], float] = time.monotonic
    ):
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.phase: str | None = None
        self.last = 0.0
        self.printed: tuple[str, int, int] | None = None
        self.lock = threading.Lock()

    def __call__(self, event: ProgressEvent) -> None:
        with self.lock:
            self._print(event)

    def _print(self, event: ProgressEvent) -> None:
        now = self.clock()
        starting = event.phase != self.phase
        finished = event.total > 0 and event.done >= event.total
        if not (starting or finished or now - self.last >= self.interval):
            return
        if self.printed == (event.phase, event.done, event.total):
            return
        self.phase = event.phase
        self.last = now
        self.printed = (event.phase, event.done, event.total)
        message = f" {event.message}" if event.message else ""
        self.stream.write(f"cogsync: {event.phase} {event.done}/{event.total}{message}\n")
        self.stream.flush()

    def close(self) -> None:
        self.phase = None


def interactive(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """An interactive terminal outside CI: live displays and colours are welcome there."""
    environ = os.environ if environ is None else environ
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not environ.get("CI")


def progress_display(
    stream: TextIO, environ: Mapping[str, str] | None = None, *, quiet: bool = False
) -> LiveProgress | LineProgress | None:
    if quiet:
        return None
    if interactive(stream, environ):
        return LiveProgress(Console(file=stream, highlight=False))
    return LineProgress(stream)
