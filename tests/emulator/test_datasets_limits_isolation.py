"""DS-*, LIM-*, ISO-1: datasets, service limits and isolation, through real boto3."""

from __future__ import annotations

import time

from .conftest import POOL, Sync, error_of


def _replace(key: str, value: str, count: int) -> dict[str, object]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count}


def test_DS_1_a_write_creates_the_dataset_with_its_metadata(sync: Sync) -> None:
    started = time.time()
    sync.write([_replace("k", "v", 0)], DeviceId="tablet")
    dataset = sync.client.describe_dataset(**sync.scope())["Dataset"]
    assert (dataset["IdentityId"], dataset["DatasetName"]) == (sync.identity, "ds")
    assert (dataset["NumRecords"], dataset["DataStorage"], dataset["LastModifiedBy"]) == (
        1, 2, "tablet")
    assert started - 0.001 <= dataset["CreationDate"].timestamp() <= time.time() + 0.001
    assert dataset["LastModifiedDate"] >= dataset["CreationDate"]
    listed = sync.client.list_datasets(IdentityPoolId=POOL, IdentityId=sync.identity)
    assert listed["Count"] == 1
    assert listed["Datasets"] == [dataset]


def test_DS_2_describe_and_delete_of_a_missing_dataset_are_404(sync: Sync) -> None:
    for call in (sync.client.describe_dataset, sync.client.delete_dataset):
        assert error_of(lambda call=call: call(**sync.scope("absent")))[:2] == (
            "ResourceNotFoundException", 404)
    sync.put("k", "v", 0)
    sync.client.delete_dataset(**sync.scope())
    assert error_of(lambda: sync.client.describe_dataset(**sync.scope()))[1] == 404
    assert error_of(lambda: sync.client.delete_dataset(**sync.scope()))[1] == 404


def test_DS_3_a_deleted_dataset_is_gone_and_can_be_recreated(sync: Sync) -> None:
    sync.write([_replace("a", "1", 0), _replace("b", "1", 0)])
    sync.put("a", "2", 1)
    deleted = sync.client.delete_dataset(**sync.scope())["Dataset"]
    assert deleted["NumRecords"] == 2
    listing = sync.listing()
    assert (listing["DatasetExists"], listing["Records"]) == (False, [])
    recreated = sync.put("a", "new", 0)
    # Our choice at the MAY point: the count carries on from where it was (2 -> 3).
    assert recreated["SyncCount"] == 3
    assert set(sync.records()) == {"a"}
    assert sync.client.describe_dataset(**sync.scope())["Dataset"]["NumRecords"] == 1


def test_DS_4_a_count_from_before_the_delete_is_flagged_and_gets_the_new_records(
    sync: Sync,
) -> None:
    sync.put("old", "1", 0)
    sync.put("old", "2", 1)
    held = sync.listing()["DatasetSyncCount"]  # a device remembers 2
    sync.client.delete_dataset(**sync.scope())
    while_deleted = sync.listing(LastSyncCount=held)
    assert while_deleted["DatasetDeletedAfterRequestedSyncCount"] is True
    sync.write([_replace("new", "a", 0), _replace("newer", "b", 0)])
    listing = sync.listing(LastSyncCount=held)
    assert listing["DatasetDeletedAfterRequestedSyncCount"] is True
    assert {r["Key"] for r in listing["Records"]} == {"new", "newer"}
    fresh = sync.listing(LastSyncCount=listing["DatasetSyncCount"])
    assert fresh["DatasetDeletedAfterRequestedSyncCount"] is False


def test_DS_5_data_storage_and_num_records_follow_every_write(sync: Sync) -> None:
    def numbers() -> tuple[int, int]:
        dataset = sync.client.describe_dataset(**sync.scope())["Dataset"]
        return dataset["NumRecords"], dataset["DataStorage"]

    sync.put("\u043a\u043b\u044e\u0447", "\U0001f600", 0)  # 8 + 4 UTF-8 bytes
    assert numbers() == (1, 12)
    sync.put("a", "bc", 0)
    assert numbers() == (2, 15)
    sync.put("a", "\u00e9", 2)  # 1 + 2
    assert numbers() == (2, 15)
    sync.write([{"Op": "remove", "Key": "a", "SyncCount": 3}])
    assert numbers() == (1, 12)


