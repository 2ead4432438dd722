"""FaultyTarget: each fault kind does to one request what the fault SPEC says, on the real emulator."""

from __future__ import annotations

import pytest

from cogsync.contracts.calls import Call, Ok, Unknown
from cogsync.faults.spec import FaultKind, FaultSpec
from cogsync.faults.target import DUPLICATE_DELIVERY, FaultyTarget
from cogsync.targets import InProcessTarget

IDS = {"IdentityPoolId": "us-east-1:11111111-1111-4111-8111-111111111111",
       "IdentityId": "us-east-1:22222222-2222-4222-8222-222222222222", "DatasetName": "d"}


def _listing(target: FaultyTarget | InProcessTarget) -> dict:
    outcome = target.send(Call("ListRecords", dict(IDS))).outcome
    assert isinstance(outcome, Ok)
    return outcome.body


def _write(faulty: FaultyTarget, plain: InProcessTarget) -> tuple[Unknown | Ok, int]:
    """A first write through ``faulty`` (its 1st request is faulted); the dataset's count after."""
    token = _listing(plain)["SyncSessionToken"]
    call = Call("UpdateRecords", {**IDS, "SyncSessionToken": token,
                                  "RecordPatches": [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}]})
    response = faulty.send(call)
    return response, _listing(plain)["DatasetSyncCount"]


@pytest.fixture
def targets() -> tuple[FaultyTarget, InProcessTarget]:
    plain = InProcessTarget.emulator()
    return FaultyTarget(plain, delay_seconds=0.01), plain


@pytest.mark.parametrize(("kind", "applied"), [("drop-request", 0), ("drop-answer", 1), ("reset", 1)])
def test_a_hidden_answer_is_unknown_and_the_request_applied_or_not_as_its_kind_says(targets, kind, applied):
    faulty, plain = targets
    faulty.use(FaultSpec.parse(f"{kind}@1").schedule())
    response, count = _write(faulty, plain)
    assert isinstance(response.outcome, Unknown) and f"fault injected: {kind}" in response.outcome.reason
    assert response.status is None and count == applied
    assert [f.kind.value for _phase, f in faulty.injected] == [kind]


def test_a_duplicate_is_delivered_twice_applied_once_by_a_correct_server_and_carries_its_unseen_copy(targets):
    faulty, plain = targets
    faulty.use(FaultSpec.parse("duplicate@1").schedule())
    response, count = _write(faulty, plain)
    (copy,) = response.duplicates
    assert isinstance(copy.outcome, Unknown) and copy.outcome.reason == DUPLICATE_DELIVERY
    assert copy.call == response.call and count == 1  # the reference refused the second delivery
    assert response.status in (200, 400)  # whichever delivery won, the client got an answer


def test_a_delay_delivers_the_request_with_its_normal_answer(targets):
    faulty, plain = targets
    faulty.use(FaultSpec.parse("delay@1").schedule())
    response, count = _write(faulty, plain)
    assert isinstance(response.outcome, Ok) and count == 1 and not response.duplicates
    assert faulty.summary() == {"delay": 1}


def test_without_a_schedule_nothing_is_faulted_and_probe_is_never_faulted(targets):
    faulty, plain = targets
    response, count = _write(faulty, plain)
    assert isinstance(response.outcome, Ok) and faulty.injected == [] and faulty.requests == 0
    faulty.use(FaultSpec.parse("drop-request=1").schedule())
    assert faulty.probe() is None
    assert faulty.send_raw("GET", "/").status is None  # raw requests meet the faults too
    assert faulty.summary() == {FaultKind.DROP_REQUEST.value: 1}
