"""CONF-6: several devices race on the same keys; the history must be linearizable.

K client threads, each a :class:`cogsync.strategies.Device` signed in as the same
identity, sync edits of a few shared keys of one dataset at once (list, then write
presenting the counts they saw; on 409 list again and retry). The recorded history
(invoke, complete, outcome of every call) is searched against the sequential model
by the linearizability checker: a lost update or a torn batch has no valid order.

Every round opens with a race that does not depend on thread scheduling: each
client takes a first step, all wait at a barrier, then each takes its opening move at
once. The openings rotate from round to round (:data:`OPENINGS`) so that every call
races every other, DeleteDataset included: writes of one key presenting the count
each listed (compare-and-set: at most one may win), and a delete racing writes of
fresh keys, listings, a describe and ListDatasets (a write acknowledged next to a
delete lands wholly before it or wholly after it). After that the clients run their
random steps freely, each with one describe, delete or ListDatasets mixed in.
Histories stay small (:data:`CALLS_PER_CLIENT` calls a client) so the checker decides
each within its time cap; one it cannot decide is reported, never counted.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable

from cogsync.conformance.history import History, Operation
from cogsync.conformance.lin_spec import ModelSpec
from cogsync.conformance.linearizability import CheckResult, check
from cogsync.conformance.recorder import ClientView, ConcurrentRunner
from cogsync.conformance.scope import Scope
from cogsync.conformance.session import DUPLICATES_JUDGED
from cogsync.contracts.calls import Call, Err, Ok, Outcome
from cogsync.contracts.constraints import Limits
from cogsync.contracts.failures import Failure, SentCall
from cogsync.strategies import Device, Edit
from cogsync.strategies import Step as ProgramStep
from cogsync.targets.base import Target

CALLS_PER_CLIENT = 12
KEYS = ("highScore", "level", "coins")

#: Each round's opening moves, client by client (cycled), taken at once after the barrier:
#: ``cas`` writes KEYS[0] at the count listed, ``fresh`` writes a key of its own at 0 (it
#: succeeds before or after a delete, so a delete that is not atomic shows), the others
#: are one call each. Where a round has a delete, client 0 writes first (the dataset exists).
OPENINGS: tuple[tuple[str, ...], ...] = (
    ("cas", "cas", "cas", "cas"),  # Update x Update
    ("delete", "fresh", "list", "list_datasets", "fresh", "describe"),  # Update x Delete x List
    ("fresh", "describe", "delete", "fresh", "list", "list_datasets"),  # Describe x Update x Delete
)

#: The calls mixed into each client's free-running steps, one each.
EXTRA_ACTIONS = ("describe", "delete", "list_datasets")


#: How long a client waits at the opening barrier for the others (a stuck one must not hang a round).
OPENING_WAIT = 5.0


def _schedule(device: Device, steps: list[ProgramStep], calls: int,
              opening: threading.Barrier | None = None) -> list[Callable[[ClientView], Call | None]]:
    """A client's schedule: the device's next call, given what its last call answered.

    With ``opening``, the client waits there after its first step, so that every
    client's second step starts from what all of them saw in their first.
    """
    pending = list(steps)
    awaiting = [False]
    started = [0]

    def next_call(view: ClientView) -> Call | None:
        if awaiting[0] and view.last is not None:
            device.absorb(view.last.outcome)
            awaiting[0] = False
        call = device.next_call() if device.busy else None
        while call is None and pending:
            if started[0] == 1 and opening is not None:
                try:
                    opening.wait(timeout=OPENING_WAIT)
                except threading.BrokenBarrierError:
                    pass  # a client fell behind: the round goes on without the alignment
            device.start(pending.pop(0))
            started[0] += 1
            call = device.next_call()
        awaiting[0] = call is not None
        return call

    return [next_call] * calls


def race(target: Target, scope: Scope, *, clients: int, rng: random.Random, deadline: float = 20.0,
         opening: tuple[str, ...] = OPENINGS[0]) -> History:
    """One round: ``clients`` devices racing on one dataset, ``opening`` first; the history."""
    identity = scope.identity()
    dataset = scope.dataset("race")
    scope.remember(identity, dataset)
    schedules = []
    barrier = threading.Barrier(clients) if clients > 1 else None
    deletes = "delete" in opening[:clients]
    if scope.real:  # the named identity's other datasets are unknown to the model: no ListDatasets
        opening = tuple("list" if move == "list_datasets" else move for move in opening)
    extras = tuple(a for a in EXTRA_ACTIONS if not (scope.real and a == "list_datasets"))
    for k in range(clients):
        device = Device(identity, f"device-{k}", on_conflict=rng.choice(["mine", "theirs"]), max_retries=1)
        steps = [
            ProgramStep(k, "sync", dataset, tuple(
                Edit(key, f"c{k}-{n}-{key}") for key in rng.sample(KEYS, rng.randint(1, 2))
            ))
            for n in range(CALLS_PER_CLIENT)
        ]
        steps.insert(rng.randint(0, len(steps)), ProgramStep(k, "list", dataset))
        extra = rng.choice(extras)
        steps.insert(rng.randint(1, len(steps)), ProgramStep(k, extra) if extra == "list_datasets"
                     else ProgramStep(k, extra, dataset))
        steps[:0] = _opening_steps(k, opening[k % len(opening)], dataset, first_writes=deletes and k == 0)
        schedules.append(_schedule(device, steps, CALLS_PER_CLIENT + 2, barrier))
    copies: list[Operation] = []
    runner = ConcurrentRunner([_sender(target, k, copies) for k in range(clients)], deadline=deadline)
    return with_copies(runner.run(schedules).history, copies)


def _sender(target: Target, client: int, copies: list[Operation]) -> Callable[[Call], Outcome]:
    """Client ``client``'s send; each unseen duplicate delivery of a write goes to ``copies``.

    A copy is an open operation of the same client whose window is its original's
    sending (inside the recorded one): the checker may place it there or nowhere.
    """
    def send(call: Call) -> Outcome:
        sent = time.monotonic()
        response = target.send(call)
        done = time.monotonic()
        if call.operation in DUPLICATES_JUDGED:
            copies.extend(Operation(-1, client, copy.call, sent, done, copy.outcome)
                          for copy in response.duplicates)
        return response.outcome

    return send


def with_copies(history: History, copies: list[Operation]) -> History:
    """``history`` with the duplicate deliveries ``copies`` added under fresh ids."""
    if not copies:
        return history
    next_id = max((op.id for op in history), default=-1) + 1
    added = [dataclasses.replace(op, id=next_id + n) for n, op in enumerate(copies)]
    return History([*history, *added]).sorted_by_invocation()


def _opening_steps(k: int, move: str, dataset: str, *, first_writes: bool) -> list[ProgramStep]:
    """Client ``k``'s first step (before the barrier) and its opening ``move`` (after it)."""
    first = (ProgramStep(k, "sync", dataset, (Edit(KEYS[0], f"c{k}-first"),)) if first_writes
             else ProgramStep(k, "list", dataset))
    if move == "cas":
        second = ProgramStep(k, "write", dataset, (Edit(KEYS[0], f"c{k}-opening"),))
    elif move == "fresh":
        second = ProgramStep(k, "write", dataset, (Edit(f"fresh-{k}", f"c{k}-fresh"),))
    elif move == "list_datasets":
        second = ProgramStep(k, "list_datasets")
    else:
        second = ProgramStep(k, move, dataset)
    return [first, second]


