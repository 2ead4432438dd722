"""``scenario.run(server)`` and ``device.run(step, server)`` take what a user has at hand,
and refuse, loudly, anything that would send nothing or ignore the answers.

Real parts: the in-process emulator, boto3 clients (under ``mock_cognito_sync`` and over
loopback HTTP against real servers), a closed port.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, given, settings

from cogsync import WrongTypeError, mock_cognito_sync
from cogsync import strategies as cs
from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.emulator.server import EmulatorServer, serve_in_thread
from cogsync.targets import HttpTarget, InProcessTarget

ALICE = cs.Identity("us-east-1:00000000-0000-0000-0000-0000000000a1",
                    "us-east-1:00000000-0000-0000-0000-0000000000a2")
ONE_WRITE = cs.Scenario((ALICE,), (cs.DeviceSpec(0, "phone"),), ("prefs",),
                        (cs.Step(0, "write", "prefs", edits=(cs.Edit("theme", "dark"),)),))
#: A write, then a second device writing the same key at a count one behind: a 409.
STALE = cs.Scenario((ALICE,), (cs.DeviceSpec(0, "phone"), cs.DeviceSpec(0, "tablet")), ("prefs",), (
    cs.Step(0, "write", "prefs", edits=(cs.Edit("theme", "dark"),)),
    cs.Step(1, "list", "prefs"),
    cs.Step(0, "write", "prefs", edits=(cs.Edit("theme", "light"),)),
    cs.Step(1, "write", "prefs", edits=(cs.Edit("theme", "blue"),)),
))
SOME = settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
NO_RETRIES = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=2)


def client(endpoint_url: str | None = None, service: str = "cognito-sync") -> Any:
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint_url, config=NO_RETRIES,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def operations(transcript: list[cs.Exchange]) -> list[str]:
    return [x.call.operation for x in transcript]


# --- what is accepted --------------------------------------------------------------------


def test_a_target_is_sent_every_call_and_its_responses_unwrapped():
    transcript = ONE_WRITE.run(InProcessTarget.emulator())
    assert operations(transcript) == ["ListRecords", "UpdateRecords"]
    assert isinstance(transcript[1].outcome, Ok)
    assert transcript[1].outcome.body["Records"][0]["Key"] == "theme"
    for exchange in transcript:
        assert 0 < exchange.started_at <= exchange.ended_at


def test_a_target_over_real_http():
    with serve_in_thread() as url:
        transcript = STALE.run(HttpTarget(url))
    assert [type(x.outcome) for x in transcript].count(Err) == 1
    conflict = next(x.outcome for x in transcript if isinstance(x.outcome, Err))
    assert (conflict.error_type, conflict.status) == ("ResourceConflictException", 409)


def test_a_boto3_client_is_called_and_its_errors_become_outcomes():
    with mock_cognito_sync():
        transcript = STALE.run(client())
    conflict = next(x.outcome for x in transcript if isinstance(x.outcome, Err))
    assert conflict.error_type == "ResourceConflictException" and conflict.status == 409
    assert "Current SyncCount for: theme" in conflict.message
    written = transcript[1].outcome
    assert isinstance(written, Ok) and written.status == 200
    record = written.body["Records"][0]
    assert isinstance(record["LastModifiedDate"], (int, float))  # epoch seconds, as on the wire
    assert "ResponseMetadata" not in written.body


def test_a_function_returning_outcomes():
    target = InProcessTarget.emulator()
    transcript = ONE_WRITE.run(lambda call: target.send(call).outcome)
    assert operations(transcript) == ["ListRecords", "UpdateRecords"]


@SOME
@given(cs.call_sequences(identities=1, devices=2, datasets=1, max_steps=6, limit_pressure=False))
def test_every_kind_of_server_gets_the_same_calls(scenario):
    """The three kinds are one: the same program, the same calls (tokens aside)."""
    def shape(transcript: list[cs.Exchange]) -> list[tuple[str, str]]:
        return [(x.call.operation, x.outcome.kind) for x in transcript]

    with mock_cognito_sync():
        by_boto3 = shape(scenario.run(client()))
    by_target = shape(scenario.run(InProcessTarget.emulator()))
    target = InProcessTarget.emulator()
    by_function = shape(scenario.run(lambda call: target.send(call).outcome))
    assert by_boto3 == by_target == by_function
    assert any(operation == "UpdateRecords" for operation, _ in by_target) or all(
        step.action in ("list", "describe", "delete", "list_datasets") for step in scenario.steps)


def test_device_run_takes_the_same_servers_and_numbers_its_exchanges():
    step = cs.Step(1, "write", "prefs", edits=(cs.Edit("theme", "dark"),))
    exchanges = cs.Device(ALICE, "tablet").run(step, InProcessTarget.emulator())
    assert [x.device for x in exchanges] == [1, 1]
    assert operations(exchanges) == ["ListRecords", "UpdateRecords"]


# --- what a boto3 client's lost answers become --------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def failing_server() -> Iterator[Any]:
    """A real HTTP server answering every request with the status the test sets."""
    answer = {"status": "500 Internal Server Error", "type": "InternalErrorException"}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = json.dumps({"message": "it broke", "__type": answer["type"]}).encode()
        start_response(answer["status"], [("Content-Type", "application/json"),
                                          ("x-amzn-ErrorType", answer["type"]),
                                          ("Content-Length", str(len(body)))])
        return [body]

    server = EmulatorServer(app)  # type: ignore[arg-type]
    server.start()
    try:
        yield server.url, answer
    finally:
        server.stop()


def test_a_boto3_client_answered_5xx_or_429_gives_unknown(failing_server):
    url, answer = failing_server
    call = Call("ListDatasets", {"IdentityPoolId": ALICE.pool_id, "IdentityId": ALICE.identity_id})
    step = cs.Step(0, "list_datasets")
    [first] = cs.Device(ALICE).run(step, client(url))
    assert isinstance(first.outcome, Unknown) and first.outcome.status == 500
    assert first.outcome.reason.startswith("server error: HTTP 500 InternalErrorException")
    answer.update(status="429 Too Many Requests", type="TooManyRequestsException")
    [second] = cs.Device(ALICE).run(step, client(url))
    assert isinstance(second.outcome, Unknown) and second.outcome.status == 429
    assert second.outcome.reason.startswith("throttled: HTTP 429")
    assert first.call == second.call == call


def test_a_boto3_client_that_cannot_connect_gives_unknown():
    [exchange] = cs.Device(ALICE).run(cs.Step(0, "describe", "prefs"),
                                      client(f"http://127.0.0.1:{closed_port()}"))
    assert isinstance(exchange.outcome, Unknown)
    assert exchange.outcome.reason.startswith("connection error: ")


# --- what is refused, and how -------------------------------------------------------------


def test_a_bound_send_returning_responses_is_refused_with_the_fix():
    target = InProcessTarget.emulator()
    with pytest.raises(TypeError) as caught:
        ONE_WRITE.run(target.send)
    message = str(caught.value)
    assert isinstance(caught.value, WrongTypeError)
    assert "server(call) returned Response(" in message and "not an outcome" in message
    assert "scenario.run(target)" in message and "target.send(call).outcome" in message


@pytest.mark.parametrize("returned", [None, "ok", {"Records": []}, 200])
def test_a_function_returning_anything_but_an_outcome_is_refused(returned):
    with pytest.raises(WrongTypeError, match=r"server\(call\) returned .*return an Ok, Err or Unknown"):
        ONE_WRITE.run(lambda call: returned)


@pytest.mark.parametrize("server", [None, 42, "http://127.0.0.1:4566", object()])
def test_something_that_cannot_send_is_refused_before_any_call(server):
    with pytest.raises(WrongTypeError, match=r"server=.* must be a cogsync target .* a boto3 'cognito-sync' "
                                             r"client, or a function send\(call\)"):
        ONE_WRITE.run(server)


def test_a_boto3_client_of_another_service_is_refused():
    with pytest.raises(WrongTypeError, match=r"client of 'cognito-identity'.*boto3.client\('cognito-sync'"):
        ONE_WRITE.run(client(service="cognito-identity"))


def test_device_run_refuses_the_same_way():
    target = InProcessTarget.emulator()
    with pytest.raises(WrongTypeError, match=r"server\(call\) returned Response\("):
        cs.Device(ALICE).run(ONE_WRITE.steps[0], target.send)
