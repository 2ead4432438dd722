"""The FLIPPED emulator, through real boto3: the other branch at every MAY point.

Each test shows one flipped choice where the reference (``sync``, the same steps on
``Choices()``) would answer differently, so a choice that stopped being read would
fail here. Every refusal is a 4xx in the AWS shape and leaves the state as it was.
"""

from __future__ import annotations

from typing import Any

import pytest

from cogsync.contracts.constraints import Limits
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.choices import FLIPPED, Choices
from cogsync.emulator.mock import CognitoSyncMock

from .conftest import POOL, Sync, error_of, make_client

IPE = ("InvalidParameterException", 400)
CONFLICT = ("ResourceConflictException", 409)
LIMIT = ("LimitExceededException", 400)


def replace(key: str, value: str, count: int, **extra: Any) -> dict[str, Any]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count, **extra}


def remove(key: str, count: int) -> dict[str, Any]:
    return {"Op": "remove", "Key": key, "SyncCount": count}


def describe(sync: Sync, dataset: str = "ds") -> dict[str, Any]:
    return dict(sync.client.describe_dataset(**sync.scope(dataset))["Dataset"])


def wire_bodies(sync: Sync, operation: str) -> list[dict[str, Any]]:
    return [x.json() for x in sync.raw_answers if x.operation == operation and x.status == 200]


# -- SYNC-6 ---------------------------------------------------------------------------------
def test_SYNC_6_an_empty_write_creates_a_missing_dataset_at_count_1(flipped: Sync) -> None:
    answer = flipped.write([])
    assert answer["Records"] == []
    page = flipped.listing()
    assert (page["DatasetExists"], page["DatasetSyncCount"], page["Records"]) == (True, 1, [])
    assert (describe(flipped)["NumRecords"], describe(flipped)["DataStorage"]) == (0, 0)


def test_SYNC_6_an_empty_write_bumps_the_count_and_touches_no_record(flipped: Sync) -> None:
    flipped.put("k", "v", 0)
    before = flipped.records()["k"]
    flipped.client.update_records(**flipped.scope(), SyncSessionToken=flipped.token())
    page = flipped.listing()
    assert page["DatasetSyncCount"] == 2
    assert page["Records"] == [before]  # still at count 1, same value and dates


def test_SYNC_6_the_reference_empty_write_changes_nothing(sync: Sync) -> None:
    assert sync.write([])["Records"] == []
    assert sync.listing()["DatasetExists"] is False


# -- SYNC-7 ---------------------------------------------------------------------------------
def test_SYNC_7_LastModifiedBy_is_never_sent_but_device_dates_are_echoed(flipped: Sync) -> None:
    sent = 1_700_574_875.5
    written = flipped.write([replace("k", "v", 0, DeviceLastModifiedDate=sent)],
                            DeviceId="device-1")["Records"][0]
    assert "LastModifiedBy" not in written
    assert written["DeviceLastModifiedDate"].timestamp() == sent
    flipped.listing()
    flipped.client.list_datasets(IdentityPoolId=POOL, IdentityId=flipped.identity)
    describe(flipped)
    bodies = [body for x in flipped.raw_answers if x.status == 200 for body in [x.json()]]
    records = [r for body in bodies for r in body.get("Records", [])]
    datasets = [d for body in bodies for d in body.get("Datasets", [])] + [
        body["Dataset"] for body in bodies if "Dataset" in body]
    assert len(records) == 2 and len(datasets) == 2
    assert not any("LastModifiedBy" in item for item in [*bodies, *records, *datasets])
    assert all(r["DeviceLastModifiedDate"] == sent for r in records)


def test_SYNC_7_the_reference_names_the_device(sync: Sync) -> None:
    written = sync.write([replace("k", "v", 0)], DeviceId="device-1")["Records"][0]
    assert written["LastModifiedBy"] == "device-1"
    assert describe(sync)["LastModifiedBy"] == "device-1"