def judge_history(history: History, limits: Limits, *, timeout: float) -> CheckResult:
    """CONF-6: search ``history`` for an order the sequential model accepts (linearizability)."""
    deletes = any(op.call.operation == "DeleteDataset" for op in history)
    return check(history, ModelSpec(limits=limits, per_identity=True, counts_may_restart=deletes),
                 timeout=timeout)


def failure_from(result: CheckResult) -> Failure:
    witness = result.witness or History()
    steps = tuple(SentCall(op.call, op.outcome, op.client) for op in witness)
    blocked = result.blocked
    received = result.reason or "no order of the history is allowed by the model"
    if blocked is not None:
        outcome = blocked.outcome
        shown = (f"{outcome.error_type}" if isinstance(outcome, Err)
                 else "200 " + str(outcome.body)[:200] if isinstance(outcome, Ok) else str(outcome))
        received = f"client {blocked.client}'s {blocked.call.operation} answered {shown}: {received}"
    return Failure(
        "CONF-6",
        "concurrent history is not linearizable",
        "some order of the calls, respecting real time, that the sequential model accepts",
        received + "\n" + result.explanation,
        steps,
    )


def accepted_writes(history: History) -> int:
    """How many writes of ``history`` were acknowledged."""
    return sum(op.call.operation == "UpdateRecords" and isinstance(op.outcome, Ok) for op in history)


def is_a_race(history: History) -> bool:
    """Does ``history`` put CONF-6 to the test? Two clients' writes whose answers are
    known presented the same sync count for the same key (compare-and-set: at most one
    may win, whatever writes with lost answers did, since counts only grow); or every
    write's outcome is known (a lost answer leaves the race undecided) and two clients'
    writes overlapped in time."""
    writes = [op for op in history if op.call.operation == "UpdateRecords"]
    known = [op for op in writes if not op.is_open]
    if any(a.client != b.client and _same_presented_count(a, b)
           for i, a in enumerate(known) for b in known[i + 1:]):
        return True
    if not writes or len(known) < len(writes):
        return False
    return any(a.client != b.client and _overlap(a, b) for i, a in enumerate(writes) for b in writes[i + 1:])


def _overlap(a: Operation, b: Operation) -> bool:
    return (a.completed is not None and b.completed is not None
            and a.invoked < b.completed and b.invoked < a.completed)


def _presented(op: Operation) -> set[tuple[object, object]]:
    patches = op.call.params.get("RecordPatches")
    return {(p.get("Key"), p.get("SyncCount")) for p in patches or [] if isinstance(p, dict)}


def _same_presented_count(a: Operation, b: Operation) -> bool:
    return a.call.scope == b.call.scope and bool(_presented(a) & _presented(b))
