"""What one step of an operation hands the next, as immutable values.

The backend splits each operation into named steps (its seams, see
:mod:`cogsync.emulator.backend`); these are the values that pass between them, so
a step can be replaced without knowing how the others are written: a checked write
(:class:`WritePlan`), what a listing found (:class:`Listing`), and a dataset's
totals (:class:`Usage`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cogsync.emulator.errors import ServiceError
from cogsync.emulator.inputs import UpdateInput
from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset


@dataclass(frozen=True)
class WritePlan:
    """A checked UpdateRecords: what it stores, or the error the rules refuse it with."""

    request: UpdateInput
    key: DatasetScope  # where the dataset is kept (ISO-1: pool, identity and name)
    written: tuple[RecordState, ...] = ()  # the records the answer lists, one per key
    stored: tuple[RecordState, ...] = ()  # what goes to storage (DEL-3 may leave some out)
    dataset: StoredDataset | None = None  # the dataset's row after the write; None: no change
    refusal: ServiceError | None = None  # a 409 or LimitExceeded: nothing of the write is kept


@dataclass(frozen=True)
class Listing:
    """What one ListRecords page found, before it is put in wire form."""

    dataset: StoredDataset | None  # the row read, deleted or not; None: never written
    exists: bool
    records: tuple[RecordState, ...]  # this page's records, by key
    total: int  # records in the whole listing (every page)
    snapshot: int  # the dataset's count when the first page was read (LIST-4)
    deleted_since: bool  # DS-4: the client's lastSyncCount predates a deletion
    token: str
    next_token: str | None


@dataclass(frozen=True)
class Usage:
    """A dataset's totals: live records and their bytes, tombstones and their key bytes."""

    records: int = 0
    bytes: int = 0
    tombstones: int = 0
    tombstone_bytes: int = 0

    @classmethod
    def of(cls, dataset: StoredDataset | None) -> Usage:
        """What an existing dataset holds; nothing for a missing or deleted one."""
        if dataset is None or not dataset.exists:
            return cls()
        return cls(dataset.num_records, dataset.data_storage, dataset.tombstones,
                   dataset.tombstone_bytes)

    def plus(self, records: int, size: int, tombstones: int, tombstone_bytes: int) -> Usage:
        return Usage(self.records + records, self.bytes + size, self.tombstones + tombstones,
                     self.tombstone_bytes + tombstone_bytes)