# -- CONF-7 ---------------------------------------------------------------------------------
def test_CONF_7_a_count_above_the_keys_is_accepted(flipped: Sync) -> None:
    assert flipped.put("k", "v", 0)["SyncCount"] == 1
    assert flipped.put("k", "w", 7)["SyncCount"] == 2
    assert flipped.put("new", "x", 5)["SyncCount"] == 3
    assert {k: r["Value"] for k, r in flipped.records().items()} == {"k": "w", "new": "x"}


def test_CONF_7_a_count_below_the_keys_is_still_a_conflict(flipped: Sync) -> None:
    flipped.put("k", "v", 0)
    flipped.put("k", "w", 1)
    before = flipped.state()
    assert error_of(lambda: flipped.put("k", "x", 1))[:2] == CONFLICT  # CONF-1
    assert error_of(lambda: flipped.put("k", "x", 0))[:2] == CONFLICT  # CONF-2
    assert error_of(lambda: flipped.write([remove("k", 1)]))[:2] == CONFLICT  # CONF-3
    assert flipped.state() == before


def test_CONF_7_the_reference_refuses_a_count_above(sync: Sync) -> None:
    assert error_of(lambda: sync.put("new", "x", 5))[:2] == CONFLICT


# -- DEL-3 ----------------------------------------------------------------------------------
def test_DEL_3_removing_a_key_that_never_existed_leaves_nothing(flipped: Sync) -> None:
    flipped.put("k", "v", 0)
    answer = flipped.write([remove("ghost", 0)])["Records"]
    assert [(r["Key"], r["SyncCount"], "Value" in r) for r in answer] == [("ghost", 2, False)]
    page = flipped.listing()
    assert page["DatasetSyncCount"] == 2
    assert set(flipped.records()) == {"k"}
    assert describe(flipped)["NumRecords"] == 1


def test_DEL_3_tombstones_count_in_NumRecords_and_DataStorage(flipped: Sync) -> None:
    flipped.write([replace("kéy", "välue", 0), replace("other", "x", 0)])
    flipped.write([remove("kéy", 1)])
    for dataset in (describe(flipped), flipped.client.list_datasets(
            IdentityPoolId=POOL, IdentityId=flipped.identity)["Datasets"][0]):
        assert dataset["NumRecords"] == 2  # "other" and the tombstone of "kéy"
        assert dataset["DataStorage"] == len("kéy".encode()) + len("otherx")


def test_DEL_3_the_reference_lists_the_ghost_and_counts_live_records_only(sync: Sync) -> None:
    sync.write([replace("k", "v", 0)])
    sync.write([remove("k", 1), remove("ghost", 0)])
    assert set(sync.records()) == {"k", "ghost"}
    assert (describe(sync)["NumRecords"], describe(sync)["DataStorage"]) == (0, 0)


# -- LIM-4 ----------------------------------------------------------------------------------
@pytest.fixture(params=[FLIPPED, None], ids=["flipped", "reference"])
def small(request: pytest.FixtureRequest) -> Any:
    """A Sync on an emulator with room for 2 records or 20 bytes (in-process, real boto3)."""
    options = {} if request.param is None else {"choices": request.param}
    backend = CognitoSyncBackend(limits=Limits(20, 2, 20), **options)
    with CognitoSyncMock(backend=backend):
        yield Sync(make_client(), backend, "mock"), request.param is not None


def test_LIM_4_tombstones_count_against_the_record_limit_when_flipped(small: Any) -> None:
    sync, flipped = small
    sync.write([replace("a", "1", 0), replace("b", "2", 0)])
    sync.write([remove("a", 1)])
    if flipped:
        before = sync.state()
        assert error_of(lambda: sync.put("c", "3", 0))[:2] == LIMIT
        assert sync.state() == before
    else:
        assert sync.put("c", "3", 0)["SyncCount"] == 3


