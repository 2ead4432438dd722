"""The linearizability checker on hand-made histories, each one a story with a known verdict.

Times are in seconds; most stories use small whole numbers so the real-time order
is plain to read.
"""

from __future__ import annotations

import pytest

from cogsync.conformance.history import NEVER_COMPLETED, History, Operation
from cogsync.conformance.linearizability import CheckResult, SequentialSpec, check
from cogsync.contracts.calls import Call, Ok, Outcome, Unknown
from cogsync.errors import UsageError
from tests.support import linearizability_specs as S

REGISTER = S.RegisterSpec()
SYNC = S.SyncCountSpec()
TIMEOUT = Unknown("timeout")


class Story:
    """Builds a history: ``story.op(client, call, start, end, outcome)``; ids in order."""

    def __init__(self) -> None:
        self.ops: list[Operation] = []

    def op(self, client: int, call: Call, start: float, end: float | None,
           outcome: Outcome = NEVER_COMPLETED) -> Operation:
        operation = Operation(len(self.ops), client, call, start, end, outcome)
        self.ops.append(operation)
        return operation

    @property
    def history(self) -> History:
        return History(self.ops)


def both_ways(history, spec) -> CheckResult:
    """Check pruned and unpruned; they must agree."""
    pruned = check(history, spec, prune=True)
    unpruned = check(history, spec, prune=False)
    assert pruned.ok == unpruned.ok
    return pruned


# ------------------------------------------------------------------ linearizable


def test_an_empty_history_is_linearizable():
    result = check(History(), REGISTER)
    assert result.ok is True and result.partitions == 0 and result.witness is None


def test_a_sequential_run_of_the_reference_server_is_linearizable():
    server, story = S.SyncCountServer(), Story()
    calls = [S.listing("d"), S.update("d", ("a", "x", 0)), S.update("d", ("a", "y", 0)),
             S.update("d", ("a", "y", 1), ("b", "z", 0)), S.listing("d"), S.listing("d", 1)]
    for t, call in enumerate(calls):
        story.op(t % 3, call, 2 * t, 2 * t + 1, server(call))
    assert both_ways(story.history, SYNC).ok is True


def test_concurrent_overlapping_operations_may_take_effect_in_either_order():
    story = Story()
    story.op(1, S.put(1), 0, 10, Ok({}))
    story.op(2, S.put(2), 1, 9, Ok({}))
    story.op(3, S.get(), 2, 4, Ok({"Value": 2}))  # saw 2 first, then 1: order put2, put1
    story.op(4, S.get(), 11, 12, Ok({"Value": 1}))
    assert both_ways(story.history, REGISTER).ok is True


def test_a_read_overlapping_a_write_may_see_the_old_or_the_new_value():
    for seen in (0, 1):
        story = Story()
        story.op(1, S.put(1), 0, 10, Ok({}))
        story.op(2, S.get(), 5, 6, Ok({"Value": seen}))
        assert both_ways(story.history, REGISTER).ok is True


def test_two_writes_presenting_the_same_count_one_wins_one_conflicts():
    story = Story()
    story.op(1, S.update("d", ("k", "a", 0)), 0, 10, S.conflict("k", 1, 0))
    story.op(2, S.update("d", ("k", "b", 0)), 1, 9, S.written(("k", "b", 1)))
    story.op(3, S.listing("d"), 11, 12, S.listed(1, ("k", "b", 1)))
    assert both_ways(story.history, SYNC).ok is True


def test_a_crashed_write_that_applied_explains_what_a_later_read_sees():
    story = Story()
    story.op(1, S.update("d", ("k", "a", 0)), 0, None)  # never completed
    story.op(2, S.listing("d"), 5, 6, S.listed(1, ("k", "a", 1)))
    assert both_ways(story.history, SYNC).ok is True


def test_a_crashed_write_that_did_not_apply_is_fine_too():
    story = Story()
    story.op(1, S.update("d", ("k", "a", 0)), 0, None)
    story.op(2, S.listing("d"), 5, 6, S.listed(0))
    story.op(3, S.update("d", ("k", "b", 0)), 7, 8, S.written(("k", "b", 1)))
    assert both_ways(story.history, SYNC).ok is True


def test_a_crashed_write_may_take_effect_long_after_it_was_sent():
    story = Story()
    story.op(1, S.put(7), 0, None)
    story.op(2, S.get(), 5, 6, Ok({"Value": 0}))
    story.op(3, S.get(), 50, 51, Ok({"Value": 7}))
    assert both_ways(story.history, REGISTER).ok is True


def test_a_timed_out_write_may_take_effect_after_the_client_gave_up():
    # An Unknown answer is open: the request may still be in the server's queue.
    story = Story()
    story.op(1, S.put(7), 0, 1, TIMEOUT)
    story.op(2, S.get(), 5, 6, Ok({"Value": 0}))
    story.op(3, S.get(), 8, 9, Ok({"Value": 7}))
    assert both_ways(story.history, REGISTER).ok is True


