"""Mutants of ListRecords (LIST-1..6)."""

from __future__ import annotations

import dataclasses
from typing import Any

from cogsync.emulator import cursors
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.plans import Listing
from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset
from cogsync.emulator.storage import Transaction
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import ProxyStorage, TransactionProxy, serve


class _InclusiveDelta(CognitoSyncBackend):
    def delta_floor(self, since: int, snapshot: int, alive: bool, deleted_since: bool) -> int:
        """The delta query is sync_count >= lastSyncCount, i.e. above lastSyncCount - 1."""
        return super().delta_floor(since, snapshot, alive, deleted_since) - 1


def delta_listing_inclusive() -> CognitoSyncApp:
    return serve(_InclusiveDelta)


class _MissingIs404(CognitoSyncBackend):
    def listed_dataset(self, tx: Transaction, key: DatasetScope) -> StoredDataset | None:
        """Looks the dataset up the way DescribeDataset does."""
        return self.existing_dataset(super().listed_dataset(tx, key), key)


def missing_dataset_listed_as_404() -> CognitoSyncApp:
    return serve(_MissingIs404)


class _ClampedLastSyncCount(CognitoSyncBackend):
    def delta_floor(self, since: int, snapshot: int, alive: bool, deleted_since: bool) -> int:
        return super().delta_floor(min(since, snapshot), snapshot, alive, deleted_since)


def list_past_count_clamped() -> CognitoSyncApp:
    return serve(_ClampedLastSyncCount)


class _CursorOneLate(TransactionProxy):
    def changed_records(self, scope: DatasetScope, *, after_key: str | None = None,
                        limit: int | None = None, **options: Any) -> list[RecordState]:
        """A next page resumes one record late: the first record after the cursor is lost."""
        if after_key is None:
            return self.inner.changed_records(scope, limit=limit, **options)
        found = self.inner.changed_records(scope, after_key=after_key,
                                           limit=None if limit is None else limit + 1, **options)
        return found[1:]


def pagination_skips_record() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_CursorOneLate))


class _CountOfPage(CognitoSyncBackend):
    def listing_body(self, listing: Listing) -> dict[str, Any]:
        return {**super().listing_body(listing), "Count": len(listing.records)}


def count_is_page_size() -> CognitoSyncApp:
    return serve(_CountOfPage)


class _DatesFromDatasetRow(CognitoSyncBackend):
    def listing_body(self, listing: Listing) -> dict[str, Any]:
        """Serializes each listed record's LastModifiedDate from the dataset row."""
        answer = super().listing_body(listing)
        if listing.dataset is not None:
            for record in answer["Records"]:
                record["LastModifiedDate"] = listing.dataset.last_modified_date
        return answer


def listing_dates_from_dataset() -> CognitoSyncApp:
    return serve(_DatesFromDatasetRow)


class _CountOfDataset(CognitoSyncBackend):
    def listing_body(self, listing: Listing) -> dict[str, Any]:
        """Fills Count from the dataset row's NumRecords, whatever the listing holds."""
        count = listing.dataset.num_records if listing.exists and listing.dataset else 0
        return {**super().listing_body(listing), "Count": count}


def count_is_dataset_size() -> CognitoSyncApp:
    return serve(_CountOfDataset)


class _ValueCache(TransactionProxy):
    def changed_records(self, scope: DatasetScope, **options: Any) -> list[RecordState]:
        """Listed values come from a cache that UpdateRecords never invalidates."""
        return [_through_cache(self.kept, scope, r)
                for r in self.inner.changed_records(scope, **options)]


def _through_cache(cache: dict[Any, Any], scope: DatasetScope, record: RecordState) -> RecordState:
    if record.value is None:
        return record
    return dataclasses.replace(record, value=cache.setdefault((scope, record.key), record.value))


def listing_value_cache_stale() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_ValueCache))


class _CursorCarriesItsDataset(CognitoSyncBackend):
    def resume_listing(
        self, key: DatasetScope, since: int, cursor: str
    ) -> tuple[DatasetScope, int, str]:
        """The nextToken holds the dataset it lists (stateless paging): the page resumes there."""
        payload = cursors.read(self.storage.secret(), cursor, expect={"kind": "records"})
        pool, identity, name = payload["scope"]
        return DatasetScope(pool, identity, name), int(payload["upto"]), str(payload["after"])


def next_token_carries_its_dataset() -> CognitoSyncApp:
    return serve(_CursorCarriesItsDataset)


def _as_int32(number: int) -> int:
    """What a 32-bit signed column keeps of ``number``: its low 32 bits."""
    return (number + 2**31) % 2**32 - 2**31


class _Int32LastSyncCount(CognitoSyncBackend):
    def delta_floor(self, since: int, snapshot: int, alive: bool, deleted_since: bool) -> int:
        """The delta query binds lastSyncCount to a 32-bit INTEGER parameter (a Java int)."""
        return super().delta_floor(_as_int32(since), snapshot, alive, deleted_since)


def last_sync_count_as_int32() -> CognitoSyncApp:
    return serve(_Int32LastSyncCount)
