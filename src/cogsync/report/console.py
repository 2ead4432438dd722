"""What `cogsync verify` prints when it is done: the conformance table, failures, summary.

The table is a rich table. On an interactive terminal it has colours and the
terminal's width; anywhere else (a file, a CI log, a test) it is plain ASCII at a
fixed width, so the same run prints the same text. Either way a long note wraps
onto continuation lines under the note column (the first four columns stay empty
there) instead of being cut; ``wide`` keeps every property on one line.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cogsync.baseline import NO_BASELINE, Assessment
from cogsync.conformance.results import RunResult
from cogsync.report.progress import interactive
from cogsync.report.reproductions import WrittenReproduction
from cogsync.report.rows import Row, rows, summary_line, untested_lines

TABLE_HEADER = ("property", "level", "result", "witnesses", "note")
#: Columns of the plain rendering: wide enough for CI logs, fixed so output is stable.
PLAIN_WIDTH = 120
#: "As wide as the longest row": rich never needs more, and ``wide`` must never wrap.
UNLIMITED_WIDTH = 100_000
#: Only a line under the header, in ASCII: what a log or a file shows best.
PLAIN_BOX = box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)
RESULT_STYLES = {
    "pass": "green",
    "fail": "bold red",
    "known": "yellow",
    "warn": "yellow",
    "finding": "cyan",
    "inconclusive": "magenta",
    "not-applicable": "dim",
    "not-run": "dim",
}


# --- the table ------------------------------------------------------------------------


def build_table(table: Sequence[Row], *, styled: bool = False, wide: bool = False) -> Table:
    """The conformance table as a rich Table: one row per property, notes wrapped unless wide."""
    out = Table(
        box=box.SIMPLE_HEAD if styled else PLAIN_BOX,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        header_style="bold" if styled else "",
    )
    for name in TABLE_HEADER:
        note = name == "note"
        out.add_column(
            name,
            justify="right" if name == "witnesses" else "left",
            no_wrap=wide or not note,
            overflow="fold",  # only a word longer than the note column is broken
        )
    for row in table:
        style = RESULT_STYLES.get(row.result, "") if styled else ""
        out.add_row(
            Text(row.property_id),
            Text(row.level),
            Text(row.result, style=style),
            Text(str(row.witnesses)),
            Text(row.note),  # Text: a note's "[SYNC-4]" is text, not rich markup
        )
    return out


def render_table(table: Sequence[Row], *, width: int = PLAIN_WIDTH, wide: bool = False) -> str:
    """The plain rendering: ASCII, no colour, ``width`` columns (unlimited when ``wide``)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=UNLIMITED_WIDTH if wide else width,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
    )
    console.print(build_table(table, wide=wide))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def render_failures(
    written: Sequence[WrittenReproduction], assessment: Assessment = NO_BASELINE
) -> str:
    """Each failure with expected and received, where its reproduction scripts are, and,
    when a Hypothesis search found it, the ``@reproduce_failure(...)`` blob that pins it."""
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
            lines.append(f"  reproduce: python {item.python}")
            lines.append(f"             bash {item.shell}")
            lines.append("             (each replays where this run did and exits 1 if it reproduces, 0 if fixed, "
                         "2 if it cannot tell)")
        else:
            lines.append("  reproduce: no call sequence was recorded for this failure")
        if f.hypothesis_blob:
            lines.append(f"  hypothesis: {f.hypothesis_blob}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def render_after_table(
    run: RunResult,
    written: Sequence[WrittenReproduction] = (),
    assessment: Assessment = NO_BASELINE,
    *,
    reproduce_command: str = "",
) -> str:
    """Failures, baseline messages, notes, the summary line and how to reproduce the run."""
    parts = []
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


def render_report(
    run: RunResult,
    written: Sequence[WrittenReproduction] = (),
    assessment: Assessment = NO_BASELINE,
    *,
    reproduce_command: str = "",
    wide: bool = False,
) -> str:
    """The whole report as plain text (files, logs, tests)."""
    table = render_table(rows(run, assessment), wide=wide)
    rest = render_after_table(run, written, assessment, reproduce_command=reproduce_command)
    return table + "\n\n" + rest


def print_report(
    stream: TextIO,
    run: RunResult,
    written: Sequence[WrittenReproduction] = (),
    assessment: Assessment = NO_BASELINE,
    *,
    reproduce_command: str = "",
    wide: bool = False,
    environ: Mapping[str, str] | None = None,
) -> None:
    """The report on ``stream``: coloured at the terminal's width there, else plain text."""
    if not interactive(stream, environ):
        stream.write(
            render_report(run, written, assessment, reproduce_command=reproduce_command, wide=wide)
        )
        stream.flush()
        return
    console = Console(file=stream, highlight=False, emoji=False)
    if wide:
        console.width = UNLIMITED_WIDTH  # the terminal folds long lines; rich does not wrap
    console.print(build_table(rows(run, assessment), styled=True, wide=wide))
    console.print()
    stream.write(render_after_table(run, written, assessment, reproduce_command=reproduce_command))
    stream.flush()


__all__ = [
    "PLAIN_WIDTH",
    "build_table",
    "print_report",
    "render_after_table",
    "render_failures",
    "render_report",
    "render_table",
    "summary_line",
]
