"""Ctrl-C during `cogsync verify`: the engine cleans up its datasets, the command exits 130."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cogsync.emulator.server import serve_in_thread

POOL = "us-east-1:5eed0000-0000-0000-0000-000000000001"
IDENTITY = "us-east-1:5eed0000-0000-0000-0000-000000000002"
PROGRESS_TIMEOUT_S = 60.0
EXIT_TIMEOUT_S = 60.0


@pytest.fixture
def served() -> Iterator[str]:
    with serve_in_thread("127.0.0.1", 0) as url:
        yield url


def _cogsync() -> list[str]:
    script = Path(sys.executable).with_name("cogsync")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cogsync.cli"]


def _datasets(url: str) -> list[str]:
    client = boto3.client(
        "cognito-sync",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )
    answer = client.list_datasets(IdentityPoolId=POOL, IdentityId=IDENTITY, MaxResults=60)
    return [d["DatasetName"] for d in answer.get("Datasets", [])]


def test_interrupt_cleans_up_and_exits_130(served: str) -> None:
    env = {**os.environ, "CI": "true", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
    process = subprocess.Popen(
        [
            *_cogsync(),
            "verify",
            "--endpoint-url",
            served,
            "--identity-pool-id",
            POOL,
            "--identity-id",
            IDENTITY,
            "--budget",
            "deep",
            "--seed",
            "3",
            "--properties",
            "SYNC-*",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def forward() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=forward, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + PROGRESS_TIMEOUT_S
    try:
        while True:  # wait for the run to be under way (its progress lines), not a fixed time
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            assert line is not None, f"verify ended before any progress: {''.join(seen)}"
            seen.append(line)
            if line.startswith("cogsync: programs "):  # probes wrote data; programs are writing
                break
        process.send_signal(signal.SIGINT)
        process.wait(timeout=EXIT_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    rest = []
    while (line := lines.get(timeout=10)) is not None:
        rest.append(line)
    err = "".join(seen + rest)
    assert process.returncode == 130, err
    assert "interrupted" in err and "cleaned up" in err
    assert "Traceback" not in err
    leftovers = [name for name in _datasets(served) if name.startswith("cogsync-")]
    assert leftovers == [], f"the interrupted run left datasets behind: {leftovers}"