def test_a_write_that_changes_nothing_now_may_still_matter_later():
    # put(0) on a register holding 0 is neutral here, but must come after put(1) for
    # the last read: only read-only operations may be placed for good when neutral.
    story = Story()
    story.op(1, S.get(), 0, 0, Ok({"Value": 0}))
    story.op(2, S.put(0), 0, 0, Ok({}))
    story.op(3, S.put(1), 0, 0, Ok({}))
    story.op(4, S.get(), 0, 0, Ok({"Value": 1}))
    story.op(5, S.get(), 1, 1, Ok({"Value": 0}))
    assert both_ways(story.history, REGISTER).ok is True


def test_touching_intervals_count_as_concurrent():
    story = Story()
    story.op(1, S.get(), 0, 5, Ok({"Value": 1}))
    story.op(2, S.put(1), 5, 6, Ok({}))
    assert both_ways(story.history, REGISTER).ok is True


def test_partitions_do_not_constrain_each_other():
    story = Story()
    story.op(1, S.put(1, "x"), 0, 1, Ok({}))
    story.op(2, S.get("y"), 2, 3, Ok({"Value": 0}))
    story.op(3, S.get("x"), 4, 5, Ok({"Value": 1}))
    result = both_ways(story.history, REGISTER)
    assert result.ok is True and result.partitions == 2


# -------------------------------------------------------------- not linearizable


def test_a_lost_update_is_found_and_told_in_words():
    story = Story()
    story.op(1, S.update("d", ("k", "v1", 3)), 0.0, 0.010, S.written(("k", "v1", 4)))
    story.op(2, S.update("d", ("k", "v2", 3)), 0.004, 0.013, S.written(("k", "v2", 4)))
    history = History([
        Operation(10, 1, S.update("d", ("k", "v0", 0)), -0.05, -0.04, S.written(("k", "v0", 1))),
        Operation(11, 1, S.update("d", ("k", "v0", 1)), -0.04, -0.03, S.written(("k", "v0", 2))),
        Operation(12, 1, S.update("d", ("k", "v0", 2)), -0.03, -0.02, S.written(("k", "v0", 3))),
        *story.ops,
    ])
    result = both_ways(history, SYNC)
    assert result.ok is False
    assert result.partition == (S.POOL, S.IDENTITY, "d")
    assert result.blocked is not None and result.blocked.client == 2
    assert [op.id for op in result.linearized][-1] == 0
    assert "lost update" in result.reason
    text = str(result)
    assert "client 2's #1" in text and "#0 (client 1)" in text
    assert "presenting count 3" in text
    assert "54.0 - 63.0 ms" in text  # times relative to the first invocation


def test_a_stale_read_after_a_completed_write_is_a_violation():
    story = Story()
    story.op(1, S.update("d", ("k", "a", 0)), 0, 1, S.written(("k", "a", 1)))
    story.op(2, S.listing("d"), 2, 3, S.listed(0))
    result = both_ways(story.history, SYNC)
    assert result.ok is False
    assert "stale read" in result.reason
    assert [op.id for op in result.witness] == [0, 1] and result.witness_minimal


def test_a_torn_batch_is_a_violation():
    story = Story()
    story.op(1, S.update("d", ("k1", "a", 0), ("k2", "a", 0)), 0, 1,
             S.written(("k1", "a", 1), ("k2", "a", 1)))
    story.op(1, S.update("d", ("k1", "b", 1), ("k2", "b", 1)), 2, 6,
             S.written(("k1", "b", 2), ("k2", "b", 2)))
    story.op(3, S.listing("d"), 3, 5, S.listed(2, ("k1", "b", 2), ("k2", "a", 1)))
    result = both_ways(story.history, SYNC)
    assert result.ok is False
    assert result.blocked.id == 2
    assert "torn batch" in result.reason and "'k1' at count 2 but 'k2' at count 1" in result.reason


def test_a_read_cannot_see_a_write_that_was_sent_after_it_was_answered():
    story = Story()
    story.op(1, S.get(), 0, 1, Ok({"Value": 1}))
    story.op(2, S.put(1), 2, 3, Ok({}))
    result = both_ways(story.history, REGISTER)
    assert result.ok is False and result.blocked.id == 0
    assert "No operation of it can come first" in result.explanation


def test_a_crashed_write_cannot_apply_then_unapply():
    story = Story()
    story.op(1, S.put(7), 0, None)
    story.op(2, S.get(), 5, 6, Ok({"Value": 7}))
    story.op(3, S.get(), 8, 9, Ok({"Value": 0}))
    assert both_ways(story.history, REGISTER).ok is False


def test_two_successful_compare_and_sets_from_the_same_value_conflict():
    story = Story()
    story.op(1, S.cas(0, 1), 0, 10, Ok({}))
    story.op(2, S.cas(0, 2), 0, 10, Ok({}))
    result = both_ways(story.history, REGISTER)
    assert result.ok is False and "expecting 0 succeeded" in result.reason


