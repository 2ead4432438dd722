"""RateLimited: keeps a run against real AWS under its request-rate limits.

A token bucket shared by every thread that uses the wrapper: ``burst`` calls may
go at once, after that one call per ``1 / requests_per_second`` seconds. A caller
reserves its slot under a lock and waits outside it, so threads queue fairly and
no thread holds the lock while sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from cogsync.contracts.calls import Call
from cogsync.errors import UsageError
from cogsync.targets.base import Response, Target


class TokenBucket:
    """Thread-safe: ``acquire()`` blocks until a token is free and returns the seconds waited."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
            raise UsageError.bad_argument("requests_per_second", rate, "a number above 0")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise UsageError.bad_argument("burst", burst, "a whole number of at least 1")
        self.rate = float(rate)
        self.burst = burst
        self._interval = 1.0 / self.rate
        self._lock = threading.Lock()
        # The moment the bucket would be full again; a call may go when it is at most
        # (burst - 1) intervals in the future.
        self._full_at = time.monotonic()

    def acquire(self) -> float:
        with self._lock:
            now = time.monotonic()
            full_at = max(self._full_at, now)
            start = max(now, full_at - (self.burst - 1) * self._interval)
            self._full_at = full_at + self._interval
        wait = start - now
        if wait > 0:
            time.sleep(wait)
        return max(wait, 0.0)


class RateLimited:
    """Wraps a target so that at most ``requests_per_second`` calls start per second."""

    def __init__(self, target: Target, requests_per_second: float, *, burst: int = 1) -> None:
        self.target = target
        self.bucket = TokenBucket(requests_per_second, burst)
        self.name = target.name
        self.supports_raw = target.supports_raw

    def __repr__(self) -> str:
        return f"RateLimited({self.target!r}, {self.bucket.rate})"

    def send(self, call: Call) -> Response:
        self.bucket.acquire()
        return self.target.send(call)

    def send_raw(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        self.bucket.acquire()
        return self.target.send_raw(method, path, query=query, headers=headers, body=body)

    def probe(self) -> str | None:
        self.bucket.acquire()
        return self.target.probe()

    def close(self) -> None:
        self.target.close()

    def __getattr__(self, name: str) -> Any:
        # reset(), endpoint_url... of the wrapped target stay reachable.
        if name == "target":
            raise AttributeError(name)
        return getattr(self.target, name)
