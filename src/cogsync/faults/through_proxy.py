"""ProxiedFaults: an HTTP target's requests through ``cogsync proxy``'s faults, for ``verify --faults``.

Against a server on HTTP the kit sends its requests through a
:class:`~cogsync.faults.proxy.FaultProxy` started in this process in front of the
endpoint, so the faults are the proxy's own (a request never forwarded, an answer
withheld on a held connection, two copies racing upstream on two connections, a TCP
reset part-way through the answer, a delay). The client side is an
:class:`~cogsync.targets.http_target.HttpTarget` pointed at the proxy, with the same
credentials and a short read timeout (a lost answer costs that timeout).

Judging a duplicate needs to know which request the proxy copied, and the proxy's log
names a path, not a request. So requests go through the proxy one at a time: the fault
the proxy logged while a request was in flight is that request's. (Concurrent clients
still interleave their calls, as they do in every race of the concurrency phase; two
requests are just never on the wire at once.) Without a schedule (the preflight, the
cleanup) requests go to the endpoint directly.

The interface is :class:`~cogsync.faults.target.FaultyTarget`'s: ``use``, ``phase``,
``injected``, ``requests``, ``summary``, ``set_deadline``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from cogsync.contracts.calls import Call
from cogsync.faults.proxy import FaultProxy
from cogsync.faults.spec import FaultKind, FaultSchedule, FaultSpec, InjectedFault
from cogsync.faults.target import ANSWER_HIDING, DUPLICATE_DELIVERY
from cogsync.targets.base import Response, unanswered
from cogsync.targets.http_target import HttpTarget

#: The longest the client waits for an answer through the proxy (a lost one costs this).
LOST_ANSWER_TIMEOUT = 2.0


class ProxiedFaults:
    """``target``'s requests through a fault proxy in front of its endpoint (see the module doc)."""

    def __init__(self, target: HttpTarget, *, timeout: float = LOST_ANSWER_TIMEOUT):
        self.target = target
        self.name = target.name
        self.supports_raw = target.supports_raw
        self.proxy = FaultProxy(target.endpoint_url, FaultSpec.none(), check_upstream=False).start()
        self.through = HttpTarget(self.proxy.url, region=target.region, sign=target.sign,
                                  credentials=target.credentials, timeout=min(target.timeout, timeout))
        self._schedule: FaultSchedule | None = None
        self._one_at_a_time = threading.Lock()
        self._lock = threading.Lock()
        self.phase = ""
        self.injected: list[tuple[str, InjectedFault]] = []
        self.requests = 0

    def __repr__(self) -> str:
        return f"ProxiedFaults({self.target!r}, proxy={self.proxy.url!r})"

    def __getattr__(self, name: str) -> Any:
        if name in ("target", "through", "proxy"):
            raise AttributeError(name)
        return getattr(self.target, name)

    def use(self, schedule: FaultSchedule | None) -> None:
        """Draw the faults of the next requests from ``schedule`` (None: straight to the endpoint)."""
        self._schedule = schedule

    def set_deadline(self, deadline: float | None) -> None:
        self.target.set_deadline(deadline)
        self.through.set_deadline(deadline)

    def summary(self) -> Counter[str]:
        with self._lock:
            return Counter(f.kind.value for _phase, f in self.injected)

    def send(self, call: Call) -> Response:
        return self._through(lambda target: target.send(call))

    def send_raw(self, method: str, path: str, *, query: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None, body: bytes = b"") -> Response:
        return self._through(lambda target: target.send_raw(method, path, query=query, headers=headers, body=body))

    def probe(self) -> str | None:
        return self.target.probe()

    def stop(self) -> None:
        """Stop the proxy and its client side (the target itself stays open: its owner closes it)."""
        self.proxy.stop()
        self.through.close()

    def close(self) -> None:
        self.stop()
        self.target.close()

    def _through(self, send: Callable[[HttpTarget], Response]) -> Response:
        schedule = self._schedule
        if schedule is None:
            return send(self.target)
        with self._one_at_a_time:
            self.proxy.schedule = schedule
            before = len(self.proxy.events)
            response = send(self.through)
            events = self.proxy.events[before:]
        with self._lock:
            self.requests += 1
            self.injected += [(self.phase, event.fault) for event in events]
        if any(event.fault.kind is FaultKind.DUPLICATE for event in events):
            copy = unanswered(response.call, DUPLICATE_DELIVERY, response.started_at)
            response = dataclasses.replace(response, duplicates=(*response.duplicates, copy))
        hiding = [event.fault.kind for event in events if event.fault.kind in ANSWER_HIDING]
        if hiding and response.outcome.kind == "unknown":
            response = dataclasses.replace(response, injected_fault=hiding[0].value)
        return response
