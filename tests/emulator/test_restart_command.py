"""DUR-1 against a real ``cogsync serve`` process that a restart command SIGKILLs and starts again.

The restart command is the README's recipe, docs/recipes/restart-serve.sh: it kills
the running server with SIGKILL (no clean shutdown) and starts a new one on the same
port and storage. With ``--storage sqlite:PATH`` every acknowledged write survives
(DUR-1 passes): the README's block of the section "Restarts: durability (DUR-1)" runs
as written, but for a free port and this test's folder; with ``--storage memory`` the
data is gone after the first restart, and the failure says why. Each test stops the
server it started.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cogsync.conformance.config import RunConfig
from cogsync.conformance.engine import run
from cogsync.conformance.results import Status
from cogsync.targets import HttpTarget
from tests.support.readme import blocks

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "docs" / "recipes" / "restart-serve.sh"
SECTION = "Restarts: durability (DUR-1)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def restartable_server(tmp_path: Path, storage: str) -> Iterator[tuple[str, str]]:
    """(url, restart command) of a server the recipe started; SIGKILLed at the end."""
    port, pidfile = free_port(), tmp_path / "serve.pid"
    env = {"PORT": str(port), "STORAGE": storage, "PIDFILE": str(pidfile),
           "COGSYNC": f"{shlex.quote(sys.executable)} -m cogsync.cli"}
    command = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + f" sh {shlex.quote(str(RECIPE))}"
    subprocess.run(command, shell=True, check=True, timeout=30)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url, pidfile)
        yield url, command
    finally:
        if pidfile.exists():
            try:
                os.kill(int(pidfile.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                pass


def wait_until_answering(url: str, pidfile: Path, within: float = 30.0) -> None:
    """Poll the server until it answers (its readiness), at most ``within`` seconds."""
    target = HttpTarget(url, timeout=2)
    until = time.monotonic() + within
    while target.probe() is not None:
        assert time.monotonic() < until, f"the server never answered; log: {log_of(pidfile)}"
        time.sleep(0.05)  # between polls of the readiness condition


def log_of(pidfile: Path) -> str:
    log = pidfile.with_suffix(".log")
    return log.read_text() if log.exists() else "(none)"


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "README.md").exists(), reason="runs from a source checkout")
def test_the_readme_recipe_passes_dur_1_on_sqlite_through_sigkill_restarts(tmp_path: Path) -> None:
    (block,) = [b for b in blocks() if b.section == SECTION and b.lang == "bash"]
    port, pidfile = str(free_port()), tmp_path / "serve.pid"
    script = (block.code.replace("4100", port).replace("/tmp/sync.db", str(tmp_path / "sync.db"))
              .replace("/tmp/cogsync-serve.pid", str(pidfile))
              .replace("docs/recipes/restart-serve.sh", shlex.quote(str(RECIPE))))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    try:
        done = subprocess.run(["bash", "-ec", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL)
    finally:
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pidfile.read_text()), signal.SIGKILL)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-2000:], log_of(pidfile))
    assert re.search(r"DUR-1\s+SHOULD\s+pass", done.stdout), done.stdout
    assert log_of(pidfile).count("listening on") >= 3  # the first server and its restarts


@pytest.mark.slow
def test_serve_in_memory_fails_dur_1_saying_the_data_lives_in_memory_only(tmp_path: Path) -> None:
    with restartable_server(tmp_path, "memory") as (url, restart):
        result = run(HttpTarget(url), RunConfig(budget="quick", seed=11, properties=("DUR-1",),
                                                restart_command=restart))
    durability = result.results["DUR-1"]
    assert durability.status is Status.FAIL
    (failure,) = durability.failures
    assert "gone" in failure.received and "in memory only" in failure.received
    assert "--storage sqlite:PATH" in failure.received


def test_a_failing_restart_command_stops_the_run_as_an_infrastructure_error() -> None:
    from cogsync.errors import InfrastructureError
    from cogsync.targets import InProcessTarget

    target = InProcessTarget.emulator()
    with pytest.raises(InfrastructureError, match=r"restart command 'exit 7' exited 7"):
        run(target, RunConfig(budget="quick", seed=1, properties=("DUR-1",), restart_command="exit 7"))
