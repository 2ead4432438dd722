"""The AWS CLI (awscli v1, a real botocore client with its own argument parsing) against
`cogsync serve`: every way the CLI builds RecordPatches, removes, a stale write, and the
dataset calls. Assertions read the CLI's own JSON output.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

pytestmark = pytest.mark.slow


def records_by_key(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {record["Key"]: record for record in answer.get("Records", [])}


def fresh_token(aws_cli: Any, ids: Any) -> str:
    token: str = aws_cli("list-records", *ids.cli_args).json()["SyncSessionToken"]
    assert token
    return token


def test_aws_cli_record_patches_in_shorthand_json_and_cli_input_json(aws_cli, ids):
    first = aws_cli("list-records", *ids.cli_args).json()
    assert first["DatasetExists"] is False
    assert first["DatasetSyncCount"] == 0
    assert first.get("Records", []) == []

    shorthand = aws_cli(
        "update-records", *ids.cli_args,
        f"--sync-session-token={first['SyncSessionToken']}",
        "--record-patches", "Op=replace,Key=highScore,Value=10,SyncCount=0",
    ).json()
    assert [(r["Key"], r["Value"], r["SyncCount"]) for r in shorthand["Records"]] == [
        ("highScore", "10", 1)
    ]

    device_time = "2024-05-01T12:00:00+00:00"
    json_syntax = aws_cli(
        "update-records", *ids.cli_args,
        "--device-id", "cli-device",
        f"--sync-session-token={fresh_token(aws_cli, ids)}",
        "--record-patches", json.dumps([
            {"Op": "replace", "Key": "highScore", "Value": "11", "SyncCount": 1,
             "DeviceLastModifiedDate": device_time},
            {"Op": "replace", "Key": "level", "Value": "3", "SyncCount": 0},
        ]),
    ).json()
    written = records_by_key(json_syntax)
    assert {k: (r["Value"], r["SyncCount"]) for k, r in written.items()} == {
        "highScore": ("11", 2),
        "level": ("3", 2),
    }
    assert datetime.fromisoformat(written["highScore"]["DeviceLastModifiedDate"]) == (
        datetime.fromisoformat(device_time)
    )

    request = {
        **ids.boto3_params,
        "SyncSessionToken": fresh_token(aws_cli, ids),
        "RecordPatches": [
            {"Op": "replace", "Key": "nickname", "Value": "ada \u00e9\U0001f600", "SyncCount": 0},
            {"Op": "replace", "Key": "level", "Value": "4", "SyncCount": 2},
        ],
    }
    from_file = aws_cli("update-records", "--cli-input-json", json.dumps(request)).json()
    assert {r["Key"]: r["SyncCount"] for r in from_file["Records"]} == {
        "nickname": 3, "level": 3,
    }

    listed = aws_cli("list-records", *ids.cli_args).json()
    assert listed["DatasetExists"] is True
    assert listed["DatasetSyncCount"] == 3
    assert listed["Count"] == 3
    assert {k: (r["Value"], r["SyncCount"]) for k, r in records_by_key(listed).items()} == {
        "highScore": ("11", 2),
        "level": ("4", 3),
        "nickname": ("ada \u00e9\U0001f600", 3),
    }

    delta = aws_cli("list-records", *ids.cli_args, "--last-sync-count", "2").json()
    assert sorted(records_by_key(delta)) == ["level", "nickname"]


def test_aws_cli_remove_leaves_a_tombstone(aws_cli, ids):
    aws_cli(
        "update-records", *ids.cli_args,
        f"--sync-session-token={fresh_token(aws_cli, ids)}",
        "--record-patches",
        "Op=replace,Key=highScore,Value=10,SyncCount=0",
        "Op=replace,Key=level,Value=3,SyncCount=0",
    ).json()

    removed = aws_cli(
        "update-records", *ids.cli_args,
        f"--sync-session-token={fresh_token(aws_cli, ids)}",
        "--record-patches", "Op=remove,Key=highScore,SyncCount=1",
    ).json()
    (tombstone,) = removed["Records"]
    assert tombstone["Key"] == "highScore"
    assert tombstone["SyncCount"] == 2
    assert tombstone.get("Value") is None

    listed = aws_cli("list-records", *ids.cli_args).json()
    assert listed["DatasetSyncCount"] == 2
    records = records_by_key(listed)
    assert records["highScore"].get("Value") is None
    assert records["highScore"]["SyncCount"] == 2
    assert (records["level"]["Value"], records["level"]["SyncCount"]) == ("3", 1)

    delta = aws_cli("list-records", *ids.cli_args, "--last-sync-count", "1").json()
    assert list(records_by_key(delta)) == ["highScore"]


def test_aws_cli_stale_write_is_a_resource_conflict(aws_cli, ids):
    aws_cli(
        "update-records", *ids.cli_args,
        f"--sync-session-token={fresh_token(aws_cli, ids)}",
        "--record-patches", "Op=replace,Key=highScore,Value=10,SyncCount=0",
    ).json()

    stale = aws_cli(
        "update-records", *ids.cli_args,
        f"--sync-session-token={fresh_token(aws_cli, ids)}",
        "--record-patches",
        "Op=replace,Key=level,Value=1,SyncCount=0",
        "Op=replace,Key=highScore,Value=99,SyncCount=0",
    )
    assert stale.returncode != 0
    assert (
        "An error occurred (ResourceConflictException) when calling the UpdateRecords "
        "operation: Current SyncCount for: highScore is: 1 not: 0"
    ) in stale.stderr

    listed = aws_cli("list-records", *ids.cli_args).json()
    assert listed["DatasetSyncCount"] == 1
    assert {k: r["Value"] for k, r in records_by_key(listed).items()} == {"highScore": "10"}


def test_aws_cli_describe_list_and_delete_datasets(aws_cli, ids):
    identity = ["--identity-pool-id", ids.identity_pool_id, "--identity-id", ids.identity_id]
    assert aws_cli("list-datasets", *identity).json().get("Datasets", []) == []

    aws_cli(
        "update-records", *ids.cli_args,
        f"--sync-session-token={fresh_token(aws_cli, ids)}",
        "--record-patches", "Op=replace,Key=highScore,Value=10,SyncCount=0",
        "Op=replace,Key=name,Value=\u00e9,SyncCount=0",
    ).json()

    described = aws_cli("describe-dataset", *ids.cli_args).json()["Dataset"]
    assert described["DatasetName"] == ids.dataset_name
    assert described["IdentityId"] == ids.identity_id
    assert described["NumRecords"] == 2
    # UTF-8 bytes of keys and values: "highScore" 9 + "10" 2 + "name" 4 + "é" 2.
    assert described["DataStorage"] == 17
    for stamp in ("CreationDate", "LastModifiedDate"):
        assert datetime.fromisoformat(described[stamp])

    listed = aws_cli("list-datasets", *identity).json()
    assert [d["DatasetName"] for d in listed["Datasets"]] == [ids.dataset_name]
    assert listed["Count"] == 1

    deleted = aws_cli("delete-dataset", *ids.cli_args).json()
    assert deleted["Dataset"]["DatasetName"] == ids.dataset_name

    missing = aws_cli("describe-dataset", *ids.cli_args)
    assert missing.returncode != 0
    assert "(ResourceNotFoundException)" in missing.stderr
    after = aws_cli("list-records", *ids.cli_args).json()
    assert after["DatasetExists"] is False
    assert after.get("Records", []) == []
    assert aws_cli("list-datasets", *identity).json().get("Datasets", []) == []
