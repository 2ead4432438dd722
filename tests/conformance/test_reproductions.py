"""A failure's reproduction scripts give a verdict, decided by the model: run as a user runs them.

Each script, Python and bash, exits 1 when the failure reproduces (expected against
received printed), 0 when the target keeps the contract, 2 when it cannot tell. By
default it replays where the run found the failure. Real parts only: the engine finds
the failure, the scripts run as subprocesses, the bash one with the real AWS CLI, and
the servers are real ``cogsync serve`` processes (``--app`` for the mutant) on loopback.
"""

from __future__ import annotations

import os
import select
import shutil
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
from cogsync.conformance.results import RunResult
from cogsync.contracts.failures import Failure
from cogsync.report.reproductions import scripts_for, write_reproductions
from cogsync.targets import HttpTarget, make_target

MUTANT = "cogsync.mutants:stale_replace_accepted"
READY = "cogsync emulator listening on "
AWS = Path(sys.executable).with_name("aws")
needs_aws_cli = pytest.mark.skipif(not AWS.exists() and not shutil.which("aws"),
                                   reason="the AWS CLI is not installed here")


@contextmanager
def cogsync_serve(*options: str) -> Iterator[str]:
    """``cogsync serve`` in a real subprocess; its URL once its ready line is printed."""
    process = subprocess.Popen([sys.executable, "-m", "cogsync.cli", "serve", "--port", "0", *options],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            if select.select([process.stdout], [], [], 0.1)[0]:
                line = process.stdout.readline().strip()
                assert line.startswith(READY), line
                yield line[len(READY):]
                return
        raise AssertionError(f"cogsync serve did not start: {process.stderr.read() if process.stderr else ''}")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def env(**extra: str) -> dict[str, str]:
    """No AWS set-up of the machine leaks in; the AWS CLI beside this Python is on PATH."""
    out = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOTO"))}
    out.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               PATH=f"{AWS.parent}{os.pathsep}{os.environ['PATH']}", **extra)
    return out


def run_script(path: Path, *args: str, cwd: Path | None = None, **variables: str) -> subprocess.CompletedProcess[str]:
    command = ["bash", str(path)] if path.suffix == ".sh" else [sys.executable, str(path), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env(**variables), cwd=cwd)


def conf_1(result: RunResult) -> Failure:
    return min(result.results["CONF-1"].failures, key=lambda f: len(f.steps))


