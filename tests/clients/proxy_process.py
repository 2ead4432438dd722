"""``cogsync proxy`` as a real subprocess (its ready line awaited, no sleeps), and its fault log read.

The log helpers judge a run by the contract: what the server accepted out of the client's
sight, and whether both copies of a duplicated UpdateRecords were accepted.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

READY = re.compile(r"cogsync proxy: listening on (http://127\.0\.0\.1:\d+) -> (\S+)")


@dataclass
class RunningProxy:
    url: str
    process: subprocess.Popen[str]

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and what it wrote on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        stderr = self.process.stderr.read() if self.process.stderr else ""
        return self.process.returncode, stderr


def proxy_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "cogsync.cli", "proxy", *options]


@contextmanager
def proxied(upstream: str, faults: str, *options: str, timeout: float = 30.0) -> Iterator[RunningProxy]:
    """A running ``cogsync proxy --listen 0``; stopped (SIGTERM) at the end if still alive."""
    process = subprocess.Popen(
        proxy_command("--listen", "0", "--upstream", upstream, "--faults", faults, *options),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    running = None
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        while running is None:
            if time.monotonic() > deadline:
                raise AssertionError("cogsync proxy printed no ready line in time")
            readable, _, _ = select.select([process.stdout], [], [], 0.1)
            if readable:
                line = process.stdout.readline()
                match = READY.fullmatch(line.rstrip("\n"))
                assert match is not None, f"unexpected first line {line!r}"
                running = RunningProxy(match.group(1), process)
            elif process.poll() is not None:
                stderr = process.stderr.read() if process.stderr else ""
                raise AssertionError(f"cogsync proxy exited {process.returncode}: {stderr}")
        yield running
    finally:
        if running is not None:
            running.stop()
        elif process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def fault_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def accepted_out_of_sight(log: list[dict[str, Any]]) -> int:
    """UpdateRecords the server accepted whose acceptance the client never saw.

    A withheld or reset answer the upstream gave with 200, and the copy of a duplicate
    that the client's answer was not from.
    """
    hidden = 0
    for entry in log:
        if entry["request"].startswith("POST "):
            hidden += sum(status == 200 for status in entry["upstream"]) - (entry["client"] == 200)
    return hidden


def assert_no_write_applied_twice(log: list[dict[str, Any]]) -> None:
    doubled = [e for e in log if e["request"].startswith("POST ") and e["upstream"].count(200) > 1]
    assert doubled == [], f"both copies of a duplicated UpdateRecords were accepted: {doubled}"
