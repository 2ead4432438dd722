"""The checker agrees with a brute-force checker on random small histories.

The brute force tries every subset of the open operations and every permutation of
the chosen operations, keeps those consistent with real time, and folds the spec's
``step`` over them. Histories come from a simulation: operations with random
intervals take effect on a correct server at a random point inside their interval
(open ones: any point after invocation, or never), and then, sometimes, one answer
is corrupted, so both verdicts occur.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations, permutations
from typing import Any

from hypothesis import event, given, note, settings
from hypothesis import strategies as st

from cogsync.conformance.history import NEVER_COMPLETED, History, Operation
from cogsync.conformance.linearizability import check
from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown
from tests.support import linearizability_specs as S

# ------------------------------------------------------------------- brute force


def _real_time_ok(order: tuple[Operation, ...]) -> bool:
    """No operation comes after one that was sent only after it had been answered."""
    for i, earlier in enumerate(order):
        for later in order[i + 1:]:
            later_answered_first = (later.completed is not None
                                    and not isinstance(later.outcome, Unknown)
                                    and later.completed < earlier.invoked)
            if later_answered_first:
                return False
    return True


def _accepted(order: tuple[Operation, ...], spec: Any) -> bool:
    state = spec.initial()
    for op in order:
        state = spec.step(state, op.call, op.outcome)
        if state is None:
            return False
    return True


def brute_force(ops: list[Operation], spec: Any) -> bool:
    """A spec's state describes one partition, so each partition is tried on its own."""
    parts: dict[Any, list[Operation]] = {}
    for op in ops:
        parts.setdefault(spec.partition(op.call), []).append(op)
    return all(_one_partition(part, spec) for part in parts.values())


def _one_partition(ops: list[Operation], spec: Any) -> bool:
    closed = [op for op in ops if op.completed is not None and not isinstance(op.outcome, Unknown)]
    opened = [op for op in ops if op not in closed]
    for size in range(len(opened) + 1):
        for chosen in combinations(opened, size):
            for order in permutations(closed + list(chosen)):
                if _real_time_ok(order) and _accepted(order, spec):
                    return True
    return False


# ------------------------------------------------------------------- simulation

FATES = ["done"] * 6 + ["crashed-applied", "crashed-lost", "timeout-applied", "timeout-lost"]


@st.composite
def simulated(draw, calls: st.SearchStrategy[Call], server_factory: Callable[[], Any],
              corrupt: Callable[[Any, Call], st.SearchStrategy[Outcome]], max_ops: int,
              corruption: bool = True) -> list[Operation]:
    plans = draw(st.lists(st.tuples(
        st.integers(0, 2),  # client
        calls,
        st.integers(0, 8),  # invocation
        st.integers(0, 4),  # duration
        st.integers(0, 8),  # where in (or after) the interval it takes effect, in quarters
        st.sampled_from(FATES),
    ), max_size=max_ops))
    server = server_factory()
    effects = []
    for index, (_, _, start, duration, quarter, fate) in enumerate(plans):
        if fate.endswith("lost"):
            continue
        within = duration * min(quarter, 4) / 4 if fate == "done" else quarter
        effects.append((start + within, index))
    outcomes: dict[int, Outcome] = {}
    for _, index in sorted(effects):
        outcomes[index] = server(plans[index][1])
    ops = []
    for index, (client, call, start, duration, _, fate) in enumerate(plans):
        if fate == "done":
            ops.append(Operation(index, client, call, start, start + duration, outcomes[index]))
        elif fate.startswith("crashed"):
            ops.append(Operation(index, client, call, start, None, NEVER_COMPLETED))
        else:
            ops.append(Operation(index, client, call, start, start + duration, Unknown("timeout")))
    closed = [i for i, op in enumerate(ops) if not op.is_open]
    if corruption and closed and draw(st.booleans()):
        i = draw(st.sampled_from(closed))
        op = ops[i]
        ops[i] = Operation(op.id, op.client, op.call, op.invoked, op.completed,
                           draw(corrupt(server, op.call)))
    note(f"history: {History(ops).to_json(indent=1)}")
    return ops


register_calls = st.one_of(
    st.builds(S.get, st.sampled_from(["r", "q"])),
    st.builds(S.put, st.integers(0, 2)),
    st.builds(S.cas, st.integers(0, 2), st.integers(0, 2)),
)


def register_corruptions(_server: Any, call: Call) -> st.SearchStrategy[Outcome]:
    if call.operation == "Get":
        return st.builds(lambda v: Ok({"Value": v}), st.integers(0, 3))
    return st.sampled_from([Ok({}), Err("ConditionFailed", 409)])


patches = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["x", "y", None]), st.integers(0, 2)),
    min_size=1, max_size=2, unique_by=lambda p: p[0],
)
sync_calls = st.one_of(
    st.builds(S.listing, st.sampled_from(["d", "d", "e"]), st.sampled_from([None, None, 1])),
    st.builds(lambda ds, ps: S.update(ds, *ps), st.sampled_from(["d", "d", "e"]), patches),
)
record = st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["x", "y", None]),
                   st.integers(0, 3))


def sync_corruptions(_server: Any, call: Call) -> st.SearchStrategy[Outcome]:
    if call.operation == "ListRecords":
        return st.builds(lambda n, rs: S.listed(n, *rs), st.integers(0, 3),
                         st.lists(record, max_size=2, unique_by=lambda r: r[0]))
    keys = [p["Key"] for p in call.params["RecordPatches"]]
    written = st.builds(
        lambda count: S.written(*((k, p.get("Value"), count)
                                  for k, p in zip(keys, call.params["RecordPatches"],
                                                  strict=True))),
        st.integers(1, 3),
    )
    return st.one_of(written, st.just(S.conflict()))


REGISTER = S.RegisterSpec()
SYNC = S.SyncCountSpec()


def _agree(ops: list[Operation], spec: Any) -> None:
    expected = brute_force(ops, spec)
    event(f"linearizable: {expected}")
    event(f"open operations: {sum(op.is_open for op in ops)}")
    pruned = check(ops, spec, prune=True)
    unpruned = check(ops, spec, prune=False)
    note(f"brute force: {expected}; pruned: {pruned.explanation}")
    assert pruned.ok is expected
    assert unpruned.ok is expected
    if not expected:
        for result in (pruned, unpruned):
            assert result.witness is not None and result.blocked is not None
            ids = {op.id for op in result.witness}
            assert ids <= {op.id for op in ops}
            assert result.blocked.id in ids
            assert brute_force(list(result.witness), spec) is False


@settings(max_examples=500)
@given(simulated(register_calls, S.RegisterServer, register_corruptions, max_ops=6))
def test_register_verdicts_match_the_brute_force(ops):
    _agree(ops, REGISTER)


@settings(max_examples=300)
@given(simulated(sync_calls, S.SyncCountServer, sync_corruptions, max_ops=5))
def test_sync_count_verdicts_match_the_brute_force_pruned_and_not(ops):
    _agree(ops, SYNC)


@settings(max_examples=100)
@given(simulated(sync_calls, S.SyncCountServer, sync_corruptions, max_ops=40,
                 corruption=False))
def test_simulated_histories_of_a_correct_server_are_linearizable(ops):
    assert check(ops, SYNC).ok is True


@settings(max_examples=100)
@given(simulated(sync_calls, S.SyncCountServer, sync_corruptions, max_ops=12))
def test_pruning_never_changes_the_verdict_on_larger_histories(ops):
    assert check(ops, SYNC, prune=True).ok is check(ops, SYNC, prune=False).ok