def test_LIM_4_tombstones_count_against_the_byte_limit_when_flipped(small: Any) -> None:
    sync, flipped = small
    sync.write([replace("k" * 9, "v" * 9, 0)])  # 18 bytes of 20
    sync.write([remove("k" * 9, 1)])  # a tombstone of 9 key bytes
    if flipped:
        assert error_of(lambda: sync.put("new", "v" * 9, 0))[:2] == LIMIT  # 9 + 12 > 20
        assert sync.put("n", "v" * 9, 0)["SyncCount"] == 3  # 9 + 10 fits
    else:
        assert sync.put("new", "v" * 9, 0)["SyncCount"] == 3


# -- VAL-4 ----------------------------------------------------------------------------------
def test_VAL_4_keys_over_128_utf8_bytes_are_refused(flipped: Sync) -> None:
    flipped.put("é" * 64, "v", 0)  # 128 bytes: allowed
    before = flipped.state()
    code, status, message = error_of(lambda: flipped.put("é" * 64 + "x", "v", 0))
    assert (code, status) == IPE and "128 UTF-8 bytes" in message
    assert flipped.state() == before


def test_VAL_4_the_reference_takes_a_key_of_1024_characters(sync: Sync) -> None:
    assert sync.put("é" * 1024, "v", 0)["SyncCount"] == 1


def test_VAL_4_a_key_twice_in_one_request_is_accepted_and_the_last_patch_wins(
    flipped: Sync,
) -> None:
    answer = flipped.write([replace("k", "first", 0), replace("j", "x", 0),
                            replace("k", "last", 0)])["Records"]
    assert [(r["Key"], r["Value"], r["SyncCount"]) for r in answer] == [
        ("k", "last", 1), ("j", "x", 1)]
    assert {k: r["Value"] for k, r in flipped.records().items()} == {"k": "last", "j": "x"}
    answer = flipped.write([replace("k", "again", 1), remove("k", 1)])["Records"]
    assert [(r["Key"], "Value" in r) for r in answer] == [("k", False)]
    assert "Value" not in flipped.records()["k"]


def test_VAL_4_each_patch_of_a_twice_patched_key_is_checked_for_conflicts(flipped: Sync) -> None:
    flipped.put("k", "v", 0)
    before = flipped.state()
    assert error_of(lambda: flipped.write([replace("k", "a", 0), replace("k", "b", 1)]))[:2] == (
        CONFLICT)
    assert flipped.state() == before


def test_VAL_4_the_reference_refuses_a_key_twice(sync: Sync) -> None:
    assert error_of(lambda: sync.write([replace("k", "a", 0), replace("k", "b", 0)]))[:2] == IPE


UPPER = "us-east-1:0F0E0D0C-0B0A-0908-0706-050403020100"


def test_VAL_4_uppercase_hex_ids_are_accepted(flipped: Sync) -> None:
    upper = Sync(flipped.client, flipped.backend, flipped.transport, identity=UPPER, pool=UPPER,
                 raw_answers=flipped.raw_answers)
    assert upper.put("k", "v", 0)["SyncCount"] == 1
    assert describe(upper)["IdentityId"] == UPPER
    upper.client.delete_dataset(**upper.scope())  # the session's server is shared


def test_VAL_4_the_reference_refuses_uppercase_hex_ids(sync: Sync) -> None:
    upper = Sync(sync.client, sync.backend, sync.transport, identity=UPPER)
    assert error_of(lambda: upper.listing())[:2] == IPE


# -- lengths ---------------------------------------------------------------------------------
ASTRAL = "\U0001f600"


def test_lengths_an_astral_character_counts_as_two_utf16_units(flipped: Sync) -> None:
    flipped.write([replace("k", "v", 0)], DeviceId="d" * 254 + ASTRAL)  # 256 units
    before = flipped.state()
    code, status, message = error_of(
        lambda: flipped.write([replace("k", "w", 1)], DeviceId="d" * 255 + ASTRAL))  # 257 units
    assert (code, status) == IPE and "deviceId" in message
    assert flipped.state() == before


def test_lengths_the_reference_counts_an_astral_character_once(sync: Sync) -> None:
    written = sync.write([replace("k", "v", 0)], DeviceId="d" * 255 + ASTRAL)["Records"][0]
    assert written["LastModifiedBy"] == "d" * 255 + ASTRAL


