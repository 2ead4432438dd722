"""Mutants of the sync-count rules (SYNC-1..5, SYNC-7)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.plans import Listing, WritePlan
from cogsync.emulator.state import RecordState, StoredDataset
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve, with_patches


class _CountPerPatch(CognitoSyncBackend):
    def record_counts(self, before: int, records: int) -> list[int]:
        return [before + 1 + index for index in range(records)]


def count_per_patch() -> CognitoSyncApp:
    return serve(_CountPerPatch)


class _SentCountInResponse(CognitoSyncBackend):
    def write_body(self, plan: WritePlan) -> dict[str, Any]:
        answer = super().write_body(plan)
        sent = {p.key: p.sync_count for p in plan.request.patches}
        for record in answer["Records"]:
            record["SyncCount"] = sent[record["Key"]]
        return answer


def response_carries_sent_count() -> CognitoSyncApp:
    return serve(_SentCountInResponse)


class _ResponseWithoutRemovals(CognitoSyncBackend):
    def write_body(self, plan: WritePlan) -> dict[str, Any]:
        answer = super().write_body(plan)
        answer["Records"] = [r for r in answer["Records"] if "Value" in r]
        return answer


def response_omits_removed_keys() -> CognitoSyncApp:
    return serve(_ResponseWithoutRemovals)


class _NewKeyNeedsDatasetCount(CognitoSyncBackend):
    def held_count(self, held: RecordState | None, dataset: StoredDataset | None) -> int:
        if held is None and dataset is not None:
            return dataset.sync_count
        return super().held_count(held, dataset)


def new_key_needs_dataset_count() -> CognitoSyncApp:
    return serve(_NewKeyNeedsDatasetCount)


class _DatasetCountFromRecords(CognitoSyncBackend):
    def listing_body(self, listing: Listing) -> dict[str, Any]:
        answer = super().listing_body(listing)
        answer["DatasetSyncCount"] = max((r.sync_count for r in listing.records), default=0)
        return answer


def dataset_count_from_records() -> CognitoSyncApp:
    return serve(_DatasetCountFromRecords)


def timestamps_in_milliseconds() -> CognitoSyncApp:
    return serve(clock=lambda: time.time() * 1000)


class _DeviceDateDropped(CognitoSyncBackend):
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        """The patch parser never reads DeviceLastModifiedDate."""
        return super().read(operation, with_patches(params, _without_device_date))


def _without_device_date(patch: dict[str, Any]) -> dict[str, Any]:
    patch.pop("DeviceLastModifiedDate", None)
    return patch


def device_date_dropped() -> CognitoSyncApp:
    return serve(_DeviceDateDropped)
