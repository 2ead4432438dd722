"""Progress on stderr: rich's live display on a terminal, throttled plain lines in CI logs."""

from __future__ import annotations

import io
import re

from rich.console import Console

from cogsync.conformance.config import Progress
from cogsync.report.progress import LineProgress, LiveProgress, interactive, progress_display

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def terminal_console() -> tuple[Console, io.StringIO]:
    stream = io.StringIO()
    return Console(file=stream, force_terminal=True, width=100, color_system=None), stream


def test_live_display_has_a_bar_per_phase_and_ends_on_a_fresh_line() -> None:
    console, stream = terminal_console()
    live = LiveProgress(console)
    live(Progress("stateful", 0, 4))
    live(Progress("stateful", 2, 4, "SYNC-1"))
    live(Progress("stateful", 4, 4, "done"))
    live(Progress("cleanup", 1, 1))
    live.close()
    text = ANSI.sub("", stream.getvalue())
    final = text.rstrip("\n").splitlines()[-2:]  # the last frame: one line per phase
    assert final[0].startswith("stateful") and "4/4" in final[0] and "done" in final[0]
    assert final[1].startswith("cleanup") and "1/1" in final[1]
    assert text.endswith("\n")


def test_live_display_copes_with_an_unknown_total() -> None:
    console, stream = terminal_console()
    live = LiveProgress(console)
    live(Progress("probes", 3, 0))
    live.close()
    assert "3/?" in ANSI.sub("", stream.getvalue())


def test_closing_an_unused_display_writes_nothing() -> None:
    console, stream = terminal_console()
    LiveProgress(console).close()
    assert stream.getvalue() == ""


def test_lines_are_throttled_but_keep_phase_starts_and_ends() -> None:
    now = [0.0]
    stream = io.StringIO()
    lines = LineProgress(stream, interval=10.0, clock=lambda: now[0])
    for done in range(0, 101):
        now[0] = done * 0.5  # 50 s in all
        lines(Progress("stateful", done, 100))
    lines(Progress("stateful", 100, 100))  # repeated end: not printed twice
    now[0] = 60.0
    lines(Progress("cleanup", 0, 3, "deleting datasets"))
    printed = stream.getvalue().splitlines()
    assert printed[0] == "cogsync: stateful 0/100"
    assert printed[-2] == "cogsync: stateful 100/100"
    assert printed[-1] == "cogsync: cleanup 0/3 deleting datasets"
    middle = printed[1:-2]
    assert [line.split()[-1] for line in middle] == ["20/100", "40/100", "60/100", "80/100"]
    assert "\r" not in stream.getvalue()


def test_live_display_only_on_a_terminal_outside_ci() -> None:
    assert interactive(FakeTerminal(), {})
    assert not interactive(FakeTerminal(), {"CI": "true"})
    assert not interactive(io.StringIO(), {})
    assert isinstance(progress_display(FakeTerminal(), {}), LiveProgress)
    assert isinstance(progress_display(FakeTerminal(), {"CI": "1"}), LineProgress)
    assert isinstance(progress_display(io.StringIO(), {}), LineProgress)
    assert progress_display(FakeTerminal(), {}, quiet=True) is None
