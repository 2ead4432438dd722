"""What `cogsync verify` prints: progress while it runs, the conformance table after.

Progress goes to stderr: a bar redrawn in place on a terminal, plain lines in CI
logs (not a terminal, or ``CI`` set) where carriage returns turn into noise. The
table, the failures and the summary go to stdout, so ``> report.txt`` keeps them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from cogsync.baseline import NO_BASELINE, Assessment
from cogsync.conformance.config import Progress
from cogsync.conformance.results import RunResult
from cogsync.report.reproductions import WrittenReproduction
from cogsync.report.rows import Row, rows, summary_line, untested_lines

TABLE_HEADER = ("property", "level", "result", "witnesses", "note")
NOTE_WIDTH = 70
BAR_WIDTH = 24


# --- the table ------------------------------------------------------------------------


def _cells(row: Row) -> tuple[str, ...]:
    note = row.note if len(row.note) <= NOTE_WIDTH else row.note[: NOTE_WIDTH - 1] + "…"
    return (row.property_id, row.level, row.result, str(row.witnesses), note)


def render_table(table: Sequence[Row]) -> str:
    """A plain-text table, columns padded to fit, one row per property."""
    lines = [TABLE_HEADER, *(_cells(r) for r in table)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(TABLE_HEADER))]
    out = []
    for index, line in enumerate(lines):
        padded = [
            cell.rjust(w) if i == 3 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(padded).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def render_failures(
    written: Sequence[WrittenReproduction], assessment: Assessment = NO_BASELINE
) -> str:
    """Each failure with expected and received, and where its reproduction scripts are."""
    blocks = []
    for item in written:
        f = item.failure
        known = " (known, baselined)" if f.property_id in assessment.known else ""
        lines = [f"{f.property_id}{known}: {f.title}"]
        if f.expected:
            lines.append(f"  expected: {f.expected}")
        if f.received:
            lines.append(f"  received: {f.received}")
        if f.steps:
            lines.append(f"  sequence: {len(f.steps)} call(s), last {f.steps[-1].call.operation}")
        if item.python is not None and item.shell is not None:
            lines.append(f"  reproduce: python {item.python} [--endpoint-url URL]")
            lines.append(f"             ENDPOINT=URL bash {item.shell}")
        else:
            lines.append("  reproduce: no call sequence was recorded for this failure")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_report(
    run: RunResult,
    written: Sequence[WrittenReproduction] = (),
    assessment: Assessment = NO_BASELINE,
    *,
    reproduce_command: str = "",
) -> str:
    """Table, failures, baseline messages, summary line and how to reproduce the run."""
    parts = [render_table(rows(run, assessment))]
    if written:
        parts.append("failures:\n\n" + render_failures(written, assessment))
    messages = assessment.messages()
    if messages:
        parts.append("\n".join(messages))
    if run.notes:
        parts.append("\n".join(f"note: {n}" for n in run.notes))
    tail = [*untested_lines(run), summary_line(run, assessment)]
    if reproduce_command or run.command:
        tail.append(f"reproduce this run: {reproduce_command or run.command}")
    parts.append("\n".join(tail))
    return "\n\n".join(parts) + "\n"


# --- progress -------------------------------------------------------------------------


class BarProgress:
    """A bar redrawn in place with ``\\r``; a new line when the phase changes.

    Thread-safe: the engine may report from its client threads.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.phase: str | None = None
        self.width = 0
        self.lock = threading.Lock()

    def __call__(self, event: Progress) -> None:
        with self.lock:
            self._draw(event)

    def _draw(self, event: Progress) -> None:
        if self.phase is not None and event.phase != self.phase:
            self.stream.write("\n")
        self.phase = event.phase
        filled = BAR_WIDTH * event.done // event.total if event.total > 0 else 0
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        text = f"{event.phase:<12} [{bar}] {event.done}/{event.total} {event.message}".rstrip()
        self.stream.write("\r" + text.ljust(self.width))
        self.width = len(text)
        self.stream.flush()

    def close(self) -> None:
        if self.phase is not None:
            self.stream.write("\n")
            self.stream.flush()
            self.phase = None


class LineProgress:
    """Plain lines for logs: a phase's start and end, at most one line per interval between.

    Thread-safe, like :class:`BarProgress`.
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

    def __call__(self, event: Progress) -> None:
        with self.lock:
            self._print(event)

    def _print(self, event: Progress) -> None:
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


def wants_bar(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """A bar only on an interactive terminal outside CI."""
    environ = os.environ if environ is None else environ
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not environ.get("CI")


def progress_display(
    stream: TextIO, environ: Mapping[str, str] | None = None, *, quiet: bool = False
) -> BarProgress | LineProgress | None:
    if quiet:
        return None
    return BarProgress(stream) if wants_bar(stream, environ) else LineProgress(stream)
