"""Fixtures for the real-client tests: a `cogsync serve` subprocess per test, ids, and clients.

The emulator runs as the command users run (`cogsync serve --port 0`), bound to 127.0.0.1;
readiness is the line it prints, read with a deadline (no sleeps), and the test ends it with
SIGTERM. The AWS CLI and Node.js get an environment of their own (dummy credentials, temp
config files) so nothing from the user's machine leaks in and nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

READY_LINE = re.compile(r"^cogsync emulator listening on (http://127\.0\.0\.1:\d+)$")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
NPM_CI_TIMEOUT_S = 600.0
JS_DIR = Path(__file__).parent / "js"
REGION = "us-east-1"
DUMMY_ACCESS_KEY = "AKIDCOGSYNCTEST"
DUMMY_SECRET_KEY = "cogsync-test-dummy-secret"


def _tool(name: str) -> str | None:
    """An executable of the venv running the tests first, then one on PATH."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return str(beside)
    return shutil.which(name)


def _require_tool(name: str) -> str:
    """Skip when a client is not installed on a developer's machine; CI must have it."""
    found = _tool(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name!r} is not installed; CI must provide it for tests/clients")
        pytest.skip(f"{name!r} is not installed")
    return found


def _serve_command() -> list[str]:
    script = Path(sys.executable).with_name("cogsync")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-m", "cogsync.cli", "serve"]


def _forward_lines(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@dataclass
class ServedEmulator:
    """A running `cogsync serve` process and the base URL it printed."""

    url: str
    process: subprocess.Popen[str]


def _start_emulator(log_path: Path, extra_args: list[str]) -> ServedEmulator:
    command = [*_serve_command(), "--host", "127.0.0.1", "--port", "0", *extra_args]
    log = log_path.open("w")
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1
    )
    log.close()
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(
        target=_forward_lines, args=(process.stdout, lines), daemon=True
    ).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    seen: list[str] = []
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty:
            reason = f"did not print its ready line within {START_TIMEOUT_S:.0f} s"
            break
        if line is None:
            process.wait(timeout=STOP_TIMEOUT_S)
            reason = f"exited with {process.returncode} before printing its ready line"
            break
        match = READY_LINE.match(line.strip())
        if match:
            return ServedEmulator(url=match.group(1), process=process)
        seen.append(line)
    _stop(process)
    raise RuntimeError(
        f"`{' '.join(command)}` {reason}; "
        f"stdout={''.join(seen)!r} stderr={log_path.read_text()!r}"
    )


def _stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@pytest.fixture
def emulator(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedEmulator]:
    """`cogsync serve` on a free port of 127.0.0.1, for one test.

    Storage is memory unless the test parametrizes this fixture indirectly with "sqlite"
    (a fresh file in the test's temp folder).
    """
    storage = getattr(request, "param", "memory")
    if storage == "sqlite":
        storage = f"sqlite:{tmp_path / 'cogsync.sqlite3'}"
    served = _start_emulator(tmp_path / "cogsync-serve.log", ["--storage", storage])
    try:
        yield served
    finally:
        code = _stop(served.process)
    assert code == 0, f"cogsync serve exited with {code} on SIGTERM"


@dataclass(frozen=True)
class DatasetIds:
    """A fresh identity pool, identity and dataset name for one test."""

    identity_pool_id: str
    identity_id: str
    dataset_name: str

    @property
    def boto3_params(self) -> dict[str, str]:
        return {
            "IdentityPoolId": self.identity_pool_id,
            "IdentityId": self.identity_id,
            "DatasetName": self.dataset_name,
        }

    @property
    def cli_args(self) -> list[str]:
        # --option=value: a value that starts with '-' would otherwise read as an option.
        return [
            f"--identity-pool-id={self.identity_pool_id}",
            f"--identity-id={self.identity_id}",
            f"--dataset-name={self.dataset_name}",
        ]


@pytest.fixture
def ids() -> DatasetIds:
    return DatasetIds(
        identity_pool_id=f"{REGION}:{uuid.uuid4()}",
        identity_id=f"{REGION}:{uuid.uuid4()}",
        dataset_name=f"game-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture
def sync_client(emulator: ServedEmulator) -> Any:
    """A real boto3 cognito-sync client pointed at the served emulator."""
    return boto3.client(
        "cognito-sync",
        endpoint_url=emulator.url,
        region_name=REGION,
        aws_access_key_id=DUMMY_ACCESS_KEY,
        aws_secret_access_key=DUMMY_SECRET_KEY,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def client_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a client subprocess: PATH and locale from the host, AWS settings
    only from temp files and dummies (no user config, no instance metadata)."""
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\nregion = {REGION}\ncli_timestamp_format = iso8601\n")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        f"[default]\naws_access_key_id = {DUMMY_ACCESS_KEY}\n"
        f"aws_secret_access_key = {DUMMY_SECRET_KEY}\n"
    )
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")}
    return {
        **keep,
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        "AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE": "1",
    }


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.returncode == 0, f"aws exited {self.returncode}: {self.stderr}"
        return json.loads(self.stdout) if self.stdout.strip() else {}


AwsCli = Callable[..., CliResult]


@pytest.fixture
def aws_cli(emulator: ServedEmulator, client_env: dict[str, str]) -> AwsCli:
    """Run `aws cognito-sync <args> --endpoint-url <emulator> --output json`."""
    aws = _require_tool("aws")

    def run(*args: str) -> CliResult:
        command = [aws, "cognito-sync", *args, "--endpoint-url", emulator.url, "--output", "json"]
        done = subprocess.run(
            command, env=client_env, capture_output=True, text=True, timeout=120, check=False
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture(scope="session")
def node() -> str:
    """The Node.js executable."""
    return _require_tool("node")


@pytest.fixture(scope="session")
def js_client_dir(node: str) -> Path:
    """tests/clients/js with node_modules installed (`npm ci` when it is missing)."""
    if not (JS_DIR / "node_modules" / "amazon-cognito-js").is_dir():
        npm = _require_tool("npm")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=NPM_CI_TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 0, f"npm ci failed in {JS_DIR}:\n{done.stdout}\n{done.stderr}"
    return JS_DIR
