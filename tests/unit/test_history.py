"""Operations and histories: validation, helpers, and the JSON round trip."""

from __future__ import annotations

import json

import pytest

from cogsync.conformance.history import (
    JSON_FORMAT,
    NEVER_COMPLETED,
    History,
    Operation,
    outcome_from_record,
    outcome_to_record,
)
from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.errors import UsageError

WRITE = Call("UpdateRecords", {"DatasetName": "d", "RecordPatches": [
    {"Op": "replace", "Key": "k\u00e9\U0001f600", "Value": "v", "SyncCount": 0}]})
READ = Call("ListRecords", {"DatasetName": "e", "LastSyncCount": 2})


def sample() -> History:
    return History([
        Operation(0, 1, WRITE, 10.0, 10.25, Ok({"Records": [{"Key": "k", "SyncCount": 1,
                                                              "LastModifiedDate": 1.7e9}]})),
        Operation(1, 2, READ, 10.125, 10.5, Err("ResourceConflictException", 409, "busy")),
        Operation(2, 1, WRITE, 10.3, None, NEVER_COMPLETED),
        Operation(3, 3, READ, 9.5, 12.0, Unknown("timeout", 504)),
    ])


def test_json_round_trip_is_exact():
    history = sample()
    text = history.to_json(indent=2)
    assert json.loads(text)["format"] == JSON_FORMAT
    again = History.from_json(text)
    assert again == history
    assert again[0].call.params["RecordPatches"][0]["Key"] == "k\u00e9\U0001f600"
    assert again[2].completed is None and again[3].outcome == Unknown("timeout", 504)


@pytest.mark.parametrize("outcome", [Ok({"a": [1, None]}, 200), Err("X", 400, "m"),
                                     Unknown("reset"), Unknown("throttled", 429)])
def test_outcomes_round_trip(outcome):
    assert outcome_from_record(json.loads(json.dumps(outcome_to_record(outcome)))) == outcome


def test_open_operations_are_the_unanswered_and_the_unknown():
    assert [op.is_open for op in sample()] == [False, False, True, True]


def test_real_time_order_is_strict_and_open_operations_precede_nothing():
    first, second, crashed, timed_out = sample()
    late = Operation(9, 1, READ, 20.0, 21.0, Ok({}))
    assert first.precedes(late) and not late.precedes(first)
    assert not first.precedes(second)  # they overlap
    assert not crashed.precedes(late) and not timed_out.precedes(late)
    touching = Operation(8, 1, READ, first.completed, 11.0, Ok({}))
    assert not first.precedes(touching)


def test_helpers_split_and_order():
    history = sample()
    parts = history.by_partition(lambda call: call.params["DatasetName"])
    assert list(parts) == ["d", "e"] and [op.id for op in parts["d"]] == [0, 2]
    assert {k: len(v) for k, v in history.by_client().items()} == {1: 2, 2: 1, 3: 1}
    assert history.start == 9.5 and history.clients == (1, 2, 3)
    assert [op.id for op in history.sorted_by_invocation()] == [3, 0, 1, 2]
    assert isinstance(history[1:], History) and len(history[1:]) == 3
    assert history.by_id(2).completed is None
    assert [op.id for op in history.where(lambda op: op.is_open)] == [2, 3]


def test_an_operation_cannot_complete_before_it_was_invoked():
    with pytest.raises(UsageError, match="completed=1.0 .*invoked"):
        Operation(0, 0, READ, 2.0, 1.0, Ok({}))


def test_an_operation_that_never_completed_has_an_unknown_outcome():
    with pytest.raises(UsageError, match="outcome"):
        Operation(0, 0, READ, 2.0, None, Ok({}))


def test_ids_must_be_unique():
    op = sample()[0]
    with pytest.raises(UsageError, match="unique"):
        History([op, op])


@pytest.mark.parametrize("text", ["not json", json.dumps({"format": "other"}),
                                  json.dumps({"format": JSON_FORMAT, "operations": [{"id": 1}]}),
                                  json.dumps({"format": JSON_FORMAT, "operations": [
                                      {"id": 0, "client": 0, "call": {"operation": "X"},
                                       "invoked": 0, "completed": 1,
                                       "outcome": {"kind": "maybe"}}]})])
def test_bad_json_is_a_usage_error(text):
    with pytest.raises(UsageError):
        History.from_json(text)
