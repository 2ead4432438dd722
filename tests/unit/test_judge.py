"""``cogsync.Judge`` and ``cogsync.check``: the model's judgement as an assertion in a user's test."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import cogsync
from cogsync import ContractViolation, Judge, WrongTypeError
from cogsync import strategies as cs
from cogsync.contracts.calls import Call, Ok
from cogsync.targets import InProcessTarget

IDS = {"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000001",
       "IdentityId": "us-east-1:00000000-0000-0000-0000-000000000002", "DatasetName": "prefs"}
ALICE = cs.Identity(IDS["IdentityPoolId"], IDS["IdentityId"])
#: Two devices; the second writes 'theme' at the count it listed, after the first moved it on.
STALE = cs.Scenario((ALICE,), (cs.DeviceSpec(0, "phone"), cs.DeviceSpec(0, "tablet")), ("prefs",), (
    cs.Step(0, "write", "prefs", edits=(cs.Edit("theme", "dark"),)),
    cs.Step(1, "list", "prefs"),
    cs.Step(0, "write", "prefs", edits=(cs.Edit("theme", "light"),)),
    cs.Step(1, "write", "prefs", edits=(cs.Edit("theme", "blue"),)),
))
MUTANT = "cogsync.mutants:stale_replace_accepted"
SOME = settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def replace(key: str, value: str, count: int) -> dict[str, object]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count}


@SOME
@given(cs.call_sequences(identities=2, devices=3, datasets=2, max_steps=15))
def test_the_reference_emulator_keeps_the_contract_by_the_judge(scenario):
    judge = cogsync.check(scenario.run(InProcessTarget.emulator()))
    assert judge.violations == [] and judge.calls >= len(scenario.steps)


def test_a_stale_write_accepted_raises_a_contract_violation_naming_the_property():
    judge = Judge()
    with pytest.raises(ContractViolation) as caught:
        for exchange in STALE.run(InProcessTarget.from_spec(MUTANT)):
            judge(exchange)
    violation = caught.value
    assert isinstance(violation, AssertionError)
    assert violation.property_id == "CONF-1"
    message = str(violation)
    assert message.startswith("[CONF-1] ")
    assert "expected: ResourceConflictException" in message and "received: 200" in message
    assert f"at: call {judge.calls}, Call('UpdateRecords'" in message


def test_the_same_on_the_reference_passes_and_says_what_it_tested():
    judge = cogsync.check(STALE.run(InProcessTarget.emulator()))
    assert judge.violations == []
    assert "CONF-1" in judge.witnessed  # the stale write was refused with 409


def test_raising_false_collects_every_breach():
    judge = Judge(raising=False).check(STALE.run(InProcessTarget.from_spec(MUTANT)))
    assert [v.property_id for v in judge.violations] == ["CONF-1"]


def test_send_takes_a_call_and_its_outcome_and_follows_the_conversation():
    target, judge = InProcessTarget.emulator(), Judge()
    listing = target.send(Call("ListRecords", {**IDS, "LastSyncCount": 0}))
    judge.send(listing.call, listing.outcome)
    token = listing.outcome.body["SyncSessionToken"]
    write = Call("UpdateRecords", {**IDS, "SyncSessionToken": token, "RecordPatches": [replace("k", "v", 0)]})
    judge(target.send(write))  # a target's Response is an exchange too
    with pytest.raises(ContractViolation, match=r"^\[TOK-4\] "):  # the token was spent by that write
        judge.send(write, Ok({"Records": [{"Key": "k", "Value": "v", "SyncCount": 2,
                                           "LastModifiedDate": 1.0}]}))


def test_a_listing_read_page_by_page_is_judged_as_a_whole():
    target, judge = InProcessTarget.emulator(), Judge(raising=False)
    token = target.send(Call("ListRecords", {**IDS, "LastSyncCount": 0}))
    judge(token)
    judge(target.send(Call("UpdateRecords", {**IDS, "SyncSessionToken": token.outcome.body["SyncSessionToken"],
                                             "RecordPatches": [replace("k", "1", 0), replace("j", "2", 0)]})))
    first = target.send(Call("ListRecords", {**IDS, "LastSyncCount": 0, "MaxResults": 1}))
    judge(first)
    again = {k: v for k, v in first.outcome.body.items() if k != "NextToken"}  # page 1 served twice
    judge((Call("ListRecords", {**first.call.params, "NextToken": first.outcome.body["NextToken"]}), Ok(again)))
    assert "a listing returned the same item twice" in [v.title for v in judge.violations if v.property_id == "LIST-4"]


@pytest.mark.parametrize("exchange", [None, "call", (1, 2, 3), object()])
def test_anything_but_an_exchange_is_refused_with_the_fix(exchange):
    with pytest.raises(WrongTypeError, match=r"exchange=.* must have \.call and \.outcome"):
        Judge()(exchange)


def test_an_outcome_that_is_a_response_is_refused_with_the_fix():
    response = InProcessTarget.emulator().send(Call("ListRecords", {**IDS, "LastSyncCount": 0}))
    with pytest.raises(TypeError, match=r"outcome must be an Ok, Err or Unknown .*response\.outcome"):
        Judge().send(response.call, response)
