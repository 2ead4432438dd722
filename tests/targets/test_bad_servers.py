"""Nothing a server does makes an adapter raise: no answer, a hang, 5xx, 429, garbage."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.targets import Boto3Target, HttpTarget, is_malformed
from cogsync.targets.base import Target

from .conftest import REGION, Answer, CannedServer, closed_port, list_records, update

Factory = Callable[[str], Target]
ADAPTERS: dict[str, Factory] = {
    "http": lambda url: HttpTarget(url, region=REGION, timeout=0.5),
    "boto3": lambda url: Boto3Target(url, region=REGION, timeout=0.5),
}


@pytest.fixture(params=sorted(ADAPTERS))
def make(request: pytest.FixtureRequest) -> Factory:
    factory: Factory = ADAPTERS[request.param]
    return factory


def a_call(ids: dict[str, str]) -> Call:
    return list_records(ids)


def test_a_closed_port_is_unknown_and_probe_says_why(make: Factory, ids: dict[str, str]) -> None:
    target = make(f"http://127.0.0.1:{closed_port()}")
    try:
        response = target.send(a_call(ids))
        assert isinstance(response.outcome, Unknown)
        assert response.status is None and response.raw_body is None
        assert response.outcome.reason.startswith("connection error")
        reason = target.probe()
        assert reason is not None and "not reachable" in reason
    finally:
        target.close()


def test_a_hanging_server_is_unknown_after_the_timeout(
    make: Factory, hanging_server: str, ids: dict[str, str]
) -> None:
    target = make(hanging_server)
    try:
        started = time.monotonic()
        response = target.send(a_call(ids))
        elapsed = time.monotonic() - started
        assert isinstance(response.outcome, Unknown)
        assert response.outcome.reason.startswith("timeout")
        assert response.status is None
        assert 0.4 <= elapsed < 5.0
        # It took the connection: reachable, so a run against it ends inconclusive, not exit 3.
        assert target.probe() is None
    finally:
        target.close()


@pytest.mark.parametrize(
    "status, error_type",
    [(500, "InternalErrorException"), (503, None), (429, "TooManyRequestsException")],
)
def test_5xx_and_429_are_unknown_with_status_and_sent_once(
    make: Factory,
    canned_server: Callable[[Answer], CannedServer],
    ids: dict[str, str],
    status: int,
    error_type: str | None,
) -> None:
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["x-amzn-ErrorType"] = error_type
    server = canned_server((status, headers, b'{"message": "busy"}'))
    target = make(server.url)
    try:
        response = target.send(update(ids, "token", []))
        assert isinstance(response.outcome, Unknown)
        assert response.outcome.status == status == response.status
        assert response.raw_body == b'{"message": "busy"}'
        assert len(server.received) == 1, "a retried write could be applied twice"
    finally:
        target.close()


def test_limit_exceeded_is_an_err_and_is_not_retried(
    make: Factory, canned_server: Callable[[Answer], CannedServer], ids: dict[str, str]
) -> None:
    server = canned_server(
        (400, {"x-amzn-ErrorType": "LimitExceededException"}, b'{"message": "too many"}')
    )
    target = make(server.url)
    try:
        response = target.send(update(ids, "token", []))
        assert response.outcome == Err("LimitExceededException", 400, "too many")
        assert response.headers["x-amzn-errortype"] == "LimitExceededException"
        assert len(server.received) == 1
    finally:
        target.close()


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"", b"[]"])
def test_a_malformed_200_is_flagged_with_the_raw_body_kept(
    make: Factory, canned_server: Callable[[Answer], CannedServer], ids: dict[str, str], body: bytes
) -> None:
    server = canned_server((200, {"Content-Type": "text/html"}, body))
    target = make(server.url)
    try:
        response = target.send(a_call(ids))
        assert is_malformed(response.outcome)
        assert response.status == 200
        assert response.raw_body == body
        assert response.headers["content-type"] == "text/html"
    finally:
        target.close()


def test_ok_body_is_the_wire_json_with_numeric_timestamps(
    make: Factory, canned_server: Callable[[Answer], CannedServer], ids: dict[str, str]
) -> None:
    wire = {
        "Datasets": [
            {
                "DatasetName": "d",
                "CreationDate": 1700000000.125,
                "LastModifiedDate": 1700000001,
                "NumRecords": 1,
            }
        ],
        "Count": 1,
    }
    server = canned_server((200, {"X-Amzn-RequestId": "r1"}, json.dumps(wire).encode()))
    target = make(server.url)
    try:
        response = target.send(
            Call(
                "ListDatasets",
                {"IdentityPoolId": ids["IdentityPoolId"], "IdentityId": ids["IdentityId"]},
            )
        )
        assert response.outcome == Ok(wire, 200)
        assert response.headers["x-amzn-requestid"] == "r1"
        assert response.started_at <= response.ended_at
    finally:
        target.close()
