"""Mutants of dataset metadata and lifecycle (DS-1..5)."""

from __future__ import annotations

import dataclasses
from typing import Any

from cogsync.emulator import inputs
from cogsync.emulator.backend import CognitoSyncBackend, dataset_body
from cogsync.emulator.errors import ResourceNotFoundException
from cogsync.emulator.state import DatasetScope, RecordState
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import ProxyStorage, TransactionProxy, serve
from cogsync.mutants._seams import SeamedBackend


class _ListDatasetsWithoutCounts(CognitoSyncBackend):
    def list_datasets(self, **params: Any) -> dict[str, Any]:
        answer = super().list_datasets(**params)
        for dataset in answer["Datasets"]:
            del dataset["NumRecords"]
        return answer


def list_datasets_omits_num_records() -> CognitoSyncApp:
    return serve(_ListDatasetsWithoutCounts)


class _DescribeAnything(CognitoSyncBackend):
    def describe_dataset(self, **params: Any) -> dict[str, Any]:
        try:
            return super().describe_dataset(**params)
        except ResourceNotFoundException:
            return {"Dataset": {"IdentityId": params["IdentityId"],
                                "DatasetName": params["DatasetName"],
                                "NumRecords": 0, "DataStorage": 0}}


def describe_missing_answers_200() -> CognitoSyncApp:
    return serve(_DescribeAnything)


class _RecordsOutliveDelete(TransactionProxy):
    def drop_records(self, scope: DatasetScope) -> None:
        """Marked the dataset deleted but left its records in place."""


def delete_keeps_records() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_RecordsOutliveDelete))


class _NeverSaysDeleted(CognitoSyncBackend):
    def list_records(self, **params: Any) -> dict[str, Any]:
        answer = super().list_records(**params)
        answer["DatasetDeletedAfterRequestedSyncCount"] = False
        return answer


class _DeleteEmptiesOnly(CognitoSyncBackend):
    """DeleteDataset drops the records and zeroes the counters, but the dataset stays."""

    def delete_dataset(self, **params: Any) -> dict[str, Any]:
        scope = inputs.dataset_input(params)
        with self.storage.write() as tx:
            dataset = tx.dataset(scope)
            if dataset is None or not dataset.exists:
                raise ResourceNotFoundException(f"Dataset not found: {scope.name}")
            tx.drop_records(scope)
            tx.put_dataset(dataclasses.replace(dataset, num_records=0, data_storage=0,
                                               last_modified_date=self.clock()))
        return {"Dataset": dataset_body(dataset)}


def delete_only_empties_dataset() -> CognitoSyncApp:
    return serve(_DeleteEmptiesOnly)


def no_deleted_after_flag() -> CognitoSyncApp:
    return serve(_NeverSaysDeleted)


class _StorageInCharacters(SeamedBackend):
    def stored_size(self, record: RecordState) -> int:
        return 0 if record.value is None else len(record.key) + len(record.value)


def data_storage_counts_characters() -> CognitoSyncApp:
    return serve(_StorageInCharacters)


class _NumRecordsPerPatch(SeamedBackend):
    def records_added(self, record: RecordState, old: RecordState | None) -> int:
        return 1 if record.is_live else -1


def num_records_counts_every_replace() -> CognitoSyncApp:
    return serve(_NumRecordsPerPatch)
