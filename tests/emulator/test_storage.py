"""Storage: one transaction per write (all or nothing), SQLite across restarts, WAL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset
from cogsync.emulator.storage import MemoryStorage, SQLiteStorage, Storage, open_storage
from cogsync.errors import UsageError

SCOPE = {"IdentityPoolId": "us-east-1:01", "IdentityId": "us-east-1:02", "DatasetName": "d"}


@pytest.fixture(params=["memory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_db: Path) -> Storage:
    return MemoryStorage() if request.param == "memory" else SQLiteStorage(tmp_db)


def test_a_write_that_fails_half_way_leaves_nothing(storage: Storage) -> None:
    scope = DatasetScope("p:0", "i:0", "d")
    record = RecordState("k", "v", 1, 1.0, "me")
    with pytest.raises(RuntimeError), storage.write() as tx:
        tx.put_records(scope, [record])
        tx.put_dataset(StoredDataset(scope, 1, True, 1.0, 1.0, "me", 1, 2))
        raise RuntimeError("crash between two statements")
    with storage.read() as tx:
        assert tx.dataset(scope) is None
        assert tx.records(scope, ["k"]) == {}
    storage.close()


def test_the_sqlite_state_survives_a_restart(tmp_db: Path) -> None:
    first = CognitoSyncBackend(SQLiteStorage(tmp_db))
    token = first.list_records(**SCOPE)["SyncSessionToken"]
    first.update_records(**SCOPE, SyncSessionToken=token, DeviceId="dev", RecordPatches=[
        {"Op": "replace", "Key": f"k{i}", "Value": "v\x00\U0001f600", "SyncCount": 0,
         "DeviceLastModifiedDate": 10**30} for i in range(3)])
    spare_token = first.list_records(**SCOPE)["SyncSessionToken"]
    cursor = first.list_records(**SCOPE, MaxResults=1)["NextToken"]
    before = first.list_records(**SCOPE)["Records"]
    first.storage.close()

    second = CognitoSyncBackend(SQLiteStorage(tmp_db))
    assert second.list_records(**SCOPE)["Records"] == before
    assert second.list_records(**SCOPE, MaxResults=1, NextToken=cursor)["Records"][0]["Key"] == "k1"
    answer = second.update_records(**SCOPE, SyncSessionToken=spare_token, RecordPatches=[
        {"Op": "remove", "Key": "k0", "SyncCount": 1}])  # the unspent token still works
    assert answer["Records"][0]["SyncCount"] == 2
    assert second.describe_dataset(**SCOPE)["Dataset"]["NumRecords"] == 2
    second.storage.close()


def test_the_sqlite_file_is_in_wal_mode(tmp_db: Path) -> None:
    SQLiteStorage(tmp_db).close()
    with sqlite3.connect(tmp_db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reset_forgets_data(storage: Storage) -> None:
    backend = CognitoSyncBackend(storage)
    token = backend.list_records(**SCOPE)["SyncSessionToken"]
    backend.update_records(**SCOPE, SyncSessionToken=token, RecordPatches=[
        {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}])
    backend.reset()
    assert backend.list_records(**SCOPE)["DatasetExists"] is False
    storage.close()


def test_old_tokens_are_dropped_past_the_per_dataset_cap(storage: Storage) -> None:
    backend = CognitoSyncBackend(storage, max_tokens_per_dataset=2)
    oldest, middle, newest = (backend.list_records(**SCOPE)["SyncSessionToken"] for _ in range(3))
    patch = [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}]
    with pytest.raises(Exception, match="SyncSessionToken not valid"):
        backend.update_records(**SCOPE, SyncSessionToken=oldest, RecordPatches=patch)
    backend.update_records(**SCOPE, SyncSessionToken=middle, RecordPatches=patch)
    storage.close()


def test_token_ttl_expires_tokens(storage: Storage) -> None:
    now = [1000.0]
    backend = CognitoSyncBackend(storage, clock=lambda: now[0], token_ttl=60)
    token = backend.list_records(**SCOPE)["SyncSessionToken"]
    now[0] += 61
    with pytest.raises(Exception, match="SyncSessionToken not valid"):
        backend.update_records(**SCOPE, SyncSessionToken=token, RecordPatches=[])
    storage.close()


@pytest.mark.parametrize("spec", ["", "memory ", "sqlite:", "postgres://x", "SQLITE:/tmp/x"])
def test_open_storage_names_the_bad_spec(spec: str) -> None:
    with pytest.raises(UsageError, match="storage="):
        open_storage(spec)


def test_open_storage_opens_both_kinds(tmp_db: Path) -> None:
    assert isinstance(open_storage("memory"), MemoryStorage)
    opened = open_storage(f"sqlite:{tmp_db}")
    assert isinstance(opened, SQLiteStorage) and tmp_db.exists()
    opened.close()


@pytest.mark.parametrize(
    ("option", "value"),
    [("limits", 20), ("token_ttl", 0), ("max_tokens_per_dataset", 0)],
)
def test_backend_options_are_checked(option: str, value: object) -> None:
    with pytest.raises(UsageError, match=option):
        CognitoSyncBackend(**{option: value})  # type: ignore[arg-type]


def test_tombstone_totals_are_kept_across_a_restart_for_the_flipped_choices(tmp_db: Path) -> None:
    from cogsync.emulator.choices import FLIPPED

    first = CognitoSyncBackend(SQLiteStorage(tmp_db), choices=FLIPPED)
    token = first.list_records(**SCOPE)["SyncSessionToken"]
    first.update_records(**SCOPE, SyncSessionToken=token, RecordPatches=[
        {"Op": "replace", "Key": "gone", "Value": "v", "SyncCount": 0}])
    token = first.list_records(**SCOPE)["SyncSessionToken"]
    first.update_records(**SCOPE, SyncSessionToken=token, RecordPatches=[
        {"Op": "remove", "Key": "gone", "SyncCount": 1}])
    first.storage.close()
    second = CognitoSyncBackend(SQLiteStorage(tmp_db), choices=FLIPPED)
    dataset = second.describe_dataset(**SCOPE)["Dataset"]
    assert (dataset["NumRecords"], dataset["DataStorage"]) == (1, len("gone"))
    second.storage.close()


def test_a_file_from_before_the_tombstone_columns_is_brought_up_to_date(tmp_db: Path) -> None:
    with sqlite3.connect(tmp_db) as conn:  # the datasets table as the first release wrote it
        conn.execute(
            "CREATE TABLE datasets (pool TEXT NOT NULL, identity TEXT NOT NULL, name TEXT NOT NULL,"
            " sync_count INTEGER NOT NULL, exists_now INTEGER NOT NULL, creation_date REAL NOT NULL,"
            " last_modified_date REAL NOT NULL, last_modified_by TEXT NOT NULL,"
            " num_records INTEGER NOT NULL, data_storage INTEGER NOT NULL, deleted_at_count INTEGER,"
            " PRIMARY KEY (pool, identity, name)) WITHOUT ROWID")
        conn.execute("INSERT INTO datasets VALUES ('us-east-1:01', 'us-east-1:02', 'd', 3, 1, 1.0,"
                     " 2.0, 'dev', 4, 40, NULL)")
    backend = CognitoSyncBackend(SQLiteStorage(tmp_db))
    dataset = backend.describe_dataset(**SCOPE)["Dataset"]
    assert (dataset["NumRecords"], dataset["DataStorage"], dataset["LastModifiedBy"]) == (4, 40, "dev")
    assert backend.list_records(**SCOPE)["DatasetSyncCount"] == 3
    backend.storage.close()
