"""SQLite storage: state that survives a restart, safe from many threads.

- WAL journal: readers never block the writer and see a consistent snapshot.
- ``synchronous=NORMAL``: a commit survives the process being killed (SIGKILL) at
  any point; only an operating-system crash or power cut may lose the last commits.
- One connection per thread; write transactions run under one process-wide lock
  and ``BEGIN IMMEDIATE``, so two writers never interleave (CONF-6) and SQLite's
  busy handler is needed only against other processes sharing the file.
- Each ``write()`` block is one SQLite transaction: an exception rolls all of it back.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset, TokenState

_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    pool TEXT NOT NULL, identity TEXT NOT NULL, name TEXT NOT NULL,
    sync_count INTEGER NOT NULL, exists_now INTEGER NOT NULL,
    creation_date REAL NOT NULL, last_modified_date REAL NOT NULL,
    last_modified_by TEXT NOT NULL, num_records INTEGER NOT NULL,
    data_storage INTEGER NOT NULL, deleted_at_count INTEGER,
    tombstones INTEGER NOT NULL DEFAULT 0, tombstone_bytes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool, identity, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
    pool TEXT NOT NULL, identity TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL,
    value TEXT, sync_count INTEGER NOT NULL, last_modified_date REAL NOT NULL,
    last_modified_by TEXT NOT NULL, device_last_modified_date TEXT,
    PRIMARY KEY (pool, identity, name, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, token TEXT NOT NULL UNIQUE,
    pool TEXT NOT NULL, identity TEXT NOT NULL, name TEXT NOT NULL, issued_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_by_scope ON tokens (pool, identity, name, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
"""

_DATASET_COLUMNS = (
    "pool, identity, name, sync_count, exists_now, creation_date, last_modified_date, "
    "last_modified_by, num_records, data_storage, deleted_at_count, tombstones, tombstone_bytes"
)
#: Columns added after the first release, with how to add them to an older file.
_ADDED_DATASET_COLUMNS = {
    "tombstones": "INTEGER NOT NULL DEFAULT 0",
    "tombstone_bytes": "INTEGER NOT NULL DEFAULT 0",
}
_RECORD_COLUMNS = (
    "key, value, sync_count, last_modified_date, last_modified_by, device_last_modified_date"
)


def _dataset(row: Any) -> StoredDataset:
    return StoredDataset(
        scope=DatasetScope(row[0], row[1], row[2]),
        sync_count=row[3],
        exists=bool(row[4]),
        creation_date=row[5],
        last_modified_date=row[6],
        last_modified_by=row[7],
        num_records=row[8],
        data_storage=row[9],
        deleted_at_count=row[10],
        tombstones=row[11],
        tombstone_bytes=row[12],
    )


def _record(row: Any) -> RecordState:
    # The device date is kept as its JSON text: ints stay ints, any size, floats exact.
    device_date = None if row[5] is None else json.loads(row[5])
    return RecordState(row[0], row[1], row[2], row[3], row[4], device_date)


