"""``cogsync serve``: the ready line, boto3 traffic, a clean stop, and exit 3 for bad options."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from cogsync.cli import main

from .conftest import POOL, make_client, new_identity
from .serve_process import serve_command, served


def test_serve_prints_one_ready_line_answers_boto3_and_stops_on_sigterm(tmp_path: Path) -> None:
    with served("--port", "0", "--storage", f"sqlite:{tmp_path / 'state.db'}") as (url, process):
        client = make_client(url)
        scope = {"IdentityPoolId": POOL, "IdentityId": new_identity(), "DatasetName": "cli"}
        token = client.list_records(**scope)["SyncSessionToken"]
        client.update_records(**scope, SyncSessionToken=token, RecordPatches=[
            {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}])
        assert client.describe_dataset(**scope)["Dataset"]["NumRecords"] == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert process.stdout is not None and process.stdout.read() == ""  # just the one line


def test_serve_stops_on_sigint_with_exit_0() -> None:
    with served("--port", "0") as (url, process):
        assert url.startswith("http://127.0.0.1:")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0


def test_serve_with_limits_and_credentials(tmp_path: Path) -> None:
    options = ("--max-records", "2", "--credential", "AKIDEMULATORTEST:emulator-test-secret")
    with served(*options) as (url, _):
        client = make_client(url)
        scope = {"IdentityPoolId": POOL, "IdentityId": new_identity(), "DatasetName": "lim"}
        token = client.list_records(**scope)["SyncSessionToken"]
        with pytest.raises(client.exceptions.LimitExceededException):
            client.update_records(**scope, SyncSessionToken=token, RecordPatches=[
                {"Op": "replace", "Key": k, "Value": "v", "SyncCount": 0} for k in "abc"])
        stranger = make_client(url, keys=("AKIDUNKNOWN", "secret"))
        with pytest.raises(client.exceptions.ClientError) as caught:
            stranger.list_records(**scope)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_bad_storage_value_is_one_line_and_exit_3() -> None:
    result = subprocess.run(serve_command("--port", "0", "--storage", "redis://localhost"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "storage='redis://localhost'" in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize("storage", ["sqlite:", "sqlite:/nonexistent-dir/x/y.db", "DIRECTORY",
                                     "memory:"])
def test_every_bad_storage_value_is_refused_with_exit_3(
    storage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = f"sqlite:{tmp_path}" if storage == "DIRECTORY" else storage
    assert main(["serve", "--storage", storage]) == 3
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and f"storage={storage!r}" in lines[0]
    assert captured.out == ""


@pytest.mark.parametrize("option", [["--port", "70000"], ["--max-records", "0"],
                                    ["--credential", "no-secret"]])
def test_bad_options_exit_3(option: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["serve", *option])
    assert caught.value.code == 3


def test_serve_with_flipped_choices_makes_the_other_choice_at_may_points() -> None:
    with served("--choices", "flipped") as (url, _):
        client = make_client(url)
        scope = {"IdentityPoolId": POOL, "IdentityId": new_identity(), "DatasetName": "flip"}
        token = client.list_records(**scope)["SyncSessionToken"]
        client.update_records(**scope, SyncSessionToken=token)  # SYNC-6: no patches
        listing = client.list_records(**scope, MaxResults=0)  # LIST-7: 0 reads as the default
        assert (listing["DatasetExists"], listing["DatasetSyncCount"]) == (True, 1)


def test_an_unknown_choices_name_is_one_line_and_exit_3() -> None:
    result = subprocess.run(serve_command("--port", "0", "--choices", "sideways"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "sideways" in result.stderr and result.stdout == ""
