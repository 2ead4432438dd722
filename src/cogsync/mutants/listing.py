"""Mutants of ListRecords (LIST-1..6)."""

from __future__ import annotations

import threading
from typing import Any

from cogsync.emulator import inputs
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.errors import ResourceNotFoundException
from cogsync.emulator.state import DatasetScope, DatasetState, RecordState
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import ProxyStorage, TransactionProxy, serve


class _InclusiveDelta(TransactionProxy):
    def changed_records(self, scope: DatasetScope, *, above: int,
                        **options: Any) -> list[RecordState]:
        return self.inner.changed_records(scope, above=above - 1, **options)

    def count_changed_records(self, scope: DatasetScope, *, above: int, up_to: int) -> int:
        return self.inner.count_changed_records(scope, above=above - 1, up_to=up_to)


def delta_listing_inclusive() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_InclusiveDelta))


class _MissingIs404(CognitoSyncBackend):
    def list_records(self, **params: Any) -> dict[str, Any]:
        dataset = _dataset_row(self, params)
        if dataset is None or not dataset.exists:
            raise ResourceNotFoundException(f"Dataset not found: {params.get('DatasetName')}")
        return super().list_records(**params)


def missing_dataset_listed_as_404() -> CognitoSyncApp:
    return serve(_MissingIs404)


class _ClampedLastSyncCount(CognitoSyncBackend):
    def list_records(self, **params: Any) -> dict[str, Any]:
        since = params.get("LastSyncCount")
        if isinstance(since, int) and not params.get("NextToken"):
            dataset = _dataset_row(self, params)
            if dataset is not None and dataset.exists:
                params["LastSyncCount"] = min(since, dataset.sync_count)
        return super().list_records(**params)


def list_past_count_clamped() -> CognitoSyncApp:
    return serve(_ClampedLastSyncCount)


class _CursorOneLate(TransactionProxy):
    """A next page resumes one record late: the first record after the cursor is lost."""

    def changed_records(self, scope: DatasetScope, *, after_key: str | None = None,
                        limit: int | None = None, **options: Any) -> list[RecordState]:
        if after_key is None:
            return self.inner.changed_records(scope, limit=limit, **options)
        found = self.inner.changed_records(scope, after_key=after_key,
                                           limit=None if limit is None else limit + 1, **options)
        return found[1:]


def pagination_skips_record() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_CursorOneLate))


class _CountOfPage(CognitoSyncBackend):
    def list_records(self, **params: Any) -> dict[str, Any]:
        answer = super().list_records(**params)
        answer["Count"] = len(answer["Records"])
        return answer


def count_is_page_size() -> CognitoSyncApp:
    return serve(_CountOfPage)


class _DatesFromDatasetRow(CognitoSyncBackend):
    """Serializes each listed record's LastModifiedDate from the dataset row."""

    def list_records(self, **params: Any) -> dict[str, Any]:
        answer = super().list_records(**params)
        dataset = _dataset_row(self, params)
        if dataset is not None:
            for record in answer["Records"]:
                record["LastModifiedDate"] = dataset.last_modified_date
        return answer


def listing_dates_from_dataset() -> CognitoSyncApp:
    return serve(_DatesFromDatasetRow)


class _CountOfDataset(CognitoSyncBackend):
    """Fills Count from the dataset row's NumRecords, whatever the listing holds."""

    def list_records(self, **params: Any) -> dict[str, Any]:
        answer = super().list_records(**params)
        dataset = _dataset_row(self, params)
        answer["Count"] = dataset.num_records if dataset is not None and dataset.exists else 0
        return answer


def count_is_dataset_size() -> CognitoSyncApp:
    return serve(_CountOfDataset)


class _ValueCache(CognitoSyncBackend):
    """Serves listed values through a cache that UpdateRecords never invalidates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._values: dict[tuple[str, str, str, str], str] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self._values.clear()

    def list_records(self, **params: Any) -> dict[str, Any]:
        answer = super().list_records(**params)
        scope = (params["IdentityPoolId"], params["IdentityId"], params["DatasetName"])
        with self._lock:
            for record in answer["Records"]:
                if "Value" in record:
                    record["Value"] = self._values.setdefault((*scope, record["Key"]),
                                                              record["Value"])
        return answer


def listing_value_cache_stale() -> CognitoSyncApp:
    return serve(_ValueCache)


def _dataset_row(backend: CognitoSyncBackend, params: dict[str, Any]) -> DatasetState | None:
    with backend.storage.read() as tx:
        return tx.dataset(inputs.dataset_input(params))
