"""``cogsync serve --app module:factory``: any WSGI app over the emulator's HTTP server.

A mutant served this way shows its bug to any client over HTTP (the reproduction
scripts' shell form relies on it); the reference emulator's options do not apply to
an app and saying both is a one-line usage error, exit 3.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .conftest import POOL, make_client, new_identity
from .serve_process import ready_url, serve_command, served

MUTANT = "cogsync.mutants:stale_replace_accepted"


def stale_write_accepted(url: str) -> bool:
    """Write k twice from count 0: the second is stale. True when the server accepts it."""
    client = make_client(url)
    scope = {"IdentityPoolId": POOL, "IdentityId": new_identity(), "DatasetName": "stale"}
    for value in ("first", "second"):
        token = client.list_records(**scope)["SyncSessionToken"]
        try:
            client.update_records(**scope, SyncSessionToken=token, RecordPatches=[
                {"Op": "replace", "Key": "k", "Value": value, "SyncCount": 0}])
        except client.exceptions.ResourceConflictException:
            return False
    return True


def test_serve_app_serves_a_mutant_whose_bug_shows_over_http() -> None:
    with served("--port", "0", "--app", MUTANT) as (url, process):
        assert stale_write_accepted(url)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    with served("--port", "0") as (url, _):
        assert not stale_write_accepted(url)  # the reference refuses it with 409


def test_serve_app_finds_your_own_app_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "myserver.py").write_text(
        "def make_app():\n"
        "    def app(environ, start_response):\n"
        "        start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "        return [b'mine: ' + environ['PATH_INFO'].encode()]\n"
        "    return app\n"
    )
    process = subprocess.Popen(serve_command("--port", "0", "--app", "myserver:make_app"), cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = ready_url(process)
        with urllib.request.urlopen(url + "/hello", timeout=10) as answer:
            assert answer.read() == b"mine: /hello"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.parametrize("options, named", [
    (["--storage", "sqlite:x.db"], "--storage configures the reference emulator"),
    (["--choices", "flipped", "--max-records", "3"], "--max-records, --choices configure"),
    (["--credential", "AK:SECRET"], "--credential configures"),
])
def test_the_emulators_options_with_app_are_one_line_and_exit_3(options: list[str], named: str) -> None:
    result = subprocess.run(serve_command("--port", "0", "--app", MUTANT, *options),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert named in line and f"--app={MUTANT!r} serves your own app: drop one of them." in line


@pytest.mark.parametrize("spec, said", [
    ("no_such_module_here:make_app", "app='no_such_module_here:make_app': cannot import"),
    ("cogsync.mutants:no_such_mutant", "has no attribute 'no_such_mutant'"),
    ("cogsync.mutants", "app='cogsync.mutants' is not allowed: app must be 'module:factory'"),
])
def test_a_bad_app_is_one_line_and_exit_3(spec: str, said: str) -> None:
    result = subprocess.run([sys.executable, "-m", "cogsync.cli", "serve", "--port", "0", "--app", spec],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert said in line
