"""How a reproduction script's answers become its verdict, rule by rule (the model decides)."""

from __future__ import annotations

import io
import json

import pytest

from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.reproduction import fresh_ids
from cogsync.reproduction._shell import call_of
from cogsync.reproduction._verdict import Judged, Wanted
from cogsync.targets.base import Response

IDS = {"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000001",
       "IdentityId": "us-east-1:00000000-0000-0000-0000-000000000002", "DatasetName": "prefs"}
LISTING = Call("ListRecords", {**IDS, "LastSyncCount": 0})
EMPTY = Ok({"Records": [], "Count": 0, "DatasetSyncCount": 0, "DatasetExists": False,
            "DatasetDeletedAfterRequestedSyncCount": False, "SyncSessionToken": "t0"})


def judged(property_id: str = "LIST-2") -> tuple[Judged, io.StringIO]:
    out = io.StringIO()
    return Judged(Wanted(property_id, "a title", "e", "r"), where="the server", out=out), out


def answer(j: Judged, outcome, call: Call = LISTING, index: int = 0) -> None:
    j.answer(index, "list_records", Response(call, outcome, None))


def test_an_answer_the_model_accepts_is_kept():
    j, out = judged()
    answer(j, EMPTY)
    assert j.verdict() == 0
    assert "kept: [LIST-2] does not fail again: the server keeps the contract on these 1 calls" in out.getvalue()


def test_the_failures_own_property_broken_again_reproduces_with_expected_and_received():
    j, out = judged("LIST-2")
    answer(j, Ok({**EMPTY.body, "DatasetSyncCount": 3}))  # a missing dataset at count 3
    assert j.verdict() == 1
    text = out.getvalue()
    assert "  breaks [LIST-2] " in text and "\nreproduced: [LIST-2] " in text
    assert "\n  expected: " in text and "\n  received: " in text


def test_another_property_broken_is_a_failure_too_named_as_such():
    j, out = judged("CONF-1")
    answer(j, Ok({**EMPTY.body, "DatasetSyncCount": 3}))
    assert j.verdict() == 1
    assert "[CONF-1] a title: not seen again, but the server breaks the contract on this sequence:" in (
        out.getvalue())


@pytest.mark.parametrize("outcome, said", [
    (Unknown("throttled: HTTP 429 TooManyRequestsException", 429), "It throttled us: run this again later."),
    (Unknown("timeout: read timed out"), "It did not answer in time"),
    (Unknown("connection error: refused"), "Is it running?"),
    (Err("UnrecognizedClientException", 403, "no such key"), "refused our credentials at step 0"),
])
def test_a_lost_answer_or_refused_keys_cannot_tell(outcome, said):
    j, out = judged()
    answer(j, outcome)
    assert j.verdict() == 2
    assert "cannot tell whether [LIST-2] still fails: " in out.getvalue() and said in out.getvalue()


def test_a_race_cannot_be_told_by_calls_one_after_another():
    j, out = judged("CONF-6")
    answer(j, EMPTY)
    assert j.verdict() == 2
    assert "a script sends one call after another" in out.getvalue()


def test_a_step_not_sent_cannot_tell():
    j, out = judged()
    j.skipped(0, "GET /x: a raw request the AWS CLI cannot send")
    assert j.verdict() == 2 and "step 0 was not sent" in out.getvalue()


def test_an_aws_cli_command_line_reads_back_as_the_call_it_sent():
    patches = [{"Op": "replace", "Key": "-k", "Value": "v", "SyncCount": 0}]
    argv = ["aws", "cognito-sync", "update-records", f"--identity-pool-id={IDS['IdentityPoolId']}",
            f"--identity-id={IDS['IdentityId']}", "--dataset-name=prefs", "--sync-session-token=-t",
            f"--record-patches={json.dumps(patches)}", "--endpoint-url=http://x", "--output=json"]
    assert call_of(argv) == Call("UpdateRecords", {**IDS, "SyncSessionToken": "-t", "RecordPatches": patches})
    listing = call_of(["aws", "cognito-sync", "list-records", "--last-sync-count=3", "--max-results=x"])
    assert listing == Call("ListRecords", {"LastSyncCount": 3, "MaxResults": "x"})
    with pytest.raises(ValueError, match="not an aws cognito-sync command"):
        call_of(["aws", "s3", "ls"])


def test_fresh_ids_keep_the_shape_and_never_merge_two_ids():
    fresh = fresh_ids()
    long_id = IDS["IdentityPoolId"]
    new = fresh(long_id)
    assert new != long_id and len(new) == len(long_id) and new.startswith("us-east-1:")
    assert [c == "-" for c in new] == [c == "-" for c in long_id]
    assert fresh(long_id) == new
    short = [fresh(f"us-east-1:{digit}") for digit in "0123456789abcdef"]
    assert len(set(short)) == 16  # sixteen one-digit ids: sixteen different fresh ones
    assert fresh("no-colon") == "no-colon" and fresh("us-east-1:UPPER") == "us-east-1:UPPER"
