"""Record what concurrent clients did, and drive them: the source of histories.

:class:`HistoryRecorder` is what a client calls around each request: ``invoke``
just before sending, ``complete`` once the answer is in. Times come from one
monotonic clock, read outside the lock, so the recorded interval always contains
the real request (invoke is read before sending, completion after answering).

:class:`ConcurrentRunner` starts K client threads together (a barrier), walks each
through its schedule against a ``send(call) -> Outcome`` function, stops issuing
calls at a deadline, and returns the recorded history. A ``send`` that raises is
recorded as :class:`~cogsync.contracts.calls.Unknown` (the request may or may not
have reached the server), never a crash; a ``send`` still running when the runner
gives up leaves its operation open (never completed).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from cogsync.conformance.history import NEVER_COMPLETED, History, Operation
from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown
from cogsync.errors import InfrastructureError, UsageError

Send = Callable[[Call], Outcome]
Clock = Callable[[], float]


@dataclass
class _Pending:
    client: int
    call: Call
    invoked: float


class HistoryRecorder:
    """Thread-safe log of invocations and completions; :meth:`history` takes a snapshot."""

    def __init__(self, *, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._pending: dict[int, _Pending] = {}
        self._done: dict[int, Operation] = {}

    def invoke(self, client: int, call: Call) -> int:
        """Note that ``client`` is about to send ``call``; returns the operation id."""
        if not isinstance(call, Call):
            raise UsageError.bad_argument("call", call, "a cogsync.contracts.calls.Call")
        invoked = self._clock()
        with self._lock:
            op_id = next(self._ids)
            self._pending[op_id] = _Pending(client, call, invoked)
        return op_id

    def complete(self, op_id: int, outcome: Outcome) -> Operation:
        """Note the answer to operation ``op_id``; returns the finished operation."""
        completed = self._clock()
        with self._lock:
            pending = self._pending.pop(op_id, None)
            if pending is None:
                state = "already completed" if op_id in self._done else "never invoked"
                raise UsageError.bad_argument("op_id", op_id, f"a pending operation ({state})")
            op = Operation(op_id, pending.client, pending.call, pending.invoked,
                           max(completed, pending.invoked), outcome)
            self._done[op_id] = op
        return op

    def call(self, client: int, call: Call, send: Send) -> Operation:
        """Invoke, send and complete in one go; an exception in ``send`` becomes Unknown."""
        op_id = self.invoke(client, call)
        return self.complete(op_id, send_safely(send, call))

    def history(self) -> History:
        """Everything so far, in invocation order; pending operations never completed."""
        with self._lock:
            done = dict(self._done)
            pending = dict(self._pending)
        ops = [
            done[i] if i in done
            else Operation(i, pending[i].client, pending[i].call, pending[i].invoked, None,
                           NEVER_COMPLETED)
            for i in sorted(done.keys() | pending.keys())
        ]
        return History(ops)

    def __len__(self) -> int:
        with self._lock:
            return len(self._done) + len(self._pending)


def send_safely(send: Send, call: Call) -> Outcome:
    """``send(call)``, with any exception or non-outcome turned into Unknown."""
    try:
        outcome = send(call)
    except Exception as exc:  # the target's failure is data, not a crash
        return Unknown(f"send raised {type(exc).__name__}: {exc}")
    if not isinstance(outcome, Ok | Err | Unknown):
        return Unknown(f"send returned {type(outcome).__name__}, not an Outcome")
    return outcome


@dataclass(frozen=True)
class ClientView:
    """What a schedule step sees: its client and that client's finished operations."""

    client: int
    operations: tuple[Operation, ...] = ()

    @property
    def last(self) -> Operation | None:
        return self.operations[-1] if self.operations else None


#: A schedule step: a call to send, or a function of what the client saw so far that
#: returns the next call (None: skip this step).
ScheduleStep: TypeAlias = Call | Callable[[ClientView], Call | None]


@dataclass(frozen=True)
class ConcurrentRun:
    """A finished concurrent run: the history, and whether the deadline cut it short."""

    history: History
    deadline_hit: bool
    unsent: int  # schedule steps not started (a step still in flight counts as started)
    stuck_clients: tuple[int, ...] = field(default=())  # still inside send when we gave up


