"""The engine end to end: the correct emulator passes everything, a broken one fails.

These run the real engine against the real emulator in-process; the mutant catalog
(tests/mutants) proves each check one bug at a time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from cogsync.conformance import engine
from cogsync.conformance.checks import CANNOT_CHECK, NEEDS_RESTARTS
from cogsync.conformance.config import RunConfig
from cogsync.conformance.results import Status
from cogsync.contracts.calls import Call, Unknown
from cogsync.contracts.properties import PROPERTIES, Level
from cogsync.errors import InfrastructureError
from cogsync.report.reproductions import scripts_for
from cogsync.targets.base import Response, unanswered
from cogsync.targets.in_process import InProcessTarget

MUST_AND_SHOULD = [p.id for p in PROPERTIES if p.level is not Level.MAY and p.id not in CANNOT_CHECK
                   and p.id not in NEEDS_RESTARTS]


@pytest.fixture(scope="module")
def clean_run():
    return engine.run(engine.embedded_target(), RunConfig(budget="quick", seed=7))


def test_the_correct_emulator_passes_every_must_and_should_property(clean_run):
    assert clean_run.exit_code == 0, [
        (f.property_id, f.title, f.received) for f in clean_run.failures()
    ]
    statuses = {pid: clean_run.results[pid].status for pid in MUST_AND_SHOULD}
    assert statuses == {pid: Status.PASS for pid in MUST_AND_SHOULD}
    assert all(clean_run.results[pid].witnesses > 0 for pid in MUST_AND_SHOULD)


def test_a_property_the_kit_cannot_check_here_is_not_applicable_with_the_reason(clean_run):
    durability = clean_run.results["DUR-1"]
    assert durability.status is Status.NOT_APPLICABLE
    assert "restart" in durability.note


def test_may_properties_are_reported_as_findings_never_failures(clean_run):
    may = [r for r in clean_run.results.values() if r.level is Level.MAY]
    assert {r.property_id: r.status for r in may} == {r.property_id: Status.FINDING for r in may}
    assert all(r.findings and not r.failures for r in may)
    assert "does not count tombstones" in " ".join(clean_run.results["DEL-3"].findings)


def test_progress_events_cover_every_phase():
    phases: list[str] = []
    engine.run(engine.embedded_target(), RunConfig(budget="quick", seed=1, max_examples=3),
               progress=lambda p: phases.append(p.phase))
    assert {"preflight", "probes", "boundaries", "programs", "negative", "concurrency", "auth",
            "wire-fuzz"} <= set(phases)
    assert phases[0] == "preflight"


def _wrap(app: Callable, rewrite: Callable[[dict], dict]) -> Callable:
    """A WSGI app whose JSON success bodies pass through ``rewrite``: a broken server."""

    def broken(environ: dict, start_response: Callable) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        body = b"".join(app(environ, capture))
        if captured["status"].startswith("200") and body:
            body = json.dumps(rewrite(json.loads(body))).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], headers + [("Content-Length", str(len(body)))])
        return [body]

    return broken


def test_a_server_that_bumps_the_count_by_two_fails_sync_1_with_a_short_reproduction():
    def bump_twice(body: dict) -> dict:
        if "DatasetSyncCount" in body and body["DatasetSyncCount"]:
            body["DatasetSyncCount"] *= 2
        return body

    good = engine.embedded_target()
    target = InProcessTarget(_wrap(good.app, bump_twice), credentials=engine.RUN_KEY)
    result = engine.run(target, RunConfig(budget="quick", seed=2, properties=("SYNC-*",)))
    assert result.exit_code == 1
    sync1 = result.results["SYNC-1"]
    assert sync1.status is Status.FAIL
    failure = sync1.failures[0]
    assert 1 <= len(failure.steps) <= 8
    scripts = scripts_for(failure, result)
    assert scripts is not None
    assert "update_records" in scripts[0]
    assert "aws cognito-sync update-records" in scripts[1]


class _Throttled:
    """A target whose every answer is 429: nothing can be decided."""

    name = "throttled"
    supports_raw = False

    def send(self, call: Call) -> Response:
        return Response(call, Unknown("throttled: 429", 429), 429, {"x-amzn-errortype": "TooManyRequestsException"},
                        b'{"message": "slow down"}')

    def close(self) -> None:
        pass


def test_a_throttling_target_is_inconclusive_not_passed():
    started = time.monotonic()
    result = engine.run(_Throttled(), RunConfig(budget="quick", seed=3, deadline_seconds=3))
    assert time.monotonic() - started < 4  # the backoff never waits past the deadline
    assert result.exit_code == 2
    assert {r.status for r in result.results.values()} == {Status.INCONCLUSIVE, Status.NOT_APPLICABLE}
    assert any("kept throttling" in note for note in result.notes)


class _SilentAfter:
    """The real emulator for the first ``answered`` calls, then timeouts: a server that died."""

    supports_raw = False

    def __init__(self, answered: int, *, throttle: bool = False):
        self.good = engine.embedded_target()
        self.name = "silent-after"
        self.left = answered
        self.throttle = throttle

    def send(self, call: Call) -> Response:
        self.left -= 1
        if self.left >= 0:
            return self.good.send(call)
        if self.throttle:
            return _Throttled().send(call)
        return Response(call, Unknown("timeout: read timed out"), None)

    def close(self) -> None:
        pass


def test_the_preflight_answers_are_no_evidence_and_a_dead_server_stops_the_run():
    result = engine.run(_SilentAfter(4), RunConfig(budget="quick", seed=5, properties=("SYNC-*", "LIST-2")))
    assert result.exit_code == 2
    # The preflight's write put SYNC-1 and LIST-2 to the test, but only its failures count.
    assert result.results["SYNC-1"].status is Status.INCONCLUSIVE
    assert result.results["LIST-2"].status is Status.INCONCLUSIVE
    assert any("in a row were unknown" in note for note in result.notes)


class _HiddenByOurFaults(_SilentAfter):
    """The real emulator, except that a run of answers in a row is hidden by a fault the
    kit injected (as :class:`cogsync.faults.target.FaultyTarget` marks them)."""

    def __init__(self, answered: int, hidden: int):
        super().__init__(answered)
        self.hidden = hidden

    def send(self, call: Call) -> Response:
        self.left -= 1
        if self.left < 0 and self.hidden > 0:
            self.hidden -= 1
            self.good.send(call)  # applied; its answer withheld
            return unanswered(call, "timeout: the answer was lost (fault injected: drop-answer)",
                              time.time(), injected_fault="drop-answer")
        return self.good.send(call)


def test_answers_our_own_faults_hid_never_make_a_target_unresponsive():
    result = engine.run(_HiddenByOurFaults(4, hidden=3 * engine.UNRESPONSIVE_AFTER),
                        RunConfig(budget="quick", seed=5, properties=("SYNC-*", "LIST-2")))
    assert not any("in a row were unknown" in note for note in result.notes), result.notes
    assert result.results["SYNC-1"].status is Status.PASS


def test_throttled_answers_are_judged_for_their_wire_shape_only():
    result = engine.run(_SilentAfter(4, throttle=True),
                        RunConfig(budget="quick", seed=6, properties=("WIRE-2", "SYNC-1"), deadline_seconds=2))
    # Well-formed 429s break nothing, and witness nothing: a throttling target passes nothing.
    assert result.results["WIRE-2"].status is Status.INCONCLUSIVE
    assert result.results["SYNC-1"].status is Status.INCONCLUSIVE
    assert any("kept throttling" in note for note in result.notes)


class _ThrottlesBadly(_SilentAfter):
    """The real emulator for the preflight, then 429s without an error type or a JSON message."""

    def send(self, call: Call) -> Response:
        self.left -= 1
        if self.left >= 0:
            return self.good.send(call)
        return Response(call, Unknown("throttled: 429", 429), 429, {}, b"slow down")


def test_a_badly_shaped_throttling_answer_fails_wire_2():
    result = engine.run(_ThrottlesBadly(4), RunConfig(budget="quick", seed=6, properties=("WIRE-2",),
                                                      deadline_seconds=2))
    assert result.results["WIRE-2"].status is Status.FAIL
    assert "x-amzn-ErrorType" in result.results["WIRE-2"].failures[0].title


def _refusing(status: str, error_type: str) -> Callable:
    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        body = json.dumps({"message": "no"}).encode()
        start_response(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)])
        return [body]

    return app


def test_an_unusable_target_raises_before_any_phase():
    phases: list[str] = []
    target = InProcessTarget(_refusing("403 Forbidden", "InvalidSignatureException"))
    with pytest.raises(engine.TargetUnusable, match="refused the credentials") as raised:
        engine.run(target, RunConfig(budget="quick", seed=8), progress=lambda p: phases.append(p.phase))
    assert isinstance(raised.value, InfrastructureError)
    assert set(phases) == {"preflight"}


def test_skip_preflight_goes_straight_to_the_phases():
    phases: list[str] = []
    config = RunConfig(budget="quick", seed=9, properties=("SYNC-1",), max_examples=2, skip_preflight=True)
    result = engine.run(engine.embedded_target(), config, progress=lambda p: phases.append(p.phase))
    assert "preflight" not in phases and "probes" in phases
    assert result.exit_code == 0


def test_on_a_named_identity_every_dataset_is_run_prefixed_and_cleaned_up():
    target = engine.embedded_target()
    pool, identity = "us-east-1:0d0d0d0d-0000-4000-8000-000000000001", "us-east-1:0d0d0d0d-0000-4000-8000-00000000abcd"
    keep = {"IdentityPoolId": pool, "IdentityId": identity, "DatasetName": "users-own-data"}
    token = target.send(Call("ListRecords", keep)).outcome.body["SyncSessionToken"]
    target.send(Call("UpdateRecords", {**keep, "SyncSessionToken": token,
                                       "RecordPatches": [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}]}))
    config = RunConfig(budget="quick", seed=4, max_examples=5, identity_pool_id=pool, identity_id=identity)
    result = engine.run(target, config)
    assert result.exit_code == 0, [(f.property_id, f.received) for f in result.failures()]
    left = target.send(Call("ListDatasets", {"IdentityPoolId": pool, "IdentityId": identity})).outcome.body
    assert [d["DatasetName"] for d in left["Datasets"]] == ["users-own-data"]
    assert result.results["ISO-1"].status is Status.PASS or result.results["ISO-1"].note


def test_a_delete_the_deadline_cut_off_is_remembered_for_the_final_cleanup():
    from cogsync.conformance.scope import Scope

    pool, identity = "us-east-1:0f0f0f0f-0000-4000-8000-000000000001", "us-east-1:0f0f0f0f-0000-4000-8000-0000000000cd"
    target = engine.embedded_target()
    scope = Scope(RunConfig(identity_pool_id=pool, identity_id=identity))
    ids = {"IdentityPoolId": pool, "IdentityId": identity, "DatasetName": scope.dataset()}
    token = target.send(Call("ListRecords", ids)).outcome.body["SyncSessionToken"]
    target.send(Call("UpdateRecords", {**ids, "SyncSessionToken": token,
                                       "RecordPatches": [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}]}))
    scope.remember(scope.identity(), ids["DatasetName"])
    target.set_deadline(time.monotonic() - 1)  # the run's deadline has passed: nothing is sent
    scope.sweep(target)
    assert scope.created == {(pool, identity, ids["DatasetName"])}
    target.set_deadline(None)  # the engine lifts the cap for its final cleanup
    scope.sweep(target)
    assert scope.created == set()
    listed = target.send(Call("ListDatasets", {"IdentityPoolId": pool, "IdentityId": identity})).outcome
    assert listed.body["Datasets"] == []


def test_a_named_identity_is_cleaned_up_even_when_the_deadline_cuts_the_run_short():
    target = engine.embedded_target()
    pool, identity = "us-east-1:0f0f0f0f-0000-4000-8000-000000000002", "us-east-1:0f0f0f0f-0000-4000-8000-0000000000ef"
    config = RunConfig(budget="quick", seed=12, identity_pool_id=pool, identity_id=identity, deadline_seconds=1.0)
    started = time.monotonic()
    result = engine.run(target, config)
    assert time.monotonic() - started < 3
    assert result.exit_code == 2
    left = target.send(Call("ListDatasets", {"IdentityPoolId": pool, "IdentityId": identity})).outcome.body
    assert left["Datasets"] == []
