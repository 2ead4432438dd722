"""Mutants of dataset metadata and lifecycle (DS-1..5)."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import ProxyStorage, TransactionProxy, serve
from cogsync.mutants.conflicts import RACE_PAUSE_SECONDS


class _ListDatasetsWithoutCounts(CognitoSyncBackend):
    def datasets_body(
        self, page: list[StoredDataset], identity: str, next_token: str | None
    ) -> dict[str, Any]:
        answer = super().datasets_body(page, identity, next_token)
        for dataset in answer["Datasets"]:
            del dataset["NumRecords"]
        return answer


def list_datasets_omits_num_records() -> CognitoSyncApp:
    return serve(_ListDatasetsWithoutCounts)


class _LookupDefaultsToEmpty(CognitoSyncBackend):
    def existing_dataset(self, dataset: StoredDataset | None, key: DatasetScope) -> StoredDataset:
        """A missing dataset is looked up as an empty one."""
        if dataset is not None and dataset.exists:
            return dataset
        now = self.clock()
        return StoredDataset(scope=key, sync_count=0, exists=True, creation_date=now,
                            last_modified_date=now, last_modified_by=key.identity)


def describe_missing_answers_200() -> CognitoSyncApp:
    return serve(_LookupDefaultsToEmpty)


class _RecordsOutliveDelete(TransactionProxy):
    def drop_records(self, scope: DatasetScope) -> None:
        """Marked the dataset deleted but left its records in place."""


def delete_keeps_records() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_RecordsOutliveDelete))


class _DeleteEmptiesOnly(CognitoSyncBackend):
    def deleted_row(self, dataset: StoredDataset) -> StoredDataset:
        """DeleteDataset zeroes the counters, but the dataset stays."""
        return dataclasses.replace(dataset, num_records=0, data_storage=0, tombstones=0,
                                   tombstone_bytes=0, last_modified_date=self.clock())


def delete_only_empties_dataset() -> CognitoSyncApp:
    return serve(_DeleteEmptiesOnly)


class _NeverSaysDeleted(CognitoSyncBackend):
    def deleted_after(self, dataset: StoredDataset | None, since: int) -> bool:
        return False


def no_deleted_after_flag() -> CognitoSyncApp:
    return serve(_NeverSaysDeleted)


class _StorageInCharacters(CognitoSyncBackend):
    def stored_size(self, record: RecordState) -> int:
        return 0 if record.value is None else len(record.key) + len(record.value)


def data_storage_counts_characters() -> CognitoSyncApp:
    return serve(_StorageInCharacters)


class _NumRecordsPerPatch(CognitoSyncBackend):
    def records_added(self, record: RecordState, old: RecordState | None) -> int:
        return 1 if record.is_live else -1


def num_records_counts_every_replace() -> CognitoSyncApp:
    return serve(_NumRecordsPerPatch)


class _DeleteInTwoStatements(CognitoSyncBackend):
    def delete_and_commit(self, key: DatasetScope) -> StoredDataset:
        """Marks the dataset deleted in one statement and drops its records in a second one,
        so a write acknowledged in between re-creates the dataset and then loses its records."""
        with self.storage.write() as tx:
            dataset = self.existing_dataset(tx.dataset(key), key)
            tx.put_dataset(self.deleted_row(dataset))
        time.sleep(RACE_PAUSE_SECONDS)
        with self.storage.write() as tx:
            tx.drop_records(key)
        return dataset


def delete_not_atomic() -> CognitoSyncApp:
    return serve(_DeleteInTwoStatements)
