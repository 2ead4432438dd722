"""Mutants of removal and tombstones (DEL-1, DEL-2)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from cogsync.emulator.state import DatasetScope, DatasetState, RecordState
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import ProxyStorage, TransactionProxy, serve
from cogsync.mutants._seams import SeamedBackend


class _RowsDeleted(TransactionProxy):
    """A removed key's row is gone: no read ever sees the tombstone again."""

    def records(self, scope: DatasetScope, keys: Collection[str]) -> dict[str, RecordState]:
        return {k: r for k, r in self.inner.records(scope, keys).items() if r.is_live}

    def changed_records(self, scope: DatasetScope, **options: Any) -> list[RecordState]:
        limit = options.pop("limit", None)
        live = [r for r in self.inner.changed_records(scope, **options) if r.is_live]
        return live if limit is None else live[:limit]

    def count_changed_records(self, scope: DatasetScope, *, above: int, up_to: int) -> int:
        return len(self.changed_records(scope, above=above, up_to=up_to))


def remove_deletes_row() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_RowsDeleted))


class _TombstoneAsMissing(SeamedBackend):
    def held_count(self, held: RecordState | None, dataset: DatasetState | None) -> int:
        return held.sync_count if held is not None and held.is_live else 0


def tombstone_revive_needs_zero() -> CognitoSyncApp:
    return serve(_TombstoneAsMissing)