class _SQLiteTransaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._c = conn

    def dataset(self, scope: DatasetScope) -> StoredDataset | None:
        row = self._c.execute(
            f"SELECT {_DATASET_COLUMNS} FROM datasets WHERE pool=? AND identity=? AND name=?",
            (scope.pool, scope.identity, scope.name),
        ).fetchone()
        return None if row is None else _dataset(row)

    def datasets(
        self, pool: str, identity: str, *, after_name: str | None = None, limit: int | None = None
    ) -> list[StoredDataset]:
        rows = self._c.execute(
            f"SELECT {_DATASET_COLUMNS} FROM datasets WHERE pool=? AND identity=? AND exists_now=1"
            " AND (? IS NULL OR name > ?) ORDER BY name LIMIT ?",
            (pool, identity, after_name, after_name, -1 if limit is None else limit),
        ).fetchall()
        return [_dataset(row) for row in rows]

    def count_datasets(self, pool: str, identity: str) -> int:
        row = self._c.execute(
            "SELECT COUNT(*) FROM datasets WHERE pool=? AND identity=? AND exists_now=1",
            (pool, identity),
        ).fetchone()
        return int(row[0])

    def records(self, scope: DatasetScope, keys: Collection[str]) -> dict[str, RecordState]:
        found: dict[str, RecordState] = {}
        wanted = list(keys)
        for start in range(0, len(wanted), 500):  # stay under SQLite's variable limit
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._c.execute(
                f"SELECT {_RECORD_COLUMNS} FROM records WHERE pool=? AND identity=? AND name=?"
                f" AND key IN ({marks})",
                (scope.pool, scope.identity, scope.name, *chunk),
            ).fetchall()
            for row in rows:
                found[row[0]] = _record(row)
        return found

    def changed_records(
        self,
        scope: DatasetScope,
        *,
        above: int,
        up_to: int,
        after_key: str | None = None,
        limit: int | None = None,
    ) -> list[RecordState]:
        rows = self._c.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records WHERE pool=? AND identity=? AND name=?"
            " AND sync_count > ? AND sync_count <= ? AND (? IS NULL OR key > ?)"
            " ORDER BY key LIMIT ?",
            (
                scope.pool, scope.identity, scope.name, _clamp(above), _clamp(up_to),
                after_key, after_key, -1 if limit is None else limit,
            ),
        ).fetchall()
        return [_record(row) for row in rows]

    def count_changed_records(self, scope: DatasetScope, *, above: int, up_to: int) -> int:
        row = self._c.execute(
            "SELECT COUNT(*) FROM records WHERE pool=? AND identity=? AND name=?"
            " AND sync_count > ? AND sync_count <= ?",
            (scope.pool, scope.identity, scope.name, _clamp(above), _clamp(up_to)),
        ).fetchone()
        return int(row[0])

    def token(self, token: str) -> TokenState | None:
        row = self._c.execute(
            "SELECT token, pool, identity, name, issued_at FROM tokens WHERE token=?", (token,)
        ).fetchone()
        if row is None:
            return None
        return TokenState(row[0], DatasetScope(row[1], row[2], row[3]), row[4])

    def put_dataset(self, dataset: StoredDataset) -> None:
        s = dataset.scope
        self._c.execute(
            f"INSERT OR REPLACE INTO datasets ({_DATASET_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                s.pool, s.identity, s.name, dataset.sync_count, int(dataset.exists),
                dataset.creation_date, dataset.last_modified_date, dataset.last_modified_by,
                dataset.num_records, dataset.data_storage, dataset.deleted_at_count,
                dataset.tombstones, dataset.tombstone_bytes,
            ),
        )

    def put_records(self, scope: DatasetScope, records: Iterable[RecordState]) -> None:
        self._c.executemany(
            f"INSERT OR REPLACE INTO records (pool, identity, name, {_RECORD_COLUMNS})"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    scope.pool, scope.identity, scope.name, r.key, r.value, r.sync_count,
                    r.last_modified_date, r.last_modified_by,
                    None if r.device_last_modified_date is None
                    else json.dumps(r.device_last_modified_date),
                )
                for r in records
            ],
        )

    def drop_records(self, scope: DatasetScope) -> None:
        self._c.execute(
            "DELETE FROM records WHERE pool=? AND identity=? AND name=?",
            (scope.pool, scope.identity, scope.name),
        )

    def add_token(self, token: TokenState, *, keep: int) -> None:
        s = token.scope
        self._c.execute(
            "INSERT INTO tokens (token, pool, identity, name, issued_at) VALUES (?,?,?,?,?)",
            (token.token, s.pool, s.identity, s.name, token.issued_at),
        )
        self._c.execute(
            "DELETE FROM tokens WHERE seq IN (SELECT seq FROM tokens WHERE pool=? AND identity=?"
            " AND name=? ORDER BY seq DESC LIMIT -1 OFFSET ?)",
            (s.pool, s.identity, s.name, keep),
        )

    def drop_token(self, token: str) -> None:
        self._c.execute("DELETE FROM tokens WHERE token=?", (token,))


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Bring a file written by an older cogsync up to the current datasets table."""
    present = {row[1] for row in conn.execute("PRAGMA table_info(datasets)")}
    for column, declaration in _ADDED_DATASET_COLUMNS.items():
        if column not in present:
            conn.execute(f"ALTER TABLE datasets ADD COLUMN {column} {declaration}")


_INT64_MAX = 2**63 - 1


def _clamp(count: int) -> int:
    """Sync counts from requests can be any integer; SQLite's are 64-bit."""
    return max(-_INT64_MAX, min(_INT64_MAX, count))


class SQLiteStorage:
    """State in one SQLite file (WAL); reopen the same path to get it back."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
        conn = self._connection()  # creates the file and schema, fails early on a bad path
        with self._write_lock:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            conn.execute("BEGIN IMMEDIATE")
            try:
                _add_missing_columns(conn)
                row = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
                if row is None:
                    self._secret = secrets.token_bytes(32)
                    conn.execute("INSERT INTO meta VALUES ('secret', ?)", (self._secret,))
                else:
                    self._secret = bytes(row[0])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise RuntimeError(f"SQLiteStorage({str(self.path)!r}) is closed")
        conn = sqlite3.connect(
            self.path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        self._local.conn = conn
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    @contextmanager
    def read(self) -> Iterator[_SQLiteTransaction]:
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield _SQLiteTransaction(conn)
        finally:
            conn.execute("ROLLBACK")  # a reader has nothing to commit

    @contextmanager
    def write(self) -> Iterator[_SQLiteTransaction]:
        conn = self._connection()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SQLiteTransaction(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def secret(self) -> bytes:
        return self._secret

    def reset(self) -> None:
        with self.write() as tx:
            for table in ("datasets", "records", "tokens"):
                tx._c.execute(f"DELETE FROM {table}")

    def close(self) -> None:
        self._closed = True
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()

    def __repr__(self) -> str:
        return f"SQLiteStorage({str(self.path)!r})"
