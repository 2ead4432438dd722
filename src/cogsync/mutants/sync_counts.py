"""Mutants of the sync-count rules (SYNC-1..5, SYNC-7)."""

from __future__ import annotations

import time
from typing import Any

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.inputs import Patch
from cogsync.emulator.state import DatasetState, RecordState
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve
from cogsync.mutants._seams import SeamedBackend


class _CountPerPatch(SeamedBackend):
    def record_counts(self, dataset_count: int, patches: tuple[Patch, ...]) -> list[int]:
        return [dataset_count + 1 + index for index in range(len(patches))]


def count_per_patch() -> CognitoSyncApp:
    return serve(_CountPerPatch)


class _SentCountInResponse(CognitoSyncBackend):
    def update_records(self, **params: Any) -> dict[str, Any]:
        answer = super().update_records(**params)
        sent = {p["Key"]: p["SyncCount"] for p in params.get("RecordPatches") or []}
        for record in answer["Records"]:
            record["SyncCount"] = sent[record["Key"]]
        return answer


def response_carries_sent_count() -> CognitoSyncApp:
    return serve(_SentCountInResponse)


class _ResponseWithoutRemovals(CognitoSyncBackend):
    def update_records(self, **params: Any) -> dict[str, Any]:
        answer = super().update_records(**params)
        answer["Records"] = [r for r in answer["Records"] if "Value" in r]
        return answer


def response_omits_removed_keys() -> CognitoSyncApp:
    return serve(_ResponseWithoutRemovals)


class _NewKeyNeedsDatasetCount(SeamedBackend):
    def held_count(self, held: RecordState | None, dataset: DatasetState | None) -> int:
        if held is not None:
            return held.sync_count
        return dataset.sync_count if dataset is not None else 0


def new_key_needs_dataset_count() -> CognitoSyncApp:
    return serve(_NewKeyNeedsDatasetCount)


class _DatasetCountFromRecords(CognitoSyncBackend):
    def list_records(self, **params: Any) -> dict[str, Any]:
        answer = super().list_records(**params)
        answer["DatasetSyncCount"] = max((r["SyncCount"] for r in answer["Records"]), default=0)
        return answer


def dataset_count_from_records() -> CognitoSyncApp:
    return serve(_DatasetCountFromRecords)


def timestamps_in_milliseconds() -> CognitoSyncApp:
    return serve(clock=lambda: time.time() * 1000)


class _DeviceDateDropped(CognitoSyncBackend):
    def update_records(self, **params: Any) -> dict[str, Any]:
        patches = params.get("RecordPatches")
        if isinstance(patches, list):
            params["RecordPatches"] = [
                {k: v for k, v in p.items() if k != "DeviceLastModifiedDate"}
                if isinstance(p, dict) else p
                for p in patches
            ]
        return super().update_records(**params)


def device_date_dropped() -> CognitoSyncApp:
    return serve(_DeviceDateDropped)
