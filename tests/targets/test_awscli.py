"""AwsCliTarget replays calls through the real ``aws`` CLI; cli_command renders them to paste."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from collections.abc import Iterator

import pytest

from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.emulator.server import serve_in_thread
from cogsync.targets import CLIENT_REFUSED, AwsCliTarget, cli_command
from cogsync.targets.awscli_target import (
    find_aws_executable,
    outcome_of_failure,
    timestamps_as_numbers,
)

from .conftest import closed_port, fresh_token, list_records, replace, update


def test_cli_command_is_a_pasteable_shell_line() -> None:
    call = Call(
        "UpdateRecords",
        {
            "IdentityPoolId": "us-east-1:a",
            "IdentityId": "us-east-1:b",
            "DatasetName": "d",
            "SyncSessionToken": "t'o\"k",
            "RecordPatches": [replace("k é", "it's", 0)],
        },
    )
    line = cli_command(call, "http://127.0.0.1:8000/", region="eu-west-1")
    words = shlex.split(line)
    assert words[:3] == ["aws", "cognito-sync", "update-records"]
    assert json.loads(words[words.index("--cli-input-json") + 1]) == call.params
    options = dict(word.split("=", 1) for word in words[5:])  # the rest as --option=value
    assert options["--endpoint-url"] == "http://127.0.0.1:8000"
    assert options["--region"] == "eu-west-1"
    assert line.startswith("aws ")
    with_keys = cli_command(call, "http://127.0.0.1:8000", dummy_credentials=True)
    assert shlex.split(with_keys)[0].startswith("AWS_ACCESS_KEY_ID=")


@pytest.mark.parametrize(
    "stderr, expected",
    [
        (
            "\nAn error occurred (ResourceConflictException) when calling the UpdateRecords "
            "operation: Current SyncCount for: k is: 1 not: 0\n",
            Err("ResourceConflictException", 409, "Current SyncCount for: k is: 1 not: 0"),
        ),
        (
            "An error occurred (SomethingNew) when calling the ListRecords operation: x",
            Err("SomethingNew", 400, "x"),
        ),
        (
            "An error occurred (InternalErrorException) when calling the ListRecords operation "
            "(reached max retries: 0): boom",
            Unknown("server error: HTTP 500 InternalErrorException: boom", 500),
        ),
        (
            "An error occurred (503) when calling the ListRecords operation: Service Unavailable",
            Unknown("server error: HTTP 503 503: Service Unavailable", 503),
        ),
    ],
)
def test_cli_errors_are_read_from_stderr(stderr: str, expected: object) -> None:
    assert outcome_of_failure(stderr, 254) == expected


def test_cli_failures_without_an_answer_are_unknown() -> None:
    refused = outcome_of_failure("\nParameter validation failed:\nInvalid type for x\n", 252)
    assert isinstance(refused, Unknown) and refused.reason.startswith(CLIENT_REFUSED)
    unreachable = outcome_of_failure(
        '\nCould not connect to the endpoint URL: "http://127.0.0.1:1/..."\n', 255
    )
    assert isinstance(unreachable, Unknown) and unreachable.reason.startswith("connection error")
    assert unreachable.status is None


def test_iso_timestamps_are_turned_back_into_epoch_numbers() -> None:
    body = {
        "Records": [
            {
                "Key": "k",
                "LastModifiedDate": "2023-11-14T22:13:20.500000+00:00",
                "Value": "2023-11-14T22:13:20Z",
            }
        ],
        "Dataset": {"CreationDate": "2023-11-14T22:13:20Z", "NumRecords": 1},
    }
    assert timestamps_as_numbers(body) == {
        "Records": [
            {"Key": "k", "LastModifiedDate": 1700000000.5, "Value": "2023-11-14T22:13:20Z"}
        ],
        "Dataset": {"CreationDate": 1700000000, "NumRecords": 1},
    }


def test_a_missing_executable_is_reported_not_raised(ids: dict[str, str]) -> None:
    target = AwsCliTarget("http://127.0.0.1:1", aws_executable="cogsync-no-such-aws-cli")
    try:
        outcome = target.send(list_records(ids)).outcome
        assert isinstance(outcome, Unknown) and "no aws executable" in outcome.reason
        assert "no aws executable" in (target.probe() or "")
    finally:
        target.close()


# -- the real CLI (a Python start per call: slow) -------------------------------------------
@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serve_in_thread() as url:
        yield url


@pytest.fixture
def cli(served: str) -> Iterator[AwsCliTarget]:
    if find_aws_executable("aws") is None:
        if os.environ.get("CI"):
            pytest.fail("the aws CLI is not installed; CI must provide it")
        pytest.skip("the aws CLI is not installed")
    target = AwsCliTarget(served)
    yield target
    target.close()


@pytest.mark.slow
def test_cli_round_trips_update_and_list_and_a_conflict(
    cli: AwsCliTarget, ids: dict[str, str]
) -> None:
    response = cli.send(list_records(ids))
    first = response.outcome
    assert isinstance(first, Ok) and first.body["DatasetExists"] is False
    # the CLI shows no HTTP exchange, so wire checks have nothing to misjudge
    assert (response.status, response.headers, response.raw_body) == (None, {}, None)
    written = cli.send(
        update(
            ids,
            first.body["SyncSessionToken"],
            [replace("theme", "dark 🌙", 0, DeviceLastModifiedDate=1700000000)],
            DeviceId="cli",
        )
    ).outcome
    assert isinstance(written, Ok)
    record = written.body["Records"][0]
    assert (record["Key"], record["Value"], record["SyncCount"]) == ("theme", "dark 🌙", 1)
    assert isinstance(record["LastModifiedDate"], (int, float))
    assert record["DeviceLastModifiedDate"] == 1700000000

    listed = cli.send(list_records(ids)).outcome
    assert isinstance(listed, Ok) and listed.body["DatasetSyncCount"] == 1
    assert [r["Value"] for r in listed.body["Records"]] == ["dark 🌙"]

    conflict = cli.send(
        update(ids, listed.body["SyncSessionToken"], [replace("theme", "light", 0)])
    ).outcome
    assert isinstance(conflict, Err)
    assert (conflict.error_type, conflict.status) == ("ResourceConflictException", 409)
    assert conflict.message == "Current SyncCount for: theme is: 1 not: 0"
    assert cli.probe() is None


@pytest.mark.slow
def test_cli_command_output_runs_as_printed(
    cli: AwsCliTarget, served: str, ids: dict[str, str]
) -> None:
    line = cli_command(
        list_records(ids), served, aws_executable=str(cli.executable), dummy_credentials=True
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment["AWS_CONFIG_FILE"] = environment["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    finished = subprocess.run(
        line, shell=True, env=environment, capture_output=True, timeout=120, check=False
    )
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["DatasetExists"] is False


@pytest.mark.slow
def test_cli_takes_inputs_too_long_for_one_argument(cli: AwsCliTarget, ids: dict[str, str]) -> None:
    token = fresh_token(cli, ids)
    big = "x" * 200_000  # over Linux's 128 KiB limit for one argv string
    written = cli.send(update(ids, token, [replace("big", big, 0)])).outcome
    assert isinstance(written, Ok) and written.body["Records"][0]["Value"] == big
    assert not any(p.name.startswith("input-") for p in cli._folder.iterdir())


@pytest.mark.slow
def test_cli_against_a_closed_port_is_unknown_and_probe_says_why(
    cli: AwsCliTarget, ids: dict[str, str]
) -> None:
    target = AwsCliTarget(f"http://127.0.0.1:{closed_port()}", timeout=5)
    try:
        outcome = target.send(list_records(ids)).outcome
        assert isinstance(outcome, Unknown) and outcome.reason.startswith("connection error")
        reason = target.probe()
        assert reason is not None and "not reachable" in reason
    finally:
        target.close()