def scripts(result: RunResult, folder: Path) -> tuple[Path, Path]:
    [written] = [w for w in write_reproductions(result, folder) if w.failure == conf_1(result)]
    assert written.python is not None and written.shell is not None
    return written.python, written.shell


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The scripts of CONF-1 found in-process on the mutant (make_target(in_process=...))."""
    result = run(make_target(in_process=MUTANT), RunConfig(budget="quick", seed=1, properties=("CONF-1",)))
    return scripts(result, tmp_path_factory.mktemp("in-process"))


@pytest.fixture(scope="module")
def over_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """The mutant served by ``cogsync serve --app``; CONF-1 found over HTTP; the server stays up."""
    with cogsync_serve("--app", MUTANT) as url:
        result = run(HttpTarget(url), RunConfig(budget="quick", seed=11, properties=("CONF-1",)))
        yield (url, *scripts(result, tmp_path_factory.mktemp("http")))


@pytest.fixture(scope="module")
def reference() -> Iterator[str]:
    with cogsync_serve() as url:
        yield url


def assert_reproduces(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    verdict = done.stdout.split("\nreproduced: ", 1)[1]
    assert verdict.startswith("[CONF-1] ")
    assert "\n  expected: ResourceConflictException" in verdict and "\n  received: 200" in verdict


def assert_kept(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\nkept: [CONF-1] does not fail again: " in done.stdout


def assert_cannot_tell(done: subprocess.CompletedProcess[str], url: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "\ncannot tell whether [CONF-1] still fails: step 0 (list_records) got no answer from " + url in (
        done.stdout)
    assert "Is it running? Start it, or point the script at another target." in done.stdout


# --- Python -----------------------------------------------------------------------------------


def test_the_python_script_replays_where_the_run_did_in_process_and_reproduces(in_process, tmp_path):
    python, _ = in_process
    assert f"in_process={MUTANT!r}" in python.read_text()
    assert_reproduces(run_script(python, cwd=tmp_path))


def test_the_python_script_on_the_reference_says_it_is_kept(in_process, reference):
    python, _ = in_process
    assert_kept(run_script(python, "--embedded"))
    assert_kept(run_script(python, "--endpoint-url", reference))


def test_the_python_script_cannot_tell_against_a_closed_port(in_process):
    url = closed_url()
    assert_cannot_tell(run_script(in_process[0], "--endpoint-url", url), url)


def test_the_python_script_of_a_run_over_http_replays_on_that_server(over_http, reference):
    url, python, _ = over_http
    assert f"endpoint_url={url!r}" in python.read_text()
    assert_reproduces(run_script(python))
    assert_kept(run_script(python, "--endpoint-url", reference))


def test_the_python_script_takes_another_app_in_process(in_process, tmp_path):
    (tmp_path / "fixed_server.py").write_text("from cogsync.mutants import reference as make_app\n")
    assert_kept(run_script(in_process[0], "--in-process", "fixed_server:make_app", cwd=tmp_path))


# --- bash and the AWS CLI --------------------------------------------------------------------


@needs_aws_cli
@pytest.mark.slow  # the AWS CLI starts a Python for each call
def test_the_shell_script_serves_the_in_process_app_and_reproduces(in_process):
    _, shell = in_process
    assert f"else serve --app {MUTANT};" in shell.read_text()
    assert_reproduces(run_script(shell))
    assert_kept(run_script(shell, EMBEDDED="1"))
    url = closed_url()
    assert_cannot_tell(run_script(shell, ENDPOINT=url), url)


@needs_aws_cli
@pytest.mark.slow
def test_the_shell_script_of_a_run_over_http_replays_on_that_server(over_http, reference):
    url, _, shell = over_http
    assert_reproduces(run_script(shell))
    assert_kept(run_script(shell, ENDPOINT=reference))


# --- what the scripts say ----------------------------------------------------------------------


def test_the_scripts_name_the_region_and_take_tokens_from_the_live_answers():
    result = run(make_target(in_process=MUTANT, region="eu-west-1"),
                 RunConfig(budget="quick", seed=1, properties=("CONF-1",)))
    python, shell = scripts_for(conf_1(result), result)  # type: ignore[misc]
    assert "region='eu-west-1'," in python and "AWS_DEFAULT_REGION=${REGION:-eu-west-1}" in shell
    assert "SyncSessionToken=r0.get('SyncSessionToken')" in python
    assert '--sync-session-token="$(answer 0 SyncSessionToken)"' in shell
    assert python.rstrip().endswith("raise SystemExit(replay.verdict())")


def test_shell_reproductions_pass_every_value_as_option_equals_value():
    """A recorded token or id starting with '-' must not read as an option of the AWS CLI."""
    import shlex

    from cogsync.contracts.calls import Call, Err, Ok
    from cogsync.contracts.failures import SentCall
    from cogsync.report.reproduce import shell_script
    from cogsync.targets.description import TargetDescription

    ids = {"IdentityPoolId": "us-east-1:1", "IdentityId": "us-east-1:2", "DatasetName": "-d"}
    steps = (
        SentCall(Call("ListRecords", ids), Ok({"SyncSessionToken": "-yIrxhhJQ34-pdE7UqTBLVU3Vyagrs6CKtbmI"})),
        SentCall(Call("UpdateRecords", {**ids, "SyncSessionToken": "-yIrxhhJQ34-pdE7UqTBLVU3Vyagrs6CKtbmI",
                                    "RecordPatches": [{"Op": "replace", "Key": "-k", "Value": "-v",
                                                       "SyncCount": 0}]}), Err("X", 400)),
        SentCall(Call("UpdateRecords", {**ids, "SyncSessionToken": "-made-up", "RecordPatches": []}), Err("X", 400)),
    )
    script = shell_script(Failure("VAL-1", "t", "e", "r", steps),
                          TargetDescription("x", endpoint_url="http://127.0.0.1:1"))
    commands = [line for line in script.splitlines() if line.startswith("judged ")]
    assert len(commands) == 3
    for command in commands:
        words = shlex.split(command.replace("$(", "").replace(")", ""))
        options = words[5:]  # after: judged CLIENT aws cognito-sync <operation>
        assert all(word.startswith("--") and "=" in word for word in options), words


def test_the_python_script_cannot_tell_when_the_target_refuses_its_keys(in_process):
    with cogsync_serve("--credential", "AKIDOTHERKEY:other-secret") as url:
        done = run_script(in_process[0], "--endpoint-url", url)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{url} refused our credentials at step 0 (list_records): 403 " in done.stdout
    assert "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to keys it accepts" in done.stdout
