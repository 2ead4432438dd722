"""The recorder and the runner, with real threads against real (in-process) servers."""

from __future__ import annotations

import itertools
import threading

import pytest

from cogsync.conformance.history import NEVER_COMPLETED
from cogsync.conformance.linearizability import check
from cogsync.conformance.recorder import ClientView, ConcurrentRunner, HistoryRecorder
from cogsync.contracts.calls import Call, Ok, Outcome, Unknown
from cogsync.errors import UsageError
from tests.support import linearizability_specs as S

WAIT = 10.0  # seconds any test thread waits at most for another


def ticking_clock():
    """A clock that moves one unit every time it is read."""
    counter = itertools.count()
    return lambda: float(next(counter))


# ------------------------------------------------------------------ the recorder


def test_the_recorder_keeps_invocations_and_completions():
    recorder = HistoryRecorder(clock=ticking_clock())
    first = recorder.invoke(1, S.get())
    second = recorder.invoke(2, S.put(3))
    done = recorder.complete(first, Ok({"Value": 0}))
    assert (done.invoked, done.completed) == (0.0, 2.0)
    history = recorder.history()
    assert [op.id for op in history] == [first, second]
    assert history[1].completed is None and history[1].outcome == NEVER_COMPLETED
    assert len(recorder) == 2


def test_completing_twice_or_unknown_ids_is_a_usage_error():
    recorder = HistoryRecorder()
    op_id = recorder.invoke(0, S.get())
    recorder.complete(op_id, Ok({"Value": 0}))
    with pytest.raises(UsageError, match="already completed"):
        recorder.complete(op_id, Ok({"Value": 0}))
    with pytest.raises(UsageError, match="never invoked"):
        recorder.complete(99, Ok({}))


def test_an_exception_in_send_is_recorded_as_unknown():
    def broken(call: Call) -> Outcome:
        raise ConnectionResetError("peer went away")

    op = HistoryRecorder().call(0, S.get(), broken)
    assert isinstance(op.outcome, Unknown) and "ConnectionResetError" in op.outcome.reason
    assert op.completed is not None and op.is_open

    odd = HistoryRecorder().call(0, S.get(), lambda call: {"Value": 1})
    assert isinstance(odd.outcome, Unknown) and "not an Outcome" in odd.outcome.reason


# ------------------------------------------------------------------ the runner


def read_then_write(dataset: str, key: str, value: str):
    """A client's schedule: list, then write ``key`` presenting the count it saw."""

    def write(view: ClientView) -> Call | None:
        seen = view.last.outcome if view.last is not None else None
        if not isinstance(seen, Ok):
            return None
        counts = {r["Key"]: r["SyncCount"] for r in seen.body.get("Records", [])}
        return S.update(dataset, (key, value, counts.get(key, 0)))

    return [S.listing(dataset), write]


class FirstCallsMeet:
    """Wraps a server so every client's first call waits inside until all are in flight."""

    def __init__(self, server, clients: int) -> None:
        self._server = server
        self._barrier = threading.Barrier(clients, timeout=WAIT)
        self._first = threading.local()

    def __call__(self, call: Call) -> Outcome:
        if not getattr(self._first, "done", False):
            self._first.done = True
            self._barrier.wait()
        return self._server(call)


def test_real_concurrent_clients_are_recorded_completely_and_in_order():
    clients, rounds = 4, 5
    send = FirstCallsMeet(S.SyncCountServer(), clients)
    schedules = [read_then_write("d", "k", f"c{c}") * rounds for c in range(clients)]
    result = ConcurrentRunner(send, deadline=WAIT).run(schedules)
    history = result.history
    assert not result.deadline_hit and result.unsent == 0
    assert len(history) == clients * rounds * 2
    assert all(op.completed is not None and op.invoked < op.completed for op in history)
    for ops in history.by_client().values():
        assert len(ops) == rounds * 2
        assert all(a.completed <= b.invoked for a, b in itertools.pairwise(ops))
    firsts = [ops[0] for ops in history.by_client().values()]
    assert max(op.invoked for op in firsts) < min(op.completed for op in firsts)  # all overlap
    writes = [op for op in history if op.call.operation == "UpdateRecords"]
    assert any(isinstance(op.outcome, Ok) for op in writes)
    assert check(history, S.SyncCountSpec()).ok is True


