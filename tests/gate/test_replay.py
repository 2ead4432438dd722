"""`cogsync replay`: saved failing sequences re-run and re-judged against a live target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cogsync.commands.replay import (
    RUN_PREFIX,
    isolated,
    live_call,
    load_failures,
    renamed,
    with_fresh_ids,
)
from cogsync.conformance.results import RunResult, Status
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.properties import PROFILES
from cogsync.errors import UsageError
from cogsync.report.json_report import write_json

POOL = "us-east-1:0a0b0c0d-0000-0000-0000-00000000000a"
IDENTITY = "us-east-1:0a0b0c0d-0000-0000-0000-00000000000b"
SCOPE = {"IdentityPoolId": POOL, "IdentityId": IDENTITY, "DatasetName": "cogsync-0badc0de-game"}


def dropped_value_failure() -> Failure:
    """What the engine would record against the drop-the-Value mutant (tokens now stale)."""
    return Failure(
        "SYNC-4",
        "a written record came back with another Value",
        expected="Value 'v'",
        received="no Value",
        steps=(
            SentCall(
                Call("ListRecords", dict(SCOPE)),
                Ok({"Records": [], "DatasetSyncCount": 0, "SyncSessionToken": "recorded-token"}),
            ),
            SentCall(
                Call(
                    "UpdateRecords",
                    {
                        **SCOPE,
                        "SyncSessionToken": "recorded-token",
                        "RecordPatches": [
                            {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}
                        ],
                    },
                ),
                Ok({"Records": [{"Key": "k", "SyncCount": 1}]}),
            ),
        ),
    )


@pytest.fixture
def report(tmp_path: Path) -> Path:
    run = RunResult.empty(
        target="mutant", profile="default", seed=3, budget="quick", selected=["SYNC-4", "SYNC-1"]
    )
    run.results["SYNC-4"].record_failure(dropped_value_failure(), PROFILES["default"])
    run.results["SYNC-1"].status = Status.PASS
    return write_json(tmp_path / "reports" / "run.json", run)


def test_the_sequence_still_fails_on_the_mutant(
    report: Path,
    mutant_app: str,
    cogsync_cli,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cogsync_cli("replay", str(report), "--in-process", mutant_app) == 1
    out = capsys.readouterr().out
    assert "SYNC-4: a written record came back with another Value" in out
    assert "still fails:" in out and "[SYNC-4]" in out
    assert "1 failure(s) replayed: 1 still fail, 0 no longer fail" in out


def test_the_sequence_no_longer_fails_on_the_reference_emulator(
    report: Path,
    cogsync_cli,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cogsync_cli("replay", str(report)) == 0
    out = capsys.readouterr().out
    assert "no longer fails: 2 call(s) replayed, SYNC-4 holds" in out


def test_a_directory_of_reports_replays_them_all(
    report: Path,
    mutant_app: str,
    cogsync_cli,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    second = report.parent / "nested" / "again.json"
    second.parent.mkdir()
    second.write_text(report.read_text())
    (report.parent / "notes.json").write_text('{"not": "a report"}')  # ignored in a directory
    assert cogsync_cli("replay", str(report.parent), "--in-process", mutant_app) == 1
    assert "2 failure(s) replayed: 2 still fail" in capsys.readouterr().out


def test_tokens_come_from_the_live_answers_and_datasets_get_a_fresh_prefix() -> None:
    steps = renamed(dropped_value_failure().steps, "cogsync-feedf00d")
    assert steps[1].call.params["DatasetName"] == "cogsync-feedf00d-game"
    assert len(steps[1].call.params["DatasetName"]) == len(SCOPE["DatasetName"])
    live = [Ok({"SyncSessionToken": "live-token"})]
    call = live_call(steps[1], {"SyncSessionToken": 0}, live)
    assert call.params["SyncSessionToken"] == "live-token"
    assert RUN_PREFIX.match("cogsync-0badc0de") and not RUN_PREFIX.match("user-dataset")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file or directory"), ('{"tool": "other"}', "not a cogsync JSON report")],
)
def test_bad_failure_paths_are_usage_errors(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "failure.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_failures(path)


def test_bad_failure_path_exits_3(
    tmp_path: Path, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    assert cogsync_cli("replay", str(tmp_path / "absent.json")) == 3
    err = capsys.readouterr().err
    assert err.startswith("cogsync: error: failure=") and "Traceback" not in err


def test_a_report_without_failures_replays_nothing(
    tmp_path: Path,
    cogsync_cli,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_json(
        tmp_path / "clean.json",
        RunResult.empty(target="x", profile="default", seed=1, budget="quick", selected=["SYNC-1"]),
    )
    assert json.loads(path.read_text())["tool"] == "cogsync"
    assert cogsync_cli("replay", str(path)) == 0
    assert "nothing to replay" in capsys.readouterr().out


def test_invented_ids_are_replaced_consistently_and_malformed_ones_kept() -> None:
    bare = {"IdentityPoolId": POOL, "IdentityId": IDENTITY, "DatasetName": "game"}
    steps = [
        SentCall(Call("ListRecords", dict(bare)), Ok({"SyncSessionToken": "t"})),
        SentCall(Call("ListRecords", {**bare, "IdentityId": "us-east-1:NOT-HEX"}), Ok({})),
        SentCall(Call("DescribeDataset", dict(bare)), Ok({})),
    ]
    fresh = with_fresh_ids(steps)
    first, malformed, third = (s.call.params for s in fresh)
    assert first["IdentityId"] != IDENTITY and first["IdentityPoolId"] != POOL
    assert len(first["IdentityId"]) == len(IDENTITY) and first["IdentityId"].startswith(
        "us-east-1:"
    )
    assert third["IdentityId"] == first["IdentityId"]  # one identity stays one identity
    assert malformed["IdentityId"] == "us-east-1:NOT-HEX"
    assert isolated(steps)[1] is True
    prefixed, ours = isolated(dropped_value_failure().steps)
    assert ours and prefixed[0].call.params["IdentityId"] == IDENTITY  # real ids kept
    assert prefixed[0].call.params["DatasetName"] != SCOPE["DatasetName"]


def test_a_report_written_by_verify_replays(  # type: ignore[no-untyped-def]
    tmp_path: Path, mutant_app: str, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "mutant.json"
    verify_args = ("verify", "--quiet", "--seed", "2", "--properties", "SYNC-4")
    assert cogsync_cli(*verify_args, "--in-process", mutant_app, "--report-json", str(saved)) == 1
    capsys.readouterr()
    assert cogsync_cli("replay", str(saved), "--in-process", mutant_app) == 1
    assert "still fails:" in capsys.readouterr().out
    assert cogsync_cli("replay", str(saved)) == 0
    assert "no longer fails" in capsys.readouterr().out
