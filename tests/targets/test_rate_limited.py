"""RateLimited holds every thread together under one rate, and forwards everything else."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from cogsync.contracts.calls import Call, Ok
from cogsync.errors import UsageError
from cogsync.targets import InProcessTarget, RateLimited, TokenBucket


def ok_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"{}"]


def test_calls_from_many_threads_are_spread_at_the_rate() -> None:
    limited = RateLimited(InProcessTarget(ok_app), requests_per_second=50)
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            limited.send(Call("ListDatasets", {"IdentityPoolId": "p", "IdentityId": "i"}))
            with lock:
                starts.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    # 20 calls at 50/s with a burst of 1: the last may start 19 intervals after the first.
    assert len(starts) == 20
    assert elapsed >= 19 / 50 - 0.01
    assert elapsed < 2.0


def test_burst_lets_that_many_go_at_once() -> None:
    bucket = TokenBucket(rate=2, burst=3)
    waits = [bucket.acquire() for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0.4 < waits[3] < 0.6  # one interval (0.5 s), give or take the scheduler


def test_wrapper_forwards_the_target_interface() -> None:
    inner = InProcessTarget(ok_app, name="inner")
    limited = RateLimited(inner, 1000)
    assert limited.name == "inner" and limited.supports_raw
    assert limited.send_raw("GET", "/").outcome == Ok({}, 200)
    assert limited.probe() is None
    assert limited.region == "us-east-1"  # attributes of the wrapped target stay reachable


@pytest.mark.parametrize("rate", [0, -1, "fast", True])
def test_a_bad_rate_is_a_usage_error(rate: Any) -> None:
    with pytest.raises(UsageError, match="requests_per_second"):
        RateLimited(InProcessTarget(ok_app), rate)