class ConcurrentRunner:
    """Drive K clients through their schedules at once and record the history.

    ``send`` is one function shared by every client, or one per client (a
    sequence), for targets whose clients are not thread-safe. ``deadline`` is the
    run's budget in seconds from the moment all clients are released; ``grace`` is
    how long to wait after it for calls already in flight.
    """

    def __init__(
        self,
        send: Send | Sequence[Send],
        *,
        deadline: float = 30.0,
        grace: float = 5.0,
        start_timeout: float = 10.0,
        clock: Clock = time.monotonic,
    ) -> None:
        for name, value in (("deadline", deadline), ("grace", grace),
                            ("start_timeout", start_timeout)):
            if not isinstance(value, int | float) or value < 0:
                raise UsageError.bad_argument(name, value, "a non-negative number of seconds")
        if not callable(send) and not (
            isinstance(send, Sequence) and all(callable(s) for s in send)
        ):
            raise UsageError.bad_argument("send", send, "a callable or a sequence of callables")
        self._send = send
        self._deadline = float(deadline)
        self._grace = float(grace)
        self._start_timeout = float(start_timeout)
        self._clock = clock

    def _sender(self, client: int) -> Send:
        if callable(self._send):
            return self._send
        return self._send[client]

    def run(self, schedules: Sequence[Sequence[ScheduleStep]]) -> ConcurrentRun:
        """Run one thread per schedule (client ``k`` follows ``schedules[k]``)."""
        if not schedules:
            raise UsageError.bad_argument("schedules", schedules, "at least one client schedule")
        if not callable(self._send) and len(self._send) != len(schedules):
            raise UsageError.bad_argument(
                "send", f"{len(self._send)} functions", f"one per client ({len(schedules)})"
            )
        recorder = HistoryRecorder(clock=self._clock)
        clients = len(schedules)
        stop_at: list[float] = []
        barrier = threading.Barrier(
            clients, action=lambda: stop_at.append(self._clock() + self._deadline)
        )
        begun = [0] * clients  # schedule steps each client has started
        errors: list[BaseException] = []
        in_send = [False] * clients

        def drive(client: int, schedule: Sequence[ScheduleStep]) -> None:
            try:
                barrier.wait(self._start_timeout)
            except threading.BrokenBarrierError:
                return
            send = self._sender(client)
            seen: list[Operation] = []
            for index, step in enumerate(schedule):
                if self._clock() >= stop_at[0]:
                    return
                begun[client] = index + 1
                try:
                    call = step(ClientView(client, tuple(seen))) if callable(step) else step
                except Exception as exc:  # a bug in the schedule, not in the target
                    exc.add_note(f"in step {index} of client {client}'s schedule")
                    errors.append(exc)
                    return
                if call is None:
                    continue
                in_send[client] = True
                seen.append(recorder.call(client, call, send))
                in_send[client] = False

        threads = [
            threading.Thread(target=drive, args=(k, list(s)), name=f"cogsync-client-{k}",
                             daemon=True)
            for k, s in enumerate(schedules)
        ]
        for t in threads:
            t.start()
        give_up_at: float | None = None
        for t in threads:
            while t.is_alive():
                if stop_at:
                    give_up_at = stop_at[0] + self._grace
                    remaining = give_up_at - self._clock()
                    if remaining <= 0:
                        break
                    t.join(min(remaining, 0.05))
                else:
                    t.join(0.05)
                    if barrier.broken:
                        break
        if not stop_at:
            raise InfrastructureError(
                f"the {clients} client threads did not all start within {self._start_timeout} s"
            )
        if errors:
            raise errors[0]
        history = recorder.history()
        stuck = tuple(k for k, t in enumerate(threads) if t.is_alive() and in_send[k])
        unsent = sum(len(s) for s in schedules) - sum(begun)
        deadline_hit = unsent > 0 or bool(stuck) or any(t.is_alive() for t in threads)
        return ConcurrentRun(history, deadline_hit, unsent, stuck)
