"""Start ``cogsync proxy`` as a real subprocess and wait for its ready line (no sleeps)."""

from __future__ import annotations

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