def test_LIM_1_an_identity_cannot_pass_20_datasets(sync: Sync) -> None:
    for index in range(20):
        sync.put("k", "v", 0, dataset=f"set-{index:02d}")
    before = sync.state("set-20")
    kind, status, _ = error_of(lambda: sync.put("k", "v", 0, dataset="set-20"))
    assert (kind, status) == ("LimitExceededException", 400)
    assert sync.state("set-20") == before
    listed = sync.client.list_datasets(IdentityPoolId=POOL, IdentityId=sync.identity)
    assert listed["Count"] == 20
    sync.put("k", "v2", 1, dataset="set-00")  # writing an existing one is fine
    sync.client.delete_dataset(**sync.scope("set-00"))
    assert sync.put("k", "v", 0, dataset="set-20")["SyncCount"] == 1


def test_LIM_1_list_datasets_pages_through_them_all(sync: Sync) -> None:
    for index in range(5):
        sync.put("k", "v", 0, dataset=f"p{index}")
    names: list[str] = []
    token = None
    while True:
        extra = {"NextToken": token} if token else {}
        page = sync.client.list_datasets(IdentityPoolId=POOL, IdentityId=sync.identity,
                                         MaxResults=2, **extra)
        assert len(page["Datasets"]) <= 2 and page["Count"] == len(page["Datasets"])
        names += [d["DatasetName"] for d in page["Datasets"]]
        token = page.get("NextToken")
        if not token:
            break
    assert names == [f"p{i}" for i in range(5)]


def test_LIM_2_a_dataset_cannot_pass_1024_live_records(sync: Sync) -> None:
    sync.write([_replace(f"k{i:04d}", "v", 0) for i in range(1024)])
    before = sync.state()
    kind, status, _ = error_of(lambda: sync.put("one-more", "v", 0))
    assert (kind, status) == ("LimitExceededException", 400)
    assert sync.state() == before
    sync.put("k0000", "replaced", 1)  # replacing a live record is not growth
    sync.write([{"Op": "remove", "Key": "k0001", "SyncCount": 1}, _replace("swap", "v", 0)])


def test_LIM_3_a_dataset_cannot_pass_1_mb(sync: Sync) -> None:
    sync.put("a", "x" * 1_048_575, 0)  # 1 + 1,048,575 bytes: exactly the limit
    before = sync.state()
    kind, status, _ = error_of(lambda: sync.put("b", "y", 0))
    assert (kind, status) == ("LimitExceededException", 400)
    assert sync.state() == before
    bytes_over = "\u00e9" * 524_288  # 1,048,576 UTF-8 bytes in half as many characters
    assert error_of(lambda: sync.put("a", bytes_over, 1))[0] == "LimitExceededException"


def test_LIM_4_tombstones_count_against_no_limit(sync: Sync) -> None:
    sync.write([_replace(f"k{i:04d}", "v", 0) for i in range(1024)])
    sync.write([{"Op": "remove", "Key": f"k{i:04d}", "SyncCount": 1} for i in range(4)])
    sync.write([_replace(f"n{i}", "v", 0) for i in range(4)])  # back at 1024 live
    assert sync.client.describe_dataset(**sync.scope())["Dataset"]["NumRecords"] == 1024


def test_ISO_1_identities_and_pools_never_share_data(sync: Sync) -> None:
    other = sync.other_identity()
    sync.put("k", "mine", 0)
    sync.put("k", "mine2", 1)
    assert other.listing()["DatasetExists"] is False
    other.put("k", "theirs", 0)
    assert other.listing()["DatasetSyncCount"] == 1
    assert sync.records()["k"]["Value"] == "mine2"
    assert other.records()["k"]["Value"] == "theirs"
    other_pool = Sync(sync.client, sync.backend, sync.transport, identity=sync.identity,
                      pool="eu-west-1:0123")
    assert other_pool.listing()["DatasetExists"] is False
    assert other_pool.client.list_datasets(IdentityPoolId="eu-west-1:0123",
                                           IdentityId=sync.identity)["Count"] == 0
    other.client.delete_dataset(**other.scope())
    assert sync.listing()["DatasetSyncCount"] == 2