# -- TOK-5 ----------------------------------------------------------------------------------
def test_TOK_5_a_token_that_carried_a_conflict_is_spent(flipped: Sync) -> None:
    flipped.put("k", "v", 0)
    token = flipped.token()
    assert error_of(lambda: flipped.write([replace("k", "w", 0)], token=token))[:2] == CONFLICT
    code, status, message = error_of(lambda: flipped.write([replace("k", "w", 1)], token=token))
    assert (code, status) == IPE and "SyncSessionToken" in message
    assert flipped.put("k", "w", 1)["SyncCount"] == 2  # a fresh token works


def test_TOK_5_a_token_of_a_write_refused_for_its_shape_stays_usable(flipped: Sync) -> None:
    token = flipped.token()
    assert error_of(lambda: flipped.write([replace("é" * 65, "v", 0)], token=token))[:2] == IPE
    assert flipped.write([replace("k", "v", 0)], token=token)["Records"][0]["SyncCount"] == 1


def test_TOK_5_the_reference_keeps_a_token_usable_after_a_conflict(sync: Sync) -> None:
    sync.put("k", "v", 0)
    token = sync.token()
    assert error_of(lambda: sync.write([replace("k", "w", 0)], token=token))[:2] == CONFLICT
    assert sync.write([replace("k", "w", 1)], token=token)["Records"][0]["SyncCount"] == 2


# -- DS-3 -----------------------------------------------------------------------------------
def test_DS_3_a_recreated_dataset_counts_from_0_again(flipped: Sync) -> None:
    for count in range(3):
        flipped.put("k", f"v{count}", count)
    flipped.client.delete_dataset(**flipped.scope())
    assert flipped.put("fresh", "x", 0)["SyncCount"] == 1
    assert flipped.listing()["DatasetSyncCount"] == 1
    # DS-4: a client holding a count from before the delete learns of it and gets
    # every current record, though its count is above the new one.
    page = flipped.listing(LastSyncCount=3)
    assert page["DatasetDeletedAfterRequestedSyncCount"] is True
    assert [r["Key"] for r in page["Records"]] == ["fresh"]
    assert error_of(lambda: flipped.listing(LastSyncCount=4))[:2] == IPE  # LIST-3: never was


def test_DS_3_the_reference_continues_the_count(sync: Sync) -> None:
    for count in range(3):
        sync.put("k", f"v{count}", count)
    sync.client.delete_dataset(**sync.scope())
    assert sync.put("fresh", "x", 0)["SyncCount"] == 4


# -- LIST-7 ---------------------------------------------------------------------------------
def test_LIST_7_pages_default_to_and_stop_at_100(flipped: Sync) -> None:
    keys = [f"k{i:03d}" for i in range(150)]
    flipped.write([replace(k, "v", 0) for k in keys])
    for params in ({}, {"MaxResults": 1024}, {"MaxResults": 0}, {"MaxResults": -5}):
        page = flipped.listing(**params)
        assert len(page["Records"]) == 100 and page["Count"] == 150 and page["NextToken"], params
    assert len(flipped.listing(MaxResults=7)["Records"]) == 7
    assert sorted(flipped.records()) == keys
    datasets = flipped.client.list_datasets(IdentityPoolId=POOL, IdentityId=flipped.identity,
                                            MaxResults=0)
    assert [d["DatasetName"] for d in datasets["Datasets"]] == ["ds"]


def test_LIST_7_the_reference_pages_at_1024_and_refuses_0(sync: Sync) -> None:
    sync.write([replace(f"k{i:03d}", "v", 0) for i in range(150)])
    assert len(sync.listing()["Records"]) == 150
    assert error_of(lambda: sync.listing(MaxResults=0))[:2] == IPE


def test_every_reference_test_runs_on_the_default_choices(sync: Sync, flipped: Sync) -> None:
    """The ``sync`` fixture (all the other emulator tests) is the reference: ``Choices()``."""
    assert sync.backend.choices == Choices() == CognitoSyncBackend().choices
    assert flipped.backend.choices == FLIPPED != Choices()
