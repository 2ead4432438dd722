"""A failure's reproduction scripts really reproduce it: on the buggy server, not on the right one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cogsync.conformance.config import RunConfig
from cogsync.conformance.engine import run
from cogsync.emulator.server import EmulatorServer
from cogsync.mutants import get
from cogsync.report.reproductions import scripts_for
from cogsync.targets.http_target import HttpTarget


@pytest.fixture(scope="module")
def stale_write_failure():
    """CONF-1 found over HTTP against a server that accepts stale replaces; the server stays up."""
    server = EmulatorServer(get("stale-replace-accepted").build(), "127.0.0.1", 0)
    server.start()
    try:
        target = HttpTarget(server.url)
        result = run(target, RunConfig(budget="quick", seed=11, properties=("CONF-1",)))
        failure = min(result.results["CONF-1"].failures, key=lambda f: len(f.steps))
        yield server.url, failure, scripts_for(failure, result)
    finally:
        server.stop()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return env


def test_the_python_script_shows_the_stale_write_accepted_there_and_refused_here(stale_write_failure, tmp_path):
    url, failure, (python, cli) = stale_write_failure
    script = tmp_path / "repro.py"
    script.write_text(python, "utf-8")
    on_mutant = subprocess.run([sys.executable, str(script), "--endpoint-url", url], capture_output=True,
                               text=True, timeout=120, env=_env())
    assert on_mutant.returncode == 0, on_mutant.stderr
    on_reference = subprocess.run([sys.executable, str(script), "--embedded"], capture_output=True, text=True,
                                  timeout=120, env=_env())
    assert on_reference.returncode == 0, on_reference.stderr

    def conflicts(output: str) -> int:
        return sum("ResourceConflictException" in line for line in output.splitlines()
                   if line.startswith("update_records:"))

    # The bug replays: the buggy server lets through a stale write the right one refuses.
    assert conflicts(on_reference.stdout) > conflicts(on_mutant.stdout)


@pytest.mark.slow
def test_the_aws_cli_script_replays_the_same_calls(stale_write_failure, tmp_path):
    aws = Path(sys.executable).with_name("aws")
    if not aws.exists() and not shutil.which("aws"):
        pytest.skip("the AWS CLI is not installed here")
    url, failure, (python, cli) = stale_write_failure
    script = tmp_path / "repro.sh"
    script.write_text(cli, "utf-8")
    env = {**_env(), "ENDPOINT": url, "PATH": f"{aws.parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=300, env=env)
    writes = cli.count("aws cognito-sync update-records")
    assert writes >= 2
    assert '"Records"' in done.stdout  # the CLI printed the accepted stale write's answer
    assert "ResourceConflictException" not in done.stderr, done.stderr


def test_shell_reproductions_pass_every_value_as_option_equals_value():
    """A recorded token or id starting with '-' must not read as an option of the AWS CLI."""
    import shlex

    from cogsync.conformance.results import Step
    from cogsync.contracts.calls import Call, Err, Ok
    from cogsync.report.reproduce import cli_script

    ids = {"IdentityPoolId": "us-east-1:1", "IdentityId": "us-east-1:2", "DatasetName": "-d"}
    steps = [
        Step(Call("ListRecords", ids), Ok({"SyncSessionToken": "-yIrxhhJQ34-pdE7UqTBLVU3Vyagrs6CKtbmI"})),
        Step(Call("UpdateRecords", {**ids, "SyncSessionToken": "-yIrxhhJQ34-pdE7UqTBLVU3Vyagrs6CKtbmI",
                                    "RecordPatches": [{"Op": "replace", "Key": "-k", "Value": "-v",
                                                       "SyncCount": 0}]}), Err("X", 400)),
        Step(Call("UpdateRecords", {**ids, "SyncSessionToken": "-made-up",
                                    "RecordPatches": []}), Err("X", 400)),
    ]
    script = cli_script(steps, endpoint_url="http://127.0.0.1:1")
    commands = [line.split("$(", 1)[-1].rstrip(")") for line in script.splitlines()
                if "aws cognito-sync" in line]
    assert len(commands) == 3
    for command in commands:
        words = shlex.split(command)
        options = words[3:]  # after: aws cognito-sync <operation>
        assert all(word.startswith("--") and "=" in word for word in options), words