def test_the_witness_drops_what_does_not_matter():
    server, story = S.SyncCountServer(), Story()
    # 40 harmless operations in two datasets, then a lost update in "d", then more noise.
    for t in range(20):
        for dataset in ("d", "e"):
            call = S.listing(dataset) if t % 2 else S.update(dataset, ("n", "x", t // 2))
            story.op(t % 4, call, t, t + 0.5, server(call))
    story.op(5, S.listing("d"), 30, 31, server(S.listing("d")))
    lost = S.update("d", ("n", "y", 9))
    story.op(6, lost, 32, 33, S.written(("n", "y", 11)))  # claims success on a stale count
    for t in range(40, 50):
        story.op(7, S.listing("d"), t, t + 0.5, S.listed(11, ("n", "y", 11)))
    result = check(story.history, SYNC, shrink_timeout=10)
    assert result.ok is False and result.partition[2] == "d"
    witness_ids = {op.id for op in result.witness}
    assert witness_ids < {op.id for op in story.ops if op.call.params["DatasetName"] == "d"}
    assert result.blocked.id == 41 and result.witness_minimal
    assert check(result.witness, SYNC).ok is False
    # The writes that took the count to 10 are the context the failure needs; reads are not.
    assert all(op.call.operation == "UpdateRecords" for op in result.witness)
    assert len(result.witness) == 11


def test_a_witness_that_is_too_long_to_print_is_abridged():
    story = Story()
    for t in range(30):
        story.op(1, S.update("d", ("k", "v", t)), t, t + 0.5, S.written(("k", "v", t + 1)))
    story.op(2, S.listing("d"), 40, 41, S.listed(28, ("k", "v", 28)))
    result = check(story.history, SYNC)
    # writes up to count 29 are enough: the read at 28 came after it
    assert result.ok is False and len(result.witness) == 30 and result.witness_minimal
    assert "taken it to 29 (a stale read)" in result.reason
    assert "earlier operations (all in CheckResult.witness)" in result.explanation
    assert result.explanation.count("\n  #") == 24


# ------------------------------------------------------------------ the pruning


def _chain_and_timeouts(length: int, timeouts: int) -> History:
    """Writes 1..length sent together, a read of count 0 sent just after, and writes of
    other keys that timed out. Only the order keys say the read must come first."""
    story = Story()
    for count in range(length):
        story.op(1, S.update("d", ("k", "v", count)), 0, 10, S.written(("k", "v", count + 1)))
    story.op(2, S.listing("d"), 1, 10, S.listed(0))
    for j in range(timeouts):
        story.op(3, S.update("d", (f"u{j}", "v", 0)), 2, 3, TIMEOUT)
    return story.history


def test_the_order_key_prunes_without_changing_the_verdict():
    history = _chain_and_timeouts(5, 4)
    pruned = check(history, SYNC, prune=True)
    unpruned = check(history, SYNC, prune=False)
    assert pruned.ok is True and unpruned.ok is True
    # Without the keys the search first tries the writes before the read, and every
    # placement of the timed-out writes with them.
    assert pruned.explored * 20 < unpruned.explored


def test_an_order_key_is_ignored_on_open_operations():
    story = Story()
    # An Unknown write with a successful-looking body: its key must not bind the order.
    story.op(1, S.update("d", ("k", "a", 0)), 0, 1, Unknown("timeout"))
    story.op(2, S.listing("d"), 2, 3, S.listed(0))
    story.op(3, S.listing("d"), 4, 5, S.listed(1, ("k", "a", 1)))
    assert both_ways(story.history, SYNC).ok is True


# ------------------------------------------------------------------ limits and misuse


def _wide_impossible_history(width: int) -> History:
    """``width`` timed-out puts of distinct values, then a read no put explains: the search
    must try every subset of the puts before it can say no."""
    story = Story()
    for k in range(width):
        story.op(k, S.put(k + 1), 0, 10, TIMEOUT)
    story.op(width, S.get(), 11, 12, Ok({"Value": 99}))
    return story.history


def test_the_timeout_makes_the_result_inconclusive():
    result = check(_wide_impossible_history(16), REGISTER, timeout=0.1)
    assert result.ok is None
    assert result.partition == "r" and result.unchecked_partitions == ("r",)
    assert "Inconclusive" in result.explanation


def test_a_zero_timeout_decides_nothing():
    result = check(_wide_impossible_history(2), REGISTER, timeout=0)
    assert result.ok is None and result.partitions == 0


def test_a_violation_in_a_small_partition_is_found_before_a_large_one_times_out():
    wide = list(_wide_impossible_history(16))
    impossible = Operation(100, 50, S.get("other"), 100, 101, Ok({"Value": 3}))
    result = check(History([*wide, impossible]), REGISTER, timeout=0.5)
    assert result.ok is False and result.partition == "other"
    assert result.blocked.id == 100


@pytest.mark.parametrize("timeout", [-1, "3", True])
def test_a_bad_timeout_is_a_usage_error(timeout):
    with pytest.raises(UsageError, match="timeout"):
        check(History(), REGISTER, timeout=timeout)


def test_a_bad_spec_is_a_usage_error():
    with pytest.raises(UsageError, match="SequentialSpec"):
        check(History(), object())  # type: ignore[arg-type]


def test_the_specs_satisfy_the_protocol():
    assert isinstance(REGISTER, SequentialSpec) and isinstance(SYNC, SequentialSpec)
