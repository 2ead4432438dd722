"""input_violations agrees with the JSON Schemas on the constraints both express."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogsync.contracts import schemas
from cogsync.contracts.calls import Call
from cogsync.contracts.validation import InputViolation, _every_violation, input_violations
from cogsync.strategies import (
    delete_dataset_requests,
    describe_dataset_requests,
    invalid_requests,
    list_datasets_requests,
    list_records_requests,
    update_records_requests,
)

POOL = "us-east-1:23ec4050-6aea-7089-a2dd-08002e000000"
ID = "us-east-1:13ec4050-6aea-7089-a2dd-08002e000001"


def update(**overrides):
    params = {
        "IdentityPoolId": POOL,
        "IdentityId": ID,
        "DatasetName": "scores",
        "SyncSessionToken": "t",
        "RecordPatches": [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}],
    }
    params.update(overrides)
    return Call("UpdateRecords", params)


def test_valid_call_has_no_violations():
    assert input_violations(update()) == []
    assert schemas.is_valid("UpdateRecordsRequest", update().params)


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"DatasetName": ""}, ("DatasetName", "min_length")),
        ({"DatasetName": "x" * 129}, ("DatasetName", "max_length")),
        ({"DatasetName": "a/b"}, ("DatasetName", "pattern")),
        ({"IdentityId": "us-east-1:AB/C"}, ("IdentityId", "pattern")),
        ({"DatasetName": 7}, ("DatasetName", "type")),
        ({"SyncSessionToken": None}, ("SyncSessionToken", "required")),
        ({"DeviceId": ""}, ("DeviceId", "min_length")),
        ({"RecordPatches": [{"Op": "upsert", "Key": "k", "SyncCount": 0}]}, ("RecordPatches[0].Op", "enum")),
        ({"RecordPatches": [{"Op": "replace", "Key": "", "SyncCount": 0}]}, ("RecordPatches[0].Key", "min_length")),
        ({"RecordPatches": [{"Op": "replace", "Key": "k", "SyncCount": True}]}, ("RecordPatches[0].SyncCount", "type")),
        ({"RecordPatches": [{"Op": "replace", "Key": "k"}]}, ("RecordPatches[0].SyncCount", "required")),
    ],
)
def test_each_broken_constraint_is_named_and_the_schema_agrees(overrides, expected):
    call = update(**overrides)
    assert input_violations(call) == [InputViolation(*expected)]
    params = {k: v for k, v in call.params.items() if v is not None}
    assert not schemas.is_valid("UpdateRecordsRequest", params)


def test_uppercase_hex_in_an_id_is_its_own_constraint_the_contract_leaves_open():
    """VAL-4: AWS's own documentation example uses upper-case hex; the pattern forbids it."""
    call = update(IdentityId="us-east-1:13EC4050-6AEA-7089-A2DD-08002E000001")
    assert input_violations(call) == [InputViolation("IdentityId", "uppercase")]
    assert not schemas.is_valid("UpdateRecordsRequest", call.params)
    mixed = update(IdentityPoolId="us-east-1:23EC4050/6aea")  # upper case and a slash: a plain breach
    assert input_violations(mixed) == [InputViolation("IdentityPoolId", "pattern")]


def test_negative_sync_count_is_its_own_constraint_the_schema_cannot_express():
    call = update(RecordPatches=[{"Op": "remove", "Key": "k", "SyncCount": -1}])
    assert input_violations(call) == [InputViolation("RecordPatches[0].SyncCount", "negative")]
    assert schemas.is_valid("UpdateRecordsRequest", call.params)


def test_unknown_operation_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown operation"):
        input_violations(Call("PutRecord", {}))


# -- the compiled shortcut and the member-by-member walk agree ------------------------------

_KNOWN_MEMBERS = st.sampled_from(["IdentityPoolId", "IdentityId", "DatasetName", "SyncSessionToken",
                                  "NextToken", "ClientContext", "LastSyncCount", "MaxResults",
                                  "DeviceId", "RecordPatches"])
_ODD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**64), max_value=2**64),
                        st.floats(allow_nan=False), st.text(max_size=5), st.just([]),
                        st.just([{"Op": "replace", "Key": "k", "SyncCount": 2.0}]),
                        st.just([{"Op": "remove", "Key": "k", "SyncCount": -1}]),
                        st.just([{"Op": "replace", "Key": "k", "SyncCount": 0, "Value": None}]))


@settings(max_examples=300, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(update_records_requests(), list_records_requests(), describe_dataset_requests(),
                 delete_dataset_requests(), list_datasets_requests(),
                 invalid_requests().map(lambda drawn: drawn.call)),
       st.dictionaries(_KNOWN_MEMBERS, _ODD_VALUES, max_size=2))
def test_the_compiled_shortcut_names_what_the_walk_names(call, changes):
    """A call the compiled schema accepts takes a shortcut: it must break nothing the walk
    member by member would name (a member unknown to the operation, a negative count)."""
    mixed = Call(call.operation, {**call.params, **changes})
    for each in (call, mixed):
        assert input_violations(each) == _every_violation(each)
