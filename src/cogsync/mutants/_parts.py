"""What every mutant is built from: the reference emulator's own parts, one seam replaced.

A mutant is the reference emulator with one realistic bug, planted through one named
seam of the code ``cogsync serve`` runs, never in a copy of it:

- a method of :attr:`CognitoSyncBackend.SEAMS <cogsync.emulator.backend.CognitoSyncBackend.SEAMS>`
  or :attr:`CognitoSyncApp.SEAMS <cogsync.emulator.wire.CognitoSyncApp.SEAMS>`,
  overridden in a subclass;
- one method of a storage transaction, bent by a :class:`TransactionProxy` that
  :class:`ProxyStorage` puts around every transaction;
- the answers the app sends, rewritten by :func:`rewrite_answers` (wire-level bugs);
- or a constructor argument of the real parts (a clock, a body cap, the credentials, the
  storage: :class:`SnapshotStorage` is memory storage written to SQLite now and then).

:func:`serve` puts a backend (class) behind the reference WSGI app, memory storage.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.emulator.auth import SigV4Verifier
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset
from cogsync.emulator.storage import MemoryStorage, SQLiteStorage, Storage, Transaction
from cogsync.emulator.wire import CognitoSyncApp

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def serve(
    backend_class: type[CognitoSyncBackend] = CognitoSyncBackend,
    *,
    storage: Storage | None = None,
    limits: Limits = DEFAULT_LIMITS,
    app_class: type[CognitoSyncApp] = CognitoSyncApp,
    auth: SigV4Verifier | None = None,
    **backend_options: Any,
) -> CognitoSyncApp:
    """A fresh app: ``backend_class`` on ``storage`` (a new MemoryStorage by default)."""
    backend = backend_class(storage if storage is not None else MemoryStorage(), limits=limits,
                            **backend_options)
    return app_class(backend, auth=auth)


class TransactionProxy:
    """Passes everything to the real transaction; a mutant overrides the one method it bends.

    ``kept`` is what the bent storage remembers between transactions (a cache, say),
    forgotten when the storage is reset.
    """

    def __init__(self, inner: Transaction, kept: dict[Any, Any]) -> None:
        self.inner = inner
        self.kept = kept

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class ProxyStorage(MemoryStorage):
    """Memory storage whose transactions are seen through ``proxy`` (a TransactionProxy class)."""

    def __init__(self, proxy: type[TransactionProxy]) -> None:
        super().__init__()
        self.proxy = proxy
        self.kept: dict[Any, Any] = {}

    @contextmanager
    def read(self) -> Iterator[Any]:
        with super().read() as tx:
            yield self.proxy(tx, self.kept)

    @contextmanager
    def write(self) -> Iterator[Any]:
        with super().write() as tx:
            yield self.proxy(tx, self.kept)

    def reset(self) -> None:
        super().reset()
        self.kept.clear()


_ALL_COUNTS = {"above": -1, "up_to": 2**62}


class SnapshotStorage(MemoryStorage):
    """Serves from memory and writes its state to a SQLite file every ``every`` write
    transactions (tokens never), loading it back when it starts: Redis-style snapshots.

    ``keeps`` says which records a snapshot writes. A write between two snapshots is
    acknowledged before it is on disk: a restart loses it.
    """

    def __init__(self, path: str | Path, *, every: int, keeps: Callable[[RecordState], bool] = lambda r: True):
        super().__init__()
        self.disk = SQLiteStorage(path)
        self._secret = self.disk.secret()  # pagination cursors outlive a restart
        self.every = every
        self.keeps = keeps
        self._writes = itertools.count(1)  # atomic under threads
        self._flushed: dict[DatasetScope, StoredDataset] = {}
        self._load()

    def _load(self) -> None:
        with closing(sqlite3.connect(self.disk.path)) as conn:
            scopes = [DatasetScope(*row) for row in conn.execute("SELECT pool, identity, name FROM datasets")]
        with self.disk.read() as disk, MemoryStorage.write(self) as tx:
            for scope in scopes:
                dataset = disk.dataset(scope)
                if dataset is not None:
                    tx.put_dataset(dataset)
                    tx.put_records(scope, disk.changed_records(scope, **_ALL_COUNTS))
                    self._flushed[scope] = dataset

    @contextmanager
    def write(self) -> Any:
        with super().write() as tx:
            yield tx
        if next(self._writes) % self.every == 0:
            self._snapshot()

    def _snapshot(self) -> None:
        """Write every dataset changed since the last snapshot (each write replaces its row)."""
        with self.disk.write() as disk, self.read() as tx:
            rows = [d for by_name in list(self._tables.datasets.values()) for d in list(by_name.values())]
            for dataset in rows:
                if self._flushed.get(dataset.scope) is dataset:
                    continue
                disk.put_dataset(dataset)
                disk.drop_records(dataset.scope)
                disk.put_records(dataset.scope, [r for r in tx.changed_records(dataset.scope, **_ALL_COUNTS)
                                                 if self.keeps(r)])
                self._flushed[dataset.scope] = dataset

    def close(self) -> None:
        self.disk.close()

    def __repr__(self) -> str:
        return f"SnapshotStorage({str(self.disk.path)!r}, every={self.every})"


#: (status, headers, body) -> (status, headers, body): one answer, rewritten.
Headers = list[tuple[str, str]]
AnswerRewrite = Callable[[str, Headers, bytes], tuple[str, Headers, bytes]]


class AnswerRewriter:
    """A WSGI app whose every answer passes through ``rewrite`` (wire-level bugs).

    Keeps ``backend`` and ``reset()`` of the wrapped app, so targets can reset it.
    """

    def __init__(self, app: CognitoSyncApp, rewrite: AnswerRewrite) -> None:
        self.app = app
        self.backend = app.backend
        self._rewrite = rewrite

    def reset(self) -> None:
        self.backend.reset()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, list(headers)
            return lambda _data: None

        body = b"".join(self.app(environ, capture))
        status, headers, body = self._rewrite(captured["status"], captured["headers"], body)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]


def rewrite_answers(app: CognitoSyncApp, rewrite: AnswerRewrite) -> AnswerRewriter:
    """``app`` with every answer passed through ``rewrite``."""
    return AnswerRewriter(app, rewrite)


def with_patches(params: Any, edit: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """UpdateRecords parameters with every patch object passed through ``edit`` (a copy)."""
    patches = params.get("RecordPatches")
    if not isinstance(patches, list):
        return params
    return {**params, "RecordPatches": [edit(dict(p)) if isinstance(p, dict) else p
                                        for p in patches]}


def json_body(body: bytes) -> Any:
    """The answer's JSON document (the emulator always answers JSON)."""
    return json.loads(body.decode("utf-8"))


def to_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
