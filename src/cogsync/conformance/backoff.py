"""Throttling is backed off, never judged as evidence.

A throttled answer (429, TooManyRequestsException, LambdaThrottledException) says
nothing about records, tokens or sync counts: the server declined to work. Judged by
the model it is an ``Unknown`` that proves nothing, yet it is still an answer, and
counted as one it turns a server that throttles everything into a run that "passes".
:class:`Backoff` sits between the engine and the target: on a throttled answer it
waits (exponential, full jitter, seeded from the run's seed, capped) and sends the
same call again, as the AWS SDKs do, a bounded number of times and never past the
run's deadline. Each throttled answer goes to ``on_throttled`` (the engine judges its
wire shape, WIRE-2, and nothing else); the caller above only ever sees a
non-throttled answer, or :class:`TargetKeptThrottling`.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cogsync.conformance.stops import RunStopped
from cogsync.contracts.calls import Call, Err
from cogsync.errors import UsageError
from cogsync.targets.base import Response, Target, error_type_of

#: Error types that mean "slow down", whatever their status.
THROTTLING_TYPES = frozenset(
    {"TooManyRequestsException", "LambdaThrottledException", "ThrottlingException"}
)


def is_throttled(response: Response) -> bool:
    """True for a 429, or an answer whose error type is a throttling one."""
    outcome = response.outcome
    status = response.status if response.status is not None else getattr(outcome, "status", None)
    if status == 429:
        return True
    if isinstance(outcome, Err):
        return outcome.error_type in THROTTLING_TYPES
    if response.status is not None and response.status >= 400:
        return error_type_of(response.headers, None) in THROTTLING_TYPES
    return False


def throttle_name(response: Response) -> str:
    """How a throttled answer names itself: its error type, else its status."""
    outcome = response.outcome
    if isinstance(outcome, Err):
        return outcome.error_type
    named = error_type_of(response.headers, None)
    if named in THROTTLING_TYPES:
        return named
    return f"HTTP {response.status}"


class TargetKeptThrottling(RunStopped):
    """A call was still throttled after every attempt the policy (or the deadline) allowed."""


@dataclass(frozen=True)
class BackoffPolicy:
    """How long to back off: before retry k (0-based) wait uniform(0, min(cap, base * 2**k)).

    The defaults allow 6 sends of one call and at most 15.5 s of waiting (7.75 s on
    average) before the run is declared inconclusive.
    """

    attempts: int = 6
    base: float = 0.5
    cap: float = 10.0

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int) or self.attempts < 1:
            raise UsageError.bad_argument("attempts", self.attempts, "a whole number of at least 1")
        for name in ("base", "cap"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
                raise UsageError.bad_argument(name, value, "a number of seconds above 0")

    def ceiling(self, retry: int) -> float:
        """The longest wait before retry ``retry`` (0-based)."""
        return float(min(self.cap, self.base * 2.0**retry))


ThrottledCallback = Callable[[Response], None]


class Backoff:
    """Wraps a target: throttled answers are retried after a jittered wait, then given up.

    Thread-safe: the jitter source is shared under a lock, each call backs off on
    its own. ``sleep`` and ``clock`` (``time.monotonic``) are injectable for tests.
    """

    def __init__(
        self,
        target: Target,
        *,
        seed: int,
        policy: BackoffPolicy | None = None,
        deadline: float | None = None,
        on_throttled: ThrottledCallback | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = target
        self.name = target.name
        self.supports_raw = target.supports_raw
        self.policy = policy or BackoffPolicy()
        self.deadline = deadline
        self.on_throttled = on_throttled
        self._sleep = sleep
        self._clock = clock
        self._rng = random.Random(f"cogsync-backoff-{seed}")
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Backoff({self.target!r}, {self.policy!r})"

    def __getattr__(self, name: str) -> Any:
        # endpoint_url, set_deadline(), reset()... of the wrapped target stay reachable.
        if name == "target":
            raise AttributeError(name)
        return getattr(self.target, name)

    def send(self, call: Call) -> Response:
        return self._backing_off(call.operation, lambda: self.target.send(call))

    def send_raw(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        return self._backing_off(
            f"{method} {path}",
            lambda: self.target.send_raw(method, path, query=query, headers=headers, body=body),
        )

    def probe(self) -> str | None:
        return self.target.probe()

    def close(self) -> None:
        self.target.close()

    def _jitter(self, ceiling: float) -> float:
        with self._lock:
            return self._rng.uniform(0.0, ceiling)

    def _backing_off(self, what: str, send: Callable[[], Response]) -> Response:
        waited = 0.0
        for retry in range(self.policy.attempts):
            response = send()
            if not is_throttled(response):
                return response
            if self.on_throttled is not None:
                self.on_throttled(response)
            sends = retry + 1
            if sends == self.policy.attempts:
                raise TargetKeptThrottling(
                    f"the target kept throttling: {what} was answered {throttle_name(response)} "
                    f"{sends} times in a row over {waited:.1f} s of backing off; "
                    "try again later or with a lower request rate (--rate-limit)"
                )
            wait = self._jitter(self.policy.ceiling(retry))
            if self.deadline is not None and self._clock() + wait >= self.deadline:
                raise TargetKeptThrottling(
                    f"the target kept throttling: {what} was answered {throttle_name(response)} "
                    f"{sends} time(s) in a row and waiting {wait:.1f} s more would pass the "
                    "run's deadline; try again later or with a lower request rate (--rate-limit)"
                )
            self._sleep(wait)
            waited += wait
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover
