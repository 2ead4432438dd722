"""What the backend needs from a storage: transactions over datasets, records and tokens.

The backend reads what it needs, decides, then writes; a storage makes each
``write()`` block one transaction (all of it or none, CONF-4) and serializes write
transactions so a compare-and-set on sync counts cannot race (CONF-6). Writes made
inside a transaction become visible when it commits; the backend never reads its
own writes back.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol

from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset, TokenState


class Transaction(Protocol):
    def dataset(self, scope: DatasetScope) -> StoredDataset | None:
        """The dataset's row, deleted or not; None when it was never written."""

    def datasets(
        self, pool: str, identity: str, *, after_name: str | None = None, limit: int | None = None
    ) -> list[StoredDataset]:
        """Existing (not deleted) datasets of an identity, by name, after ``after_name``."""

    def count_datasets(self, pool: str, identity: str) -> int:
        """How many existing (not deleted) datasets the identity has."""

    def records(self, scope: DatasetScope, keys: Collection[str]) -> dict[str, RecordState]:
        """The stored records (tombstones included) among ``keys``."""

    def changed_records(
        self,
        scope: DatasetScope,
        *,
        above: int,
        up_to: int,
        after_key: str | None = None,
        limit: int | None = None,
    ) -> list[RecordState]:
        """Records with ``above < sync_count <= up_to`` and key > ``after_key``, by key."""

    def count_changed_records(self, scope: DatasetScope, *, above: int, up_to: int) -> int:
        """How many records have ``above < sync_count <= up_to``."""

    def token(self, token: str) -> TokenState | None:
        """The unspent token, or None."""

    def put_dataset(self, dataset: StoredDataset) -> None: ...

    def put_records(self, scope: DatasetScope, records: Iterable[RecordState]) -> None: ...

    def drop_records(self, scope: DatasetScope) -> None:
        """Forget every record of the dataset (DeleteDataset)."""

    def add_token(self, token: TokenState, *, keep: int) -> None:
        """Store a token; keep at most ``keep`` unspent tokens per dataset (oldest go first)."""

    def drop_token(self, token: str) -> None:
        """Spend a token."""


class Storage(Protocol):
    """Where the backend keeps its state; safe to share between threads."""

    def read(self) -> AbstractContextManager[Transaction]:
        """A consistent snapshot for reading (writes through it are not allowed)."""

    def write(self) -> AbstractContextManager[Transaction]:
        """One serialized, atomic transaction: committed if the block ends normally."""

    def secret(self) -> bytes:
        """A key that lives as long as the data, for signing pagination cursors."""

    def reset(self) -> None:
        """Forget everything (the data, not the secret)."""

    def close(self) -> None: ...


def by_key(records: Iterable[RecordState]) -> Iterator[RecordState]:
    """Records in key order (code point order, the same as SQLite's BINARY on UTF-8)."""
    return iter(sorted(records, key=lambda r: r.key))
