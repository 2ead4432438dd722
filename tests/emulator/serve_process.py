"""Start ``cogsync serve`` as a real subprocess and wait for its ready line (no sleeps)."""

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

READY = re.compile(r"cogsync emulator listening on (http://127\.0\.0\.1:\d+)")


def serve_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "cogsync.cli", "serve", "--host", "127.0.0.1", *options]


def start(*options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        serve_command(*options), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def ready_url(process: subprocess.Popen[str], timeout: float = 30.0) -> str:
    """The URL from the first stdout line, which must be the ready line."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readable, _, _ = select.select([process.stdout], [], [], 0.1)
        if readable:
            line = process.stdout.readline()
            match = READY.fullmatch(line.rstrip("\n"))
            assert match is not None, f"unexpected first line {line!r}"
            return match.group(1)
        if process.poll() is not None:
            stderr = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"cogsync serve exited {process.returncode}: {stderr}")
    raise AssertionError("cogsync serve printed no ready line in time")


@contextmanager
def served(*options: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """A running ``cogsync serve``; SIGTERM (then SIGKILL) at the end if still alive."""
    process = start(*options)
    try:
        yield ready_url(process), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
