"""The emulator's stored state as immutable values, shared by the backend and every storage.

Immutable so a storage can hand the same object to many readers and a transaction
can hold old and new versions side by side without copying.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class DatasetScope:
    """Which dataset: identity pool, identity and dataset name (ISO-1: never shared)."""

    pool: str
    identity: str
    name: str


@dataclass(frozen=True)
class RecordState:
    """One record; ``value is None`` marks a tombstone (a removed key, DEL-1)."""

    key: str
    value: str | None
    sync_count: int
    last_modified_date: float
    last_modified_by: str
    device_last_modified_date: float | int | None = None

    @property
    def is_live(self) -> bool:
        return self.value is not None

    @property
    def stored_bytes(self) -> int:
        """What the record adds to DataStorage: UTF-8 bytes of key and value, 0 for a tombstone."""
        if self.value is None:
            return 0
        return len(self.key.encode("utf-8")) + len(self.value.encode("utf-8"))

    @property
    def tombstone_bytes(self) -> int:
        """What a tombstone adds where tombstones count (DEL-3, LIM-4): its key's UTF-8 bytes."""
        return 0 if self.value is not None else len(self.key.encode("utf-8"))


@dataclass(frozen=True)
class StoredDataset:
    """A dataset as the emulator stores it, alive or deleted.

    A deleted dataset keeps its row (``exists`` false) so its sync count carries on
    when it is written again, and ``deleted_at_count`` remembers the highest count
    any deleted incarnation reached (DS-4). ``num_records`` and ``data_storage``
    count live records; ``tombstones`` and ``tombstone_bytes`` (their keys) are
    kept apart, for servers that count them too (DEL-3, LIM-4).
    """

    scope: DatasetScope
    sync_count: int
    exists: bool
    creation_date: float
    last_modified_date: float
    last_modified_by: str
    num_records: int = 0
    data_storage: int = 0
    deleted_at_count: int | None = None
    tombstones: int = 0
    tombstone_bytes: int = 0


@dataclass(frozen=True)
class TokenState:
    """A SyncSessionToken issued by ListRecords and not yet spent by a successful write."""

    token: str
    scope: DatasetScope
    issued_at: float
