"""Progress on stderr: a bar on a terminal, throttled plain lines in CI logs."""

from __future__ import annotations

import io

from cogsync.conformance.config import Progress
from cogsync.report.console import BarProgress, LineProgress, progress_display, wants_bar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_redraws_in_place_and_breaks_line_between_phases() -> None:
    stream = io.StringIO()
    bar = BarProgress(stream)
    bar(Progress("stateful", 0, 4))
    bar(Progress("stateful", 2, 4, "SYNC-1"))
    bar(Progress("stateful", 4, 4))
    bar(Progress("cleanup", 1, 1))
    bar.close()
    text = stream.getvalue()
    assert text.count("\r") == 4
    assert "stateful     [############............] 2/4 SYNC-1" in text
    assert "[########################] 4/4" in text
    assert text.count("\n") == 2  # one at the phase change, one at close
    assert text.endswith("\n")


def test_bar_copes_with_an_unknown_total() -> None:
    stream = io.StringIO()
    BarProgress(stream)(Progress("probes", 3, 0))
    assert "3/0" in stream.getvalue()


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


def test_bar_only_on_a_terminal_outside_ci() -> None:
    assert wants_bar(FakeTerminal(), {})
    assert not wants_bar(FakeTerminal(), {"CI": "true"})
    assert not wants_bar(io.StringIO(), {})
    assert isinstance(progress_display(FakeTerminal(), {}), BarProgress)
    assert isinstance(progress_display(FakeTerminal(), {"CI": "1"}), LineProgress)
    assert progress_display(FakeTerminal(), {}, quiet=True) is None
