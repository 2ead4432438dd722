"""FaultyTarget: the fault SPEC applied in-process, at the target layer.

``cogsync verify --faults SPEC`` wraps the run's target in a :class:`FaultyTarget`
so that every phase meets the faults a network and a retrying SDK inflict, without
a socket. Each request asks the current :class:`~cogsync.faults.spec.FaultSchedule`
for its fault:

- ``drop-request``: the request is not delivered; the answer is unknown (a timeout);
- ``drop-answer``: delivered (the server applies it); the answer is unknown;
- ``reset``: delivered; the connection is "reset" part-way through the answer,
  which is unknown;
- ``duplicate``: delivered twice, the two deliveries racing in two threads; the
  client gets the first delivery's answer, and the second delivery comes back in
  :attr:`Response.duplicates` as a call whose answer nobody saw (``Unknown``), so
  the judge can hold the server to "applies at most once";
- ``delay``: held ``delay_seconds`` (never past the run's deadline), then delivered.

A fault is never an answer of the server: every answer a fault hides is
``Unknown``, which the model reads as "applied or not" and which witnesses nothing.

No schedule (the preflight, or after :meth:`FaultyTarget.use` with None) means no
faults. Every injected fault is kept in :attr:`FaultyTarget.injected`, across every
schedule the run used (Hypothesis searches start one per example).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from cogsync.contracts.calls import Call
from cogsync.faults.spec import FaultKind, FaultSchedule, InjectedFault
from cogsync.targets.base import Response, Target, raw_call, unanswered

#: ``Unknown.reason`` of each fault that hides an answer.
HIDDEN_ANSWER = {
    FaultKind.DROP_REQUEST: "timeout: the request was lost before the server saw it (fault injected: "
                            "drop-request)",
    FaultKind.DROP_ANSWER: "timeout: the answer was lost after the server received the request (fault "
                           "injected: drop-answer)",
    FaultKind.RESET: "connection error: connection reset part-way through the answer (fault injected: "
                     "reset)",
}
#: The fault kinds that cost a request its answer (the rest deliver one, late or twice).
ANSWER_HIDING = frozenset(HIDDEN_ANSWER)
#: ``Unknown.reason`` of the delivery of a duplicated request whose answer the client never saw.
DUPLICATE_DELIVERY = "duplicate delivery: the same request delivered a second time (fault injected: " \
                     "duplicate); its answer was not seen"

#: Longest wait for a duplicate's second delivery when the run has no deadline.
DUPLICATE_WAIT = 60.0


class FaultyTarget:
    """``target`` behind the faults of the current schedule (none until :meth:`use`)."""

    def __init__(self, target: Target, *, delay_seconds: float = 0.2,
                 sleep: Callable[[float], None] = time.sleep):
        self.target = target
        self.name = target.name
        self.supports_raw = target.supports_raw
        self.delay_seconds = delay_seconds
        self._sleep = sleep
        self._schedule: FaultSchedule | None = None
        self._deadline: float | None = None
        self._lock = threading.Lock()
        self.phase = ""  # what the requests belong to now (a run's phase), kept with each fault
        self.injected: list[tuple[str, InjectedFault]] = []  # (phase, fault), in order
        self.requests = 0  # every request that went through a schedule, faulted or not

    def __repr__(self) -> str:
        return f"FaultyTarget({self.target!r})"

    def __getattr__(self, name: str) -> Any:
        # endpoint_url, knows_bound_key... of the wrapped target stay reachable.
        if name == "target":
            raise AttributeError(name)
        return getattr(self.target, name)

    # -- the schedule ------------------------------------------------------------------
    def use(self, schedule: FaultSchedule | None) -> None:
        """Draw the faults of the next requests from ``schedule`` (None: no faults)."""
        self._schedule = schedule

    def set_deadline(self, deadline: float | None) -> None:
        """Bound delays and duplicates' waits too; passed on to the wrapped target."""
        self._deadline = deadline
        setter = getattr(self.target, "set_deadline", None)
        if callable(setter):
            setter(deadline)

    def summary(self) -> Counter[str]:
        """How many faults of each kind were injected so far."""
        with self._lock:
            return Counter(f.kind.value for _phase, f in self.injected)

    def _fault(self, what: str) -> FaultKind | None:
        schedule = self._schedule
        if schedule is None:
            return None
        fault = schedule.next_fault(what)
        with self._lock:
            self.requests += 1
            if fault is not None:
                self.injected.append((self.phase, fault))
        return None if fault is None else fault.kind

    def _time_left(self, at_most: float) -> float:
        if self._deadline is None:
            return at_most
        return max(0.0, min(at_most, self._deadline - time.monotonic()))

    # -- sending -----------------------------------------------------------------------
    def send(self, call: Call) -> Response:
        return self._through(call, call.operation, lambda: self.target.send(call))

    def send_raw(self, method: str, path: str, *, query: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None, body: bytes = b"") -> Response:
        def deliver() -> Response:
            return self.target.send_raw(method, path, query=query, headers=headers, body=body)

        return self._through(raw_call(method, path, query, body, headers), f"{method} {path}", deliver)

    def probe(self) -> str | None:
        return self.target.probe()  # reachability is never faulted

    def stop(self) -> None:
        """Nothing to stop (the wrapped target's owner closes it)."""

    def close(self) -> None:
        self.target.close()

    def _through(self, call: Call, what: str, deliver: Callable[[], Response]) -> Response:
        kind = self._fault(what)
        started = time.time()
        if kind is None:
            return deliver()
        if kind is FaultKind.DROP_REQUEST:
            return unanswered(call, HIDDEN_ANSWER[kind], started, injected_fault=kind.value)
        if kind in (FaultKind.DROP_ANSWER, FaultKind.RESET):
            delivered = deliver()
            return unanswered(delivered.call, HIDDEN_ANSWER[kind], started, injected_fault=kind.value)
        if kind is FaultKind.DELAY:
            self._sleep(self._time_left(self.delay_seconds))
            return deliver()
        return self._twice(call, deliver)

    def _twice(self, call: Call, deliver: Callable[[], Response]) -> Response:
        """Deliver twice at once; the first delivery's answer, the second as an unseen copy.

        The call returns only when both deliveries are over (or the run's deadline
        passed), so the copy's effect, if any, falls inside this call's window.
        """
        second: list[Response] = []
        started = time.time()

        def copy() -> None:
            try:
                second.append(deliver())
            except Exception:  # noqa: BLE001 - its answer is unseen anyway
                second.append(unanswered(call, DUPLICATE_DELIVERY, started))

        thread = threading.Thread(target=copy, name="cogsync-duplicate", daemon=True)
        thread.start()
        first = deliver()
        thread.join(self._time_left(DUPLICATE_WAIT))
        unseen = unanswered(second[0].call if second else first.call, DUPLICATE_DELIVERY, started)
        return dataclasses.replace(first, duplicates=(*first.duplicates, unseen))
