"""No pass without a witness: every verdict is earned by an answer that put it to the test.

A witness is an observation that would have come out differently on a server that
breaks the property. These tests hold the engine to it on servers that answer but
test nothing: one refusing every request with 400 InvalidParameterException, one
whose every answer is lost, and one that checks no signatures (ISO-2 is then not
applicable, not passed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from cogsync.conformance import engine
from cogsync.conformance.checks import WITNESSES
from cogsync.conformance.concurrency import accepted_writes, is_a_race
from cogsync.conformance.config import RunConfig
from cogsync.conformance.history import History, Operation
from cogsync.conformance.results import Status
from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.contracts.properties import PROPERTIES, Level
from cogsync.targets.base import Response
from cogsync.targets.in_process import InProcessTarget

#: What a server answering 400 InvalidParameterException to everything really breaks:
#: valid requests refused (VAL-2), and a missing dataset described or deleted without 404.
BROKEN_BY_REFUSING_EVERYTHING = {"VAL-2", "DS-2"}


def refuse_everything(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    body = json.dumps({"message": "refused"}).encode()
    start_response("400 Bad Request", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                       ("x-amzn-ErrorType", "InvalidParameterException")])
    return [body]


@pytest.fixture(scope="module")
def refusing_run():  # type: ignore[no-untyped-def]
    return engine.run(InProcessTarget(refuse_everything), RunConfig(budget="quick", seed=3, skip_preflight=True))


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda p: p.id)
def test_a_server_refusing_everything_earns_no_verdict_it_did_not_break(refusing_run, prop):
    """Every id: not-run with the reason (or not-applicable), unless the server breaks it."""
    assert prop.id in WITNESSES  # the witness is defined
    entry = refusing_run.results[prop.id]
    assert entry.witnesses == 0
    if prop.id in BROKEN_BY_REFUSING_EVERYTHING:
        assert entry.status is Status.FAIL
    elif prop.id == "DUR-1":
        assert entry.status is Status.NOT_APPLICABLE
    else:
        assert entry.status is Status.NOT_RUN, (entry.status, entry.note, entry.failures[:1])
        assert entry.note  # and it says why


def test_the_refusing_server_fails_the_gate_and_names_what_was_never_tested(refusing_run):
    assert refusing_run.exit_code == 1
    untested = {r.property_id for r in refusing_run.untested()}
    assert {"SYNC-1", "CONF-1", "CONF-4", "TOK-2", "VAL-1", "LIST-1", "ISO-2"} <= untested
    assert all(p.level is not Level.MAY for p in refusing_run.untested())


class _LostAnswers:
    """A target whose every answer is lost: whatever happened, nobody knows."""

    name = "lost"
    supports_raw = False

    def send(self, call: Call) -> Response:
        return Response(call, Unknown("timeout: read timed out"), None)

    def close(self) -> None:
        pass


def test_lost_answers_witness_nothing():
    result = engine.run(_LostAnswers(), RunConfig(budget="quick", seed=5, skip_preflight=True))
    assert {r.status for r in result.results.values()} <= {Status.INCONCLUSIVE, Status.NOT_APPLICABLE,
                                                         Status.NOT_RUN}
    assert sum(r.witnesses for r in result.results.values()) == 0
    assert result.exit_code == 2


def test_a_server_checking_no_signatures_makes_iso_2_not_applicable_and_says_so():
    target = InProcessTarget.emulator(sign=True)  # we sign; the emulator checks nothing
    result = engine.run(target, RunConfig(budget="quick", seed=6, properties=("ISO-2",)))
    iso = result.results["ISO-2"]
    assert iso.status is Status.NOT_APPLICABLE and iso.witnesses == 0
    assert result.exit_code == 0
    assert any("anyone can read and write any identity's data" in note for note in result.notes)
    required = engine.run(InProcessTarget.emulator(sign=True),
                          RunConfig(budget="quick", seed=6, properties=("ISO-2",), require_signatures=True))
    assert required.results["ISO-2"].status is Status.FAIL
    assert required.exit_code == 1


def test_on_the_embedded_emulator_every_verdict_counts_witnesses():
    result = engine.run(engine.embedded_target(), RunConfig(budget="quick", seed=8))
    for entry in result.results.values():
        if entry.status is Status.PASS:
            assert entry.witnesses > 0, entry.property_id
    assert result.results["ISO-2"].status is Status.PASS  # this emulator checks signatures


# --- CONF-6: what makes a race -------------------------------------------------------


def _write(op_id: int, client: int, count: int, start: float, end: float | None,
           outcome: Any) -> Operation:
    params = {"IdentityPoolId": "us-east-1:1", "IdentityId": "us-east-1:2", "DatasetName": "d",
              "SyncSessionToken": f"t{op_id}", "RecordPatches": [
                  {"Op": "replace", "Key": "k", "Value": str(op_id), "SyncCount": count}]}
    return Operation(op_id, client, Call("UpdateRecords", params), start, end, outcome)


OK = Ok({"Records": []})
CONFLICT = Err("ResourceConflictException", 409, "Current SyncCount for: k is: 1 not: 0")


def test_a_race_needs_two_clients_and_every_outcome_known():
    same_count = History([_write(1, 0, 0, 0.0, 1.0, OK), _write(2, 1, 0, 2.0, 3.0, CONFLICT)])
    assert is_a_race(same_count)  # both presented 0 for k: at most one may win
    overlapping = History([_write(1, 0, 0, 0.0, 2.0, OK), _write(2, 1, 1, 1.0, 3.0, CONFLICT)])
    assert is_a_race(overlapping)
    one_client = History([_write(1, 0, 0, 0.0, 2.0, OK), _write(2, 0, 0, 1.0, 3.0, CONFLICT)])
    assert not is_a_race(one_client)
    apart = History([_write(1, 0, 0, 0.0, 1.0, OK), _write(2, 1, 1, 2.0, 3.0, OK)])
    assert not is_a_race(apart)
    lost = History([_write(1, 0, 0, 0.0, 1.0, OK), _write(2, 1, 0, 2.0, None, Unknown("never completed"))])
    assert not is_a_race(lost)
    assert accepted_writes(same_count) == 1 and accepted_writes(lost) == 1
