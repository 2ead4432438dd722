"""RateLimited: keeps a run against real AWS under its request-rate limits.

A token bucket (pyrate-limiter's) shared by every thread that uses the wrapper:
``burst`` calls may go at once, after that one call per ``1 / requests_per_second``
seconds.
"""

from __future__ import annotations

import time
from typing import Any

import pyrate_limiter as pyrate
from pyrate_limiter import Limiter, Rate, StateBucket

from cogsync.contracts.calls import Call
from cogsync.errors import UsageError
from cogsync.targets.base import Response, Target


class TokenBucket:
    """Thread-safe: ``acquire()`` blocks until a token is free and returns the seconds waited.

    pyrate-limiter's token bucket does the counting and the waiting; this class only
    checks the arguments, names them in a :class:`UsageError`, and turns a rate of
    requests per second (any positive number) into its integer ``Rate``.
    """

    #: The bucket refills ``rate * SCALE`` tokens per ``SCALE`` seconds: rates like
    #: 0.5 or 12.5 requests per second are exact in pyrate-limiter's integers.
    SCALE = 1000

    def __init__(self, rate: float, burst: int = 1) -> None:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
            raise UsageError.bad_argument("requests_per_second", rate, "a number above 0")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise UsageError.bad_argument("burst", burst, "a whole number of at least 1")
        self.rate = float(rate)
        self.burst = burst
        tokens = Rate(max(1, round(self.rate * self.SCALE)), self.SCALE * 1000, burst=burst)
        self._limiter = Limiter(StateBucket([tokens], algorithm=pyrate.TokenBucket()), buffer_ms=0)

    def acquire(self) -> float:
        if self._limiter.try_acquire("cogsync", blocking=False):
            return 0.0
        began = time.monotonic()
        self._limiter.try_acquire("cogsync")  # blocking, no timeout
        return time.monotonic() - began


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