class LostUpdateServer:
    """A buggy server: checks the count, lets the other writer in, then writes blindly."""

    def __init__(self, writers: int) -> None:
        self._inner = S.SyncCountServer()
        self._lock = threading.Lock()
        self._count = 0
        self._both_checked = threading.Barrier(writers, timeout=WAIT)

    def __call__(self, call: Call) -> Outcome:
        if call.operation == "ListRecords":
            with self._lock:
                return S.listed(self._count, *(("k", "v", self._count),) if self._count else ())
        (key, value, sent), = S._patches(call)
        with self._lock:
            current = self._count
        self._both_checked.wait()
        if sent != current:
            return S.conflict(key, current, sent)
        with self._lock:
            self._count = current + 1  # lost update: both writers land on the same count
            return S.written((key, value, self._count))


def test_the_runner_and_checker_catch_a_real_lost_update():
    send = LostUpdateServer(writers=2)
    schedules = [[S.update("d", ("k", "v", 0))], [S.update("d", ("k", "v", 0))]]
    history = ConcurrentRunner(send, deadline=WAIT).run(schedules).history
    assert [type(op.outcome) for op in history] == [Ok, Ok]
    result = check(history, S.SyncCountSpec())
    assert result.ok is False and "lost update" in result.reason


def test_an_exception_in_send_does_not_stop_the_run():
    calls = itertools.count()

    def flaky(call: Call) -> Outcome:
        if next(calls) % 2 == 0:
            raise TimeoutError("read timed out")
        return Ok({"Value": 0})

    result = ConcurrentRunner(flaky, deadline=WAIT).run([[S.get()] * 3, [S.get()] * 3])
    assert len(result.history) == 6
    kinds = sorted(op.outcome.kind for op in result.history)
    assert kinds == ["ok"] * 3 + ["unknown"] * 3


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_deadline_stops_new_calls_and_leaves_a_stuck_call_open():
    clock = ManualClock()
    stuck_entered, release = threading.Event(), threading.Event()
    free_calls = itertools.count(1)

    def send(call: Call) -> Outcome:
        if call.params["Register"] == "stuck":
            stuck_entered.set()
            release.wait(WAIT)
        elif next(free_calls) == 5:
            assert stuck_entered.wait(WAIT)
            clock.now = 1000.0  # the deadline (10) and the grace (5) are long gone
        return Ok({"Value": 0})

    runner = ConcurrentRunner(send, deadline=10, grace=5, clock=clock)
    try:
        result = runner.run([[S.get("stuck"), S.get("stuck")], [S.get("free")] * 100])
    finally:
        release.set()
    assert result.deadline_hit and result.stuck_clients == (0,)
    stuck = [op for op in result.history if op.client == 0]
    assert len(stuck) == 1 and stuck[0].completed is None and stuck[0].is_open
    free = [op for op in result.history if op.client == 1]
    assert len(free) == 5 and result.unsent == 95 + 1  # client 0 never began its second


def test_one_send_function_per_client():
    seen: list[int] = []
    senders = [lambda call, k=k: (seen.append(k), Ok({"Value": 0}))[1] for k in range(3)]
    ConcurrentRunner(senders, deadline=WAIT).run([[S.get()], [S.get(), S.get()], []])
    assert sorted(seen) == [0, 1, 1]
    with pytest.raises(UsageError, match="one per client"):
        ConcurrentRunner(senders[:2]).run([[S.get()]] * 3)


def test_a_broken_schedule_step_is_raised_after_the_run():
    def bad_step(view: ClientView) -> Call:
        raise KeyError("no such record")

    with pytest.raises(KeyError) as info:
        ConcurrentRunner(lambda call: Ok({}), deadline=WAIT).run([[S.get(), bad_step]])
    assert any("client 0" in note for note in info.value.__notes__)


@pytest.mark.parametrize("kwargs", [{"deadline": -1}, {"grace": "x"}])
def test_bad_runner_arguments_are_usage_errors(kwargs):
    with pytest.raises(UsageError):
        ConcurrentRunner(lambda call: Ok({}), **kwargs)
    with pytest.raises(UsageError, match="schedules"):
        ConcurrentRunner(lambda call: Ok({})).run([])
