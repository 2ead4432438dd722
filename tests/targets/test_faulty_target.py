"""FaultyTarget and ProxiedFaults: each fault kind does to one request what the fault SPEC says,
on the real emulator (in-process, and served on 127.0.0.1 behind the fault proxy)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cogsync.conformance.fault_runs import fault_layer
from cogsync.contracts.calls import Call, Ok, Unknown
from cogsync.emulator.server import EmulatorServer
from cogsync.faults.spec import FaultKind, FaultSpec
from cogsync.faults.target import DUPLICATE_DELIVERY, FaultyTarget
from cogsync.faults.through_proxy import ProxiedFaults
from cogsync.mutants import reference
from cogsync.targets import HttpTarget, InProcessTarget

IDS = {"IdentityPoolId": "us-east-1:11111111-1111-4111-8111-111111111111",
       "IdentityId": "us-east-1:22222222-2222-4222-8222-222222222222", "DatasetName": "d"}


def _listing(target: FaultyTarget | InProcessTarget | HttpTarget) -> dict:
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


@pytest.fixture
def served() -> Iterator[HttpTarget]:
    server = EmulatorServer(reference(), "127.0.0.1", 0)
    server.start()
    target = HttpTarget(server.url, credentials=("cogsync", "unsigned-app"))
    try:
        yield target
    finally:
        target.close()
        server.stop()


def test_over_http_the_faults_are_the_proxys_and_a_duplicate_is_known_to_its_request(served: HttpTarget):
    faulty = fault_layer(served, FaultSpec.parse("duplicate@1"))
    assert isinstance(faulty, ProxiedFaults)
    try:
        faulty.use(FaultSpec.parse("duplicate@1,drop-answer@2").schedule())
        token = _listing(served)["SyncSessionToken"]
        patches = [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}]
        twice = faulty.send(Call("UpdateRecords", {**IDS, "SyncSessionToken": token, "RecordPatches": patches}))
        (copy,) = twice.duplicates  # the proxy sent it twice: the judge sees the unseen copy
        assert copy.outcome == Unknown(DUPLICATE_DELIVERY) and _listing(served)["DatasetSyncCount"] == 1
        lost = faulty.send(Call("ListRecords", dict(IDS)))  # held by the proxy until the client gives up
        assert isinstance(lost.outcome, Unknown) and lost.status is None
        assert [(phase, f.kind) for phase, f in faulty.injected] == [("", FaultKind.DUPLICATE),
                                                                      ("", FaultKind.DROP_ANSWER)]
        faulty.use(None)
        assert isinstance(faulty.send(Call("ListRecords", dict(IDS))).outcome, Ok)  # straight to the server
        assert faulty.proxy.requests == 2
    finally:
        faulty.stop()
