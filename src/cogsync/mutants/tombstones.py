"""Mutants of removal and tombstones (DEL-1, DEL-2)."""

from __future__ import annotations

from collections.abc import Iterable

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.inputs import LONG_RANGE
from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import ProxyStorage, TransactionProxy, serve


class _RemovalDeletesRow(TransactionProxy):
    def put_records(self, scope: DatasetScope, records: Iterable[RecordState]) -> None:
        """A removal deletes the key's row instead of storing a tombstone."""
        batch = list(records)
        removed = {r.key for r in batch if not r.is_live}
        if removed:
            survivors = [r for r in self.inner.changed_records(scope, above=-1, up_to=LONG_RANGE[1])
                         if r.key not in removed]
            self.inner.drop_records(scope)
            batch = [*survivors, *(r for r in batch if r.is_live)]
        self.inner.put_records(scope, batch)


def remove_deletes_row() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_RemovalDeletesRow))


class _TombstoneAsMissing(CognitoSyncBackend):
    def held_count(self, held: RecordState | None, dataset: StoredDataset | None) -> int:
        return super().held_count(held if held is not None and held.is_live else None, dataset)


def tombstone_revive_needs_zero() -> CognitoSyncApp:
    return serve(_TombstoneAsMissing)
