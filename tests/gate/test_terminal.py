"""`cogsync verify` on a real terminal (a pty): rich's live progress, a coloured table, and every
message, the Ctrl-C one too, ending with a newline."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import time

from .conftest import cogsync_command

WAIT_S = 120.0
HIDE_CURSOR, SHOW_CURSOR = "\x1b[?25l", "\x1b[?25h"  # what rich's live display sends
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """``cogsync ARGV`` with stdin, stdout and stderr on one pseudo-terminal, outside CI."""

    def __init__(self, *argv: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        env.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [*cogsync_command(), *argv], stdin=slave, stdout=slave, stderr=slave, env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.output = b""

    def read_until(self, needle: bytes | None) -> None:
        """Read until ``needle`` shows (None: until the process closes the terminal)."""
        deadline = time.monotonic() + WAIT_S
        while needle is None or needle not in self.output:
            left = deadline - time.monotonic()
            assert left > 0, f"timed out waiting for {needle!r}: {self.text[-2000:]}"
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                chunk = b""
            if not chunk:
                assert needle is None, f"ended before {needle!r}: {self.text[-2000:]}"
                return
            self.output += chunk

    def finish(self) -> int:
        self.read_until(None)
        os.close(self.master)
        return self.process.wait(timeout=WAIT_S)

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace").replace("\r\n", "\n")


def test_ctrl_c_stops_the_live_display_and_the_message_is_a_whole_line() -> None:
    terminal = Terminal("verify", "--budget", "ci", "--seed", "3")
    try:
        terminal.read_until(b"programs")  # the live display has reached the random programs
        terminal.process.send_signal(signal.SIGINT)
        code = terminal.finish()
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()
    text = terminal.text
    assert code == 130, text
    assert HIDE_CURSOR in text and SHOW_CURSOR in text  # rich drew the progress, and restored the cursor
    shown = ESCAPES.sub("", text)  # what the user reads
    assert "\ncogsync: interrupted; datasets named cogsync-" in shown  # starts a line of its own
    assert text.endswith("--seed 3\n")  # "Run again with: ..." and the newline that ends it
    assert "Traceback" not in text


def test_a_finished_run_prints_a_coloured_table_ending_with_a_newline() -> None:
    terminal = Terminal("verify", "--budget", "quick", "--seed", "4", "--properties", "SYNC-1,CONF-1")
    code = terminal.finish()
    text = terminal.text
    assert code == 0, text
    assert "\x1b[32mpass" in text  # the result column in green
    assert text.endswith("--seed 4\n")
