"""LIST-* and TOK-*: delta listings, pagination and SyncSessionTokens, through real boto3."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from .conftest import Sync, error_of


def _replace(key: str, value: str, count: int) -> dict[str, object]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count}


def _pages(sync: Sync, **params: Any) -> list[dict[str, Any]]:
    pages = [sync.listing(**params)]
    while pages[-1].get("NextToken"):
        pages.append(sync.listing(**params, NextToken=pages[-1]["NextToken"]))
    return pages


def test_LIST_1_last_sync_count_returns_exactly_the_newer_records(sync: Sync) -> None:
    sync.put("k1", "a", 0)  # 1
    sync.put("k2", "a", 0)  # 2
    sync.put("k3", "a", 0)  # 3
    sync.write([_replace("k1", "b", 1), {"Op": "remove", "Key": "k2", "SyncCount": 2}])  # 4

    def keys(**params: Any) -> set[str]:
        return {r["Key"] for r in sync.listing(**params)["Records"]}

    assert keys() == keys(LastSyncCount=0) == {"k1", "k2", "k3"}
    assert keys(LastSyncCount=2) == {"k1", "k2", "k3"}
    assert keys(LastSyncCount=3) == {"k1", "k2"}  # the tombstone too
    assert keys(LastSyncCount=4) == set()


def test_LIST_2_a_missing_dataset_lists_as_not_existing(sync: Sync) -> None:
    for params in ({}, {"LastSyncCount": 5}):
        listing = sync.listing("nothing-here", **params)
        assert listing["DatasetExists"] is False
        assert listing["DatasetSyncCount"] == 0
        assert listing["Records"] == []
        assert listing["SyncSessionToken"]
    sync.put("k", "v", 0)
    assert sync.listing()["DatasetExists"] is True


def test_LIST_3_last_sync_count_above_the_dataset_count_is_400(sync: Sync) -> None:
    sync.put("k", "v", 0)
    kind, status, message = error_of(lambda: sync.listing(LastSyncCount=37))
    assert (kind, status) == ("InvalidParameterException", 400)
    assert message == "No such SyncCount: 37 exists for this Dataset"


def test_LIST_4_pages_are_bounded_complete_and_agree_on_the_count(sync: Sync) -> None:
    sync.write([_replace(f"key-{i:02d}", str(i), 0) for i in range(23)])
    sync.write([_replace(f"key-{i:02d}", "again", 1) for i in range(0, 23, 3)])
    for params in ({"MaxResults": 4}, {"MaxResults": 4, "LastSyncCount": 1}, {"MaxResults": 1}):
        pages = _pages(sync, **params)
        listed = [r["Key"] for page in pages for r in page["Records"]]
        assert all(len(page["Records"]) <= params["MaxResults"] for page in pages)
        assert len(listed) == len(set(listed))
        expected = 23 if params.get("LastSyncCount", 0) == 0 else 8
        assert len(listed) == expected
        assert {page["DatasetSyncCount"] for page in pages} == {2}


def test_LIST_4_an_invalid_next_token_is_400(sync: Sync) -> None:
    sync.write([_replace(f"k{i}", "v", 0) for i in range(3)])
    token = sync.listing(MaxResults=1)["NextToken"]
    for bad in ("made-up", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), token + "x"):
        assert error_of(lambda bad=bad: sync.listing(MaxResults=1, NextToken=bad))[:2] == (
            "InvalidParameterException", 400)
    # a real cursor, for another dataset or another lastSyncCount, is not valid either
    assert error_of(lambda: sync.listing("other", NextToken=token))[1] == 400
    assert error_of(lambda: sync.listing(LastSyncCount=1, NextToken=token))[1] == 400


def test_LIST_4_a_listing_is_a_snapshot_even_when_writes_land_between_pages(sync: Sync) -> None:
    sync.write([_replace(f"k{i}", "v", 0) for i in range(4)])
    first = sync.listing(MaxResults=2)
    sync.write([_replace("k0", "changed", 1), _replace("late", "v", 0)])
    rest = _pages(sync, MaxResults=2, NextToken=first["NextToken"])
    assert {page["DatasetSyncCount"] for page in [first, *rest]} == {1}
    listed = [r["Key"] for page in [first, *rest] for r in page["Records"]]
    assert len(listed) == len(set(listed)) and "late" not in listed


def test_LIST_5_count_is_the_whole_listings_total(sync: Sync) -> None:
    sync.write([_replace(f"k{i}", "v", 0) for i in range(7)])
    pages = _pages(sync, MaxResults=3)
    assert len(pages) == 3
    assert {page["Count"] for page in pages} == {7}
    assert sync.listing(LastSyncCount=1)["Count"] == 0


def test_LIST_6_listed_records_are_what_the_write_returned(sync: Sync) -> None:
    from datetime import datetime

    device_date = datetime(2023, 5, 1, 8, 0, 0, tzinfo=UTC)
    written = sync.write(
        [{**_replace("k", "\U0001f600 v", 0), "DeviceLastModifiedDate": device_date}],
        DeviceId="dev",
    )["Records"][0]
    listed = sync.records()["k"]
    for field in ("Key", "Value", "SyncCount", "LastModifiedDate", "LastModifiedBy",
                  "DeviceLastModifiedDate"):
        assert listed[field] == written[field], field


def test_LIST_7_the_default_and_largest_page_is_1024(sync: Sync) -> None:
    sync.write([_replace(f"k{i:04d}", "v", 0) for i in range(1024)])
    sync.write([{"Op": "remove", "Key": f"t{i}", "SyncCount": 0} for i in range(6)])
    default = sync.listing()
    assert len(default["Records"]) == 1024 and default["NextToken"]
    assert default["Count"] == 1030
    assert len(sync.listing(MaxResults=5000)["Records"]) == 1024


def test_TOK_1_every_listing_returns_a_token(sync: Sync) -> None:
    assert sync.listing("absent")["SyncSessionToken"]
    sync.write([_replace(f"k{i}", "v", 0) for i in range(3)])
    pages = _pages(sync, MaxResults=1)
    assert len(pages) == 3 and all(page["SyncSessionToken"] for page in pages)
    tokens = {sync.listing()["SyncSessionToken"] for _ in range(3)}
    assert len(tokens) == 3  # each new listing session gets its own token


def test_TOK_2_a_missing_or_made_up_token_is_400_and_changes_nothing(
    sync: Sync, unvalidated: Any
) -> None:
    sync.put("k", "v", 0)
    before = sync.state()
    patch = [_replace("k", "new", 1)]
    for token in ("made-up", "", "x" * 500, sync.token()[:-1]):
        kind, status, message = error_of(lambda token=token: sync.write(patch, token=token))
        assert (kind, status) == ("InvalidParameterException", 400)
        assert message == "SyncSessionToken not valid for these inputs"
    missing = error_of(lambda: unvalidated.update_records(**sync.scope(), RecordPatches=patch))
    assert missing[:2] == ("InvalidParameterException", 400)
    assert sync.state() == before


def test_TOK_3_a_token_works_only_for_its_pool_identity_and_dataset(sync: Sync) -> None:
    stranger = sync.other_identity()
    token = sync.token("mine")
    patch = [_replace("k", "v", 0)]
    assert error_of(lambda: sync.write(patch, dataset="yours", token=token))[1] == 400
    assert error_of(lambda: stranger.write(patch, dataset="mine", token=token))[1] == 400
    other_pool = Sync(sync.client, sync.backend, sync.transport, identity=sync.identity,
                      pool="eu-west-1:0123")
    assert error_of(lambda: other_pool.write(patch, dataset="mine", token=token))[1] == 400
    assert sync.write(patch, dataset="mine", token=token)["Records"][0]["SyncCount"] == 1


def test_TOK_4_a_token_that_carried_a_write_is_spent(sync: Sync) -> None:
    token = sync.token()
    sync.write([_replace("k", "v", 0)], token=token)
    kind, status, _ = error_of(lambda: sync.write([_replace("k", "w", 1)], token=token))
    assert (kind, status) == ("InvalidParameterException", 400)
    assert sync.write([_replace("k", "w", 1)])["Records"][0]["SyncCount"] == 2


def test_TOK_5_a_refused_write_leaves_its_token_usable(sync: Sync) -> None:
    sync.put("k", "v", 0)
    token = sync.token()
    assert error_of(lambda: sync.write([_replace("k", "stale", 0)], token=token))[1] == 409
    assert sync.write([_replace("k", "fresh", 1)], token=token)["Records"][0]["SyncCount"] == 2


def test_TOK_1_tokens_are_opaque_base64_and_never_start_with_a_dash(sync: Sync) -> None:
    """A token starting with '-' reads as an option on a command line (the AWS CLI)."""
    import re

    sync.write([_replace(f"key-{i}", "v", 0) for i in range(3)])
    session_tokens = {sync.listing(f"tokens-{n}")["SyncSessionToken"] for n in range(200)}
    cursors = {sync.listing(MaxResults=1)["NextToken"] for _ in range(3)}
    base64_text = re.compile(r"[A-Za-z0-9+/]+={0,2}")
    for token in session_tokens | cursors:
        assert not token.startswith("-"), token
        assert base64_text.fullmatch(token), token
    # Like AWS's: the alphabet that needs percent-encoding in a query string is in use.
    assert any(set(token) & set("+/=") for token in session_tokens)
    page = sync.listing(MaxResults=1)
    assert sync.listing(MaxResults=1, NextToken=page["NextToken"])["Records"]  # '+' and '/' survive the query
