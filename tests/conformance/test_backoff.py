"""Throttled answers are retried after a jittered wait, a bounded number of times, never
past the deadline, and handed to the callback; nothing else is retried.

The target is the real emulator in-process behind a WSGI layer that throttles; the
sleep and the clock are injected, so no test waits for real.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from cogsync.conformance.backoff import Backoff, BackoffPolicy, TargetKeptThrottling, is_throttled
from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.errors import UsageError
from cogsync.targets.base import Response
from cogsync.targets.emulator_app import build_emulator_app
from cogsync.targets.in_process import InProcessTarget

IDS = {"IdentityPoolId": "us-east-1:00000000-0000-4000-8000-000000000001",
       "IdentityId": "us-east-1:00000000-0000-4000-8000-000000000002"}
LIST = Call("ListRecords", {**IDS, "DatasetName": "d"})


class ThrottlingApp:
    """Answers the first ``times`` requests with ``status`` and ``error_type``, then the emulator."""

    def __init__(self, times: int, *, status: str = "429 Too Many Requests",
                 error_type: str = "TooManyRequestsException"):
        self.emulator, _ = build_emulator_app()
        self.times = times
        self.status = status
        self.error_type = error_type
        self.requests = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.requests += 1
        if self.requests > self.times:
            return self.emulator(environ, start_response)  # type: ignore[no-any-return]
        body = json.dumps({"message": "Rate exceeded"}).encode()
        start_response(self.status, [("Content-Type", "application/json"),
                                     ("x-amzn-ErrorType", self.error_type)])
        return [body]


class Clock:
    """A clock that only moves when slept on; records every sleep."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def backoff(app: ThrottlingApp, clock: Clock, *, seed: int = 1, policy: BackoffPolicy | None = None,
            deadline: float | None = None, seen: list[Response] | None = None) -> Backoff:
    return Backoff(InProcessTarget(app), seed=seed, policy=policy, deadline=deadline,
                   on_throttled=None if seen is None else seen.append, sleep=clock.sleep, clock=clock)


def test_a_throttled_call_is_sent_again_after_jittered_waits_and_each_429_goes_to_the_callback() -> None:
    app, clock, seen = ThrottlingApp(3), Clock(), []
    policy = BackoffPolicy(attempts=6, base=0.5, cap=10.0)
    response = backoff(app, clock, policy=policy, seen=seen).send(LIST)
    assert isinstance(response.outcome, Ok) and "SyncSessionToken" in response.outcome.body
    assert app.requests == 4
    assert [r.status for r in seen] == [429, 429, 429]
    assert all(r.call == LIST for r in seen)
    assert len(clock.sleeps) == 3
    for retry, wait in enumerate(clock.sleeps):
        assert 0 <= wait <= policy.ceiling(retry)


def test_the_jitter_is_full_bounded_by_the_cap_and_seeded() -> None:
    policy = BackoffPolicy(attempts=40, base=0.25, cap=2.0)

    def waits(seed: int) -> list[float]:
        clock = Clock()
        with pytest.raises(TargetKeptThrottling):
            backoff(ThrottlingApp(10**6), clock, seed=seed, policy=policy).send(LIST)
        return clock.sleeps

    first = waits(7)
    assert len(first) == 39
    assert all(0 <= w <= policy.ceiling(k) <= 2.0 for k, w in enumerate(first))
    capped = first[4:]  # ceiling 2.0 from the fourth retry on: full jitter spreads over [0, 2]
    assert min(capped) < 0.5 and max(capped) > 1.5
    assert waits(7) == first  # the run's seed replays the same waits
    assert waits(8) != first


def test_attempts_are_bounded_and_giving_up_says_the_target_kept_throttling() -> None:
    app, clock, seen = ThrottlingApp(10**6), Clock(), []
    with pytest.raises(TargetKeptThrottling) as raised:
        backoff(app, clock, policy=BackoffPolicy(attempts=4), seen=seen).send(LIST)
    assert app.requests == 4 and len(seen) == 4 and len(clock.sleeps) == 3
    message = str(raised.value)
    assert message.startswith("the target kept throttling: ListRecords was answered TooManyRequestsException 4 times")


def test_no_wait_goes_past_the_deadline() -> None:
    app, clock = ThrottlingApp(10**6), Clock()
    deadline = clock.now + 1.0
    with pytest.raises(TargetKeptThrottling, match="would pass the run's deadline"):
        backoff(app, clock, policy=BackoffPolicy(attempts=50, base=0.2, cap=5.0), deadline=deadline).send(LIST)
    assert clock.now < deadline
    assert app.requests == len(clock.sleeps) + 1 < 50


@pytest.mark.parametrize("status, error_type", [
    ("500 Internal Server Error", "InternalErrorException"),
    ("400 Bad Request", "LimitExceededException"),  # a contract answer, not throttling
    ("403 Forbidden", "AccessDeniedException"),
])
def test_other_answers_are_not_retried(status: str, error_type: str) -> None:
    app, clock, seen = ThrottlingApp(1, status=status, error_type=error_type), Clock(), []
    response = backoff(app, clock, seen=seen).send(LIST)
    assert response.status == int(status.split()[0])
    assert app.requests == 1 and seen == [] and clock.sleeps == []


def test_lambda_throttling_is_throttling_too_and_raw_sends_back_off() -> None:
    app, clock, seen = ThrottlingApp(2, error_type="LambdaThrottledException"), Clock(), []
    path = f"/identitypools/{IDS['IdentityPoolId']}/identities/{IDS['IdentityId']}/datasets"
    response = backoff(app, clock, seen=seen).send_raw("GET", path.replace(":", "%3A"))
    assert response.status == 200
    assert len(seen) == 2 and len(clock.sleeps) == 2


@pytest.mark.parametrize("response, throttled", [
    (Response(LIST, Unknown("throttled: HTTP 429", 429), 429), True),
    # the AWS CLI shows no status: the error type decides
    (Response(LIST, Err("TooManyRequestsException", 429, "slow down"), None), True),
    (Response(LIST, Err("ThrottlingException", 400, "Rate exceeded"), 400), True),
    (Response(LIST, Err("LimitExceededException", 400, "too many datasets"), 400), False),
    (Response(LIST, Unknown("server error: HTTP 503", 503), 503), False),
    (Response(LIST, Unknown("timeout: read timed out"), None), False),
])
def test_what_counts_as_throttled(response: Response, throttled: bool) -> None:
    assert is_throttled(response) is throttled


@pytest.mark.parametrize("options", [{"attempts": 0}, {"base": 0}, {"cap": float("inf")}, {"attempts": True}])
def test_a_policy_that_cannot_work_is_refused(options: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        BackoffPolicy(**options)
