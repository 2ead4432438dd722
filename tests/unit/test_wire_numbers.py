"""WIRE-1 reads numbers as the Java SDKs do: a long is an integer literal, a timestamp any number.

The bodies go through ``classify`` (the adapters' one reading of an answer) and then
through the schema and the model's wire judgement, so a float sync count is caught
however it is spelled, and the real service's E-notation timestamps pass.
"""

from __future__ import annotations

import pytest

from cogsync.contracts import schemas
from cogsync.contracts._model_types import Verdict
from cogsync.contracts._model_wire import check_wire
from cogsync.contracts.calls import Call, Ok
from cogsync.targets.base import classify

RECORD = (
    b'{"Key": "k", "Value": "v", "SyncCount": %s, "LastModifiedDate": %s,'
    b' "LastModifiedBy": "dev", "DeviceLastModifiedDate": %s}'
)


def listing(sync_count: bytes = b"1", timestamp: bytes = b"1700574875.82", count: bytes = b"1",
            dataset_count: bytes = b"1") -> bytes:
    record = RECORD % (sync_count, timestamp, timestamp)
    return (b'{"Records": [%s], "Count": %s, "DatasetSyncCount": %s, "DatasetExists": true,'
            b' "DatasetDeletedAfterRequestedSyncCount": false, "SyncSessionToken": "t+/="}'
            % (record, count, dataset_count))


def wire_1_problems(operation: str, raw: bytes) -> list[str]:
    outcome = classify(200, {}, raw)
    assert isinstance(outcome, Ok), outcome
    verdict = Verdict()
    check_wire(Call(operation, {}), outcome, verdict)
    assert "WIRE-1" in verdict.witnessed
    return [f"{v.property_id}: {v.received}" for v in verdict.violations]


@pytest.mark.parametrize("spelling", [b"2.0", b"2e0", b"2E0", b"20E-1", b"2.000"])
@pytest.mark.parametrize("member", ["SyncCount", "Count", "DatasetSyncCount"])
def test_a_long_written_as_a_float_fails_wire_1(spelling: bytes, member: str) -> None:
    body = listing(**{
        "SyncCount": {"sync_count": spelling},
        "Count": {"count": spelling},
        "DatasetSyncCount": {"dataset_count": spelling},
    }[member])
    problems = wire_1_problems("ListRecords", body)
    assert len(problems) == 1 and problems[0].startswith("WIRE-1"), problems
    assert "is not of type 'integer'" in problems[0]


@pytest.mark.parametrize(
    "timestamp", [b"1.70057487582E9", b"1.70057487582e+9", b"1700574875.82", b"1700574875",
                  b"17005748758200E-4"],
)
def test_a_timestamp_may_take_any_json_number_spelling(timestamp: bytes) -> None:
    assert wire_1_problems("ListRecords", listing(timestamp=timestamp)) == []


@pytest.mark.parametrize("member", ["DataStorage", "NumRecords"])
def test_dataset_sizes_must_be_integer_literals_too(member: str) -> None:
    dataset = {"IdentityId": "us-east-1:1", "DatasetName": "d", "CreationDate": 1.7e9,
               "LastModifiedDate": 1.70057487582e9, "LastModifiedBy": "dev",
               "DataStorage": 12, "NumRecords": 1}
    assert schemas.errors("DescribeDatasetResponse", {"Dataset": dataset}) == []
    dataset[member] = 12.0
    problems = schemas.errors("DescribeDatasetResponse", {"Dataset": dataset})
    assert [list(p.absolute_path) for p in problems] == [["Dataset", member]]


def test_a_boolean_is_neither_an_integer_nor_a_timestamp() -> None:
    assert not schemas.is_valid("UpdateRecordsResponse", {"Records": [{"Key": "k", "SyncCount": True}]})
    assert not schemas.is_valid("UpdateRecordsResponse",
                                {"Records": [{"Key": "k", "LastModifiedDate": True}]})


def test_the_strict_validator_is_built_once_per_schema() -> None:
    assert schemas.validator("ListRecordsResponse") is schemas.validator("ListRecordsResponse")
    assert not schemas.validator("ListRecordsResponse").is_type(3.0, "integer")
    assert schemas.validator("ListRecordsResponse").is_type(3, "integer")
    assert schemas.validator("ListRecordsResponse").is_type(3.0, "number")


def test_null_members_of_the_real_services_answers_pass_wire_1() -> None:
    body = (b'{"Records": [{"Key": "k", "Value": null, "SyncCount": 2,'
            b' "LastModifiedDate": 1.70057487582E9, "LastModifiedBy": null,'
            b' "DeviceLastModifiedDate": null}], "Count": 1, "DatasetSyncCount": 2,'
            b' "LastModifiedBy": null, "NextToken": null, "MergedDatasetNames": null,'
            b' "DatasetExists": true, "DatasetDeletedAfterRequestedSyncCount": false,'
            b' "SyncSessionToken": "H4sIAAAAAAAAAK+/="}')
    assert wire_1_problems("ListRecords", body) == []
    # The same nulls kept (as a reader that does not drop them would) break the schema:
    # which is why classify must drop them.
    assert not schemas.is_valid("ListRecordsResponse", {"NextToken": None})
