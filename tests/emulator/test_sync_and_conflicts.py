"""SYNC-*, CONF-*, DEL-*: sync counts, optimistic concurrency and tombstones, through real boto3."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from .conftest import Sync, error_of


def _replace(key: str, value: str, count: int) -> dict[str, object]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count}


def _remove(key: str, count: int) -> dict[str, object]:
    return {"Op": "remove", "Key": key, "SyncCount": count}


def test_SYNC_1_a_write_moves_the_dataset_count_by_exactly_one(sync: Sync) -> None:
    assert sync.listing()["DatasetSyncCount"] == 0
    sync.write([_replace("a", "1", 0), _replace("b", "1", 0), _replace("c", "1", 0)])
    assert sync.listing()["DatasetSyncCount"] == 1
    sync.write([_replace("a", "2", 1)])
    assert sync.listing()["DatasetSyncCount"] == 2
    sync.write([_remove("b", 1), _replace("d", "1", 0)])
    assert sync.listing()["DatasetSyncCount"] == 3


def test_SYNC_2_written_records_carry_the_new_count_and_the_listing_agrees(sync: Sync) -> None:
    sync.put("a", "1", 0)
    answer = sync.write([_replace("a", "2", 1), _replace("b", "1", 0), _remove("c", 0)])
    assert [r["SyncCount"] for r in answer["Records"]] == [2, 2, 2]
    listing = sync.listing()
    assert listing["DatasetSyncCount"] == 2
    assert {r["Key"]: r["SyncCount"] for r in listing["Records"]} == {"a": 2, "b": 2, "c": 2}


def test_SYNC_3_counts_never_go_down(sync: Sync) -> None:
    seen_dataset: list[int] = []
    seen_record: dict[str, list[int]] = {}

    def observe() -> None:
        listing = sync.listing()
        seen_dataset.append(listing["DatasetSyncCount"])
        for record in listing["Records"]:
            seen_record.setdefault(record["Key"], []).append(record["SyncCount"])

    observe()
    sync.put("a", "1", 0)
    observe()
    error_of(lambda: sync.put("a", "stale", 0))  # refused: nothing moves back
    observe()
    sync.write([_remove("a", 1), _replace("b", "1", 0)])
    observe()
    sync.write([_replace("a", "back", 2)])
    observe()
    error_of(lambda: sync.write([], token="made-up"))
    observe()
    assert seen_dataset == sorted(seen_dataset) and seen_dataset[-1] == 3
    for key, counts in seen_record.items():
        assert counts == sorted(counts), key


def test_SYNC_4_the_answer_lists_exactly_the_patched_keys(sync: Sync) -> None:
    sync.write([_replace("keep", "k", 0), _replace("gone", "g", 0)])
    answer = sync.write([_replace("new", "n", 0), _replace("keep", "k2", 1), _remove("gone", 1)])
    by_key = {r["Key"]: r for r in answer["Records"]}
    assert len(answer["Records"]) == 3 and set(by_key) == {"new", "keep", "gone"}
    assert by_key["new"]["Value"] == "n" and by_key["keep"]["Value"] == "k2"
    assert "Value" not in by_key["gone"]
    assert {r["SyncCount"] for r in answer["Records"]} == {2}


def test_SYNC_5_replace_of_a_new_key_with_count_zero_creates_it(sync: Sync) -> None:
    written = sync.put("fresh", "value", 0)
    assert (written["Key"], written["Value"], written["SyncCount"]) == ("fresh", "value", 1)
    assert sync.records()["fresh"]["Value"] == "value"


def test_SYNC_6_a_write_with_no_patches_changes_nothing(sync: Sync) -> None:
    assert sync.write([])["Records"] == []
    assert sync.state() == (False, 0, ())  # no dataset created
    sync.put("k", "v", 0)
    before = sync.state()
    answer = sync.client.update_records(**sync.scope(), SyncSessionToken=sync.token())
    assert answer.get("Records", []) == []
    assert sync.state() == before  # no count bump either


def test_SYNC_7_device_date_is_echoed_and_server_date_is_inside_the_call(sync: Sync) -> None:
    device_date = datetime(2024, 2, 29, 12, 30, 15, tzinfo=UTC)
    token = sync.token()
    started = time.time()
    answer = sync.write(
        [{**_replace("k", "v", 0), "DeviceLastModifiedDate": device_date}], token=token,
        DeviceId="phone-7",
    )
    ended = time.time()
    record = answer["Records"][0]
    assert record["DeviceLastModifiedDate"] == device_date
    assert started - 0.001 <= record["LastModifiedDate"].timestamp() <= ended + 0.001
    assert record["LastModifiedBy"] == "phone-7"  # our choice: the DeviceId, when sent
    without_device = sync.put("j", "v", 0)
    assert without_device["LastModifiedBy"] == sync.identity  # else the identity
    assert "DeviceLastModifiedDate" not in without_device


def test_CONF_1_a_stale_replace_conflicts(sync: Sync) -> None:
    sync.put("k", "1", 0)
    sync.put("k", "2", 1)
    sync.put("k", "3", 2)
    before = sync.state()
    kind, status, message = error_of(lambda: sync.put("k", "stale", 2))
    assert (kind, status) == ("ResourceConflictException", 409)
    assert message == "Current SyncCount for: k is: 3 not: 2"
    assert sync.state() == before


def test_CONF_2_count_zero_on_an_existing_key_conflicts(sync: Sync) -> None:
    sync.put("k", "1", 0)
    kind, status, message = error_of(lambda: sync.put("k", "again", 0))
    assert (kind, status) == ("ResourceConflictException", 409)
    assert message == "Current SyncCount for: k is: 1 not: 0"


def test_CONF_3_a_stale_remove_conflicts(sync: Sync) -> None:
    sync.put("k", "1", 0)
    sync.put("k", "2", 1)
    before = sync.state()
    kind, status, message = error_of(lambda: sync.write([_remove("k", 1)]))
    assert (kind, status) == ("ResourceConflictException", 409)
    assert message == "Current SyncCount for: k is: 2 not: 1"
    assert sync.state() == before


def test_CONF_4_a_refused_batch_applies_none_of_its_patches(sync: Sync) -> None:
    sync.write([_replace("a", "1", 0), _replace("b", "1", 0)])
    before = sync.state()
    batch = [_replace("a", "2", 1), _replace("new", "x", 0), _replace("b", "2", 0)]  # b stale
    assert error_of(lambda: sync.write(batch))[1] == 409
    assert sync.state() == before
    too_big = [_replace("a", "2", 1), _replace("huge", "x" * 1_048_570, 0)]
    assert error_of(lambda: sync.write(too_big))[:2] == ("LimitExceededException", 400)
    assert sync.state() == before
    assert error_of(lambda: sync.write([_replace("a", "2", 1)], token="nope"))[1] == 400
    assert sync.state() == before


def test_CONF_5_the_conflict_message_names_the_key_and_both_counts(sync: Sync) -> None:
    key = "caf\u00e9 \U0001f600"
    sync.put(key, "1", 0)
    message = error_of(lambda: sync.put(key, "2", 7))[2]
    assert message == f"Current SyncCount for: {key} is: 1 not: 7"


def test_CONF_7_counts_above_the_servers_conflict(sync: Sync) -> None:
    assert error_of(lambda: sync.put("never", "v", 3))[2] == (
        "Current SyncCount for: never is: 0 not: 3")
    sync.put("k", "1", 0)
    assert error_of(lambda: sync.put("k", "v", 2))[1] == 409


def test_DEL_1_remove_leaves_a_tombstone_that_listings_show(sync: Sync) -> None:
    sync.write([_replace("k", "v", 0), _replace("other", "o", 0)])
    sync.write([_remove("k", 1)])
    tombstone = sync.records()["k"]
    assert "Value" not in tombstone and tombstone["SyncCount"] == 2
    delta = sync.listing(LastSyncCount=1)["Records"]
    assert [(r["Key"], r.get("Value")) for r in delta] == [("k", None)]


def test_DEL_2_replace_at_the_tombstone_count_revives_the_key(sync: Sync) -> None:
    sync.put("k", "v", 0)
    sync.write([_remove("k", 1)])
    revived = sync.put("k", "back", 2)
    assert (revived["Value"], revived["SyncCount"]) == ("back", 3)
    assert sync.records()["k"]["Value"] == "back"
    assert error_of(lambda: sync.put("k", "again", 0))[1] == 409  # a tombstone is not "new"


def test_DEL_3_removing_a_never_existing_key_leaves_an_uncounted_tombstone(sync: Sync) -> None:
    answer = sync.write([_remove("ghost", 0)])
    assert answer["Records"][0]["Key"] == "ghost"
    assert "Value" not in sync.records()["ghost"]
    dataset = sync.client.describe_dataset(**sync.scope())["Dataset"]
    assert (dataset["NumRecords"], dataset["DataStorage"]) == (0, 0)
