"""input_violations agrees with the JSON Schemas on the constraints both express."""

from __future__ import annotations

import pytest

from cogsync.contracts import schemas
from cogsync.contracts.calls import Call
from cogsync.contracts.validation import InputViolation, input_violations

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
