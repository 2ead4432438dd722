"""A run's deadline caps each request's timeout: a silent server cannot outlast it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from cogsync.contracts.calls import Ok, Unknown
from cogsync.targets import Boto3Target, HttpTarget, InProcessTarget
from cogsync.targets.base import Target
from cogsync.targets.deadline import DEADLINE_PASSED, cap_requests

from .conftest import REGION, list_records

Factory = Callable[[str], Target]
ADAPTERS: dict[str, Factory] = {
    "http": lambda url: HttpTarget(url, region=REGION, timeout=10),
    "boto3": lambda url: Boto3Target(url, region=REGION, timeout=10),
}


@pytest.fixture(params=sorted(ADAPTERS))
def make(request: pytest.FixtureRequest) -> Factory:
    factory: Factory = ADAPTERS[request.param]
    return factory


def test_a_hanging_server_is_given_up_at_the_deadline_not_the_timeout(
    make: Factory, hanging_server: str, ids: dict[str, str]
) -> None:
    target = make(hanging_server)
    try:
        assert cap_requests(target, time.monotonic() + 0.6)
        started = time.monotonic()
        response = target.send(list_records(ids))
        elapsed = time.monotonic() - started
        assert isinstance(response.outcome, Unknown)
        assert response.outcome.reason.startswith("timeout")
        assert 0.2 <= elapsed < 2.0, elapsed  # the timeout alone would have been 10 s
    finally:
        target.close()


def test_past_the_deadline_nothing_is_sent(
    make: Factory, canned_server: Any, ids: dict[str, str]
) -> None:
    server = canned_server((200, {"Content-Type": "application/json"}, b"{}"))
    target = make(server.url)
    try:
        cap_requests(target, time.monotonic() - 1)
        response = target.send(list_records(ids))
        assert response.outcome == Unknown(DEADLINE_PASSED)
        assert server.received == []
        cap_requests(target, None)  # lifted: the next call goes out again
        assert isinstance(target.send(list_records(ids)).outcome, Ok)
        assert len(server.received) == 1
    finally:
        target.close()


def test_the_in_process_app_is_not_called_past_the_deadline(ids: dict[str, str]) -> None:
    calls: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    target = InProcessTarget(app)
    assert isinstance(target.send(list_records(ids)).outcome, Ok)
    target.set_deadline(time.monotonic() - 1)
    assert target.send(list_records(ids)).outcome == Unknown(DEADLINE_PASSED)
    assert len(calls) == 1


def test_a_target_without_set_deadline_is_left_alone() -> None:
    assert cap_requests(object(), time.monotonic()) is False


def test_a_deadline_that_is_not_an_instant_is_refused() -> None:
    with pytest.raises(TypeError, match="deadline"):
        HttpTarget("http://127.0.0.1:9", region=REGION).set_deadline("soon")  # type: ignore[arg-type]
