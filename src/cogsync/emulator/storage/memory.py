"""In-memory storage: one lock, writes buffered until commit.

One lock serializes every transaction, readers included: the emulator's work per
call is tiny, and a single lock makes every history trivially linearizable (CONF-6).
Writes are buffered and applied when the block ends normally, so a failure half-way
through a write leaves nothing behind (CONF-4).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager

from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset, TokenState
from cogsync.emulator.storage.base import by_key


class _Tables:
    def __init__(self) -> None:
        # (pool, identity) -> dataset name -> dataset: ListDatasets reads one identity.
        self.datasets: dict[tuple[str, str], dict[str, StoredDataset]] = {}
        self.records: dict[DatasetScope, dict[str, RecordState]] = {}
        self.tokens: dict[str, TokenState] = {}
        # Insertion-ordered per dataset, so the oldest unspent tokens go first.
        self.tokens_by_scope: dict[DatasetScope, dict[str, None]] = {}


class _MemoryTransaction:
    def __init__(self, tables: _Tables, writable: bool) -> None:
        self._t = tables
        self._writable = writable
        self._pending: list[Callable[[], None]] = []

    # -- reads -------------------------------------------------------------------------
    def dataset(self, scope: DatasetScope) -> StoredDataset | None:
        return self._t.datasets.get((scope.pool, scope.identity), {}).get(scope.name)

    def _existing(self, pool: str, identity: str) -> Iterator[StoredDataset]:
        return (ds for ds in self._t.datasets.get((pool, identity), {}).values() if ds.exists)

    def datasets(
        self, pool: str, identity: str, *, after_name: str | None = None, limit: int | None = None
    ) -> list[StoredDataset]:
        found = sorted(
            (ds for ds in self._existing(pool, identity)
             if after_name is None or ds.scope.name > after_name),
            key=lambda ds: ds.scope.name,
        )
        return found if limit is None else found[:limit]

    def count_datasets(self, pool: str, identity: str) -> int:
        return sum(1 for _ in self._existing(pool, identity))

    def records(self, scope: DatasetScope, keys: Collection[str]) -> dict[str, RecordState]:
        stored = self._t.records.get(scope, {})
        return {key: stored[key] for key in keys if key in stored}

    def _changed(self, scope: DatasetScope, above: int, up_to: int) -> Iterator[RecordState]:
        for record in self._t.records.get(scope, {}).values():
            if above < record.sync_count <= up_to:
                yield record

    def changed_records(
        self,
        scope: DatasetScope,
        *,
        above: int,
        up_to: int,
        after_key: str | None = None,
        limit: int | None = None,
    ) -> list[RecordState]:
        found = [
            r for r in by_key(self._changed(scope, above, up_to))
            if after_key is None or r.key > after_key
        ]
        return found if limit is None else found[:limit]

    def count_changed_records(self, scope: DatasetScope, *, above: int, up_to: int) -> int:
        return sum(1 for _ in self._changed(scope, above, up_to))

    def token(self, token: str) -> TokenState | None:
        return self._t.tokens.get(token)

    # -- writes (buffered) ---------------------------------------------------------------
    def _later(self, action: Callable[[], None]) -> None:
        if not self._writable:
            raise RuntimeError("write attempted inside a read transaction")
        self._pending.append(action)

    def put_dataset(self, dataset: StoredDataset) -> None:
        def apply() -> None:
            scope = dataset.scope
            self._t.datasets.setdefault((scope.pool, scope.identity), {})[scope.name] = dataset

        self._later(apply)

    def put_records(self, scope: DatasetScope, records: Iterable[RecordState]) -> None:
        batch = list(records)

        def apply() -> None:
            stored = self._t.records.setdefault(scope, {})
            for record in batch:
                stored[record.key] = record

        self._later(apply)

    def drop_records(self, scope: DatasetScope) -> None:
        def apply() -> None:
            self._t.records.pop(scope, None)

        self._later(apply)

    def add_token(self, token: TokenState, *, keep: int) -> None:
        def apply() -> None:
            self._t.tokens[token.token] = token
            owned = self._t.tokens_by_scope.setdefault(token.scope, {})
            owned[token.token] = None
            while len(owned) > keep:
                oldest = next(iter(owned))
                del owned[oldest]
                self._t.tokens.pop(oldest, None)

        self._later(apply)

    def drop_token(self, token: str) -> None:
        def apply() -> None:
            state = self._t.tokens.pop(token, None)
            if state is not None:
                self._t.tokens_by_scope.get(state.scope, {}).pop(token, None)

        self._later(apply)

    def commit(self) -> None:
        for action in self._pending:
            action()
        self._pending.clear()


class MemoryStorage:
    """State in dictionaries; gone when the process ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables = _Tables()
        self._secret = secrets.token_bytes(32)

    @contextmanager
    def read(self) -> Iterator[_MemoryTransaction]:
        with self._lock:
            yield _MemoryTransaction(self._tables, writable=False)

    @contextmanager
    def write(self) -> Iterator[_MemoryTransaction]:
        with self._lock:
            tx = _MemoryTransaction(self._tables, writable=True)
            yield tx
            tx.commit()

    def secret(self) -> bytes:
        return self._secret

    def reset(self) -> None:
        with self._lock:
            self._tables = _Tables()

    def close(self) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return "MemoryStorage()"
