"""Bugs only a restart shows (DUR-1): each server answers every call right while it runs.

They keep their data in a SQLite file, as a server meant to survive restarts does:
the factory's ``path`` (default: a file of this process in the temporary directory,
so that the kit's in-process restart, which calls the factory again, finds the same
file). Two replace the storage the backend is given (a constructor argument, like
the clock); one overrides a seam of the backend.
"""

from __future__ import annotations

import atexit
import os
import tempfile
from pathlib import Path

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.state import DatasetScope, StoredDataset
from cogsync.emulator.storage import SQLiteStorage
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import SnapshotStorage, serve


def default_file(name: str) -> Path:
    """Where a restart mutant keeps its data when its factory is given no path: a file of
    this process (with SQLite's -wal and -shm next to it), removed when the process exits."""
    path = Path(tempfile.gettempdir()) / f"cogsync-mutant-{name}-{os.getpid()}.sqlite"
    if path not in _CLEANUP:
        _CLEANUP.add(path)
        atexit.register(_remove, path)
    return path


_CLEANUP: set[Path] = set()


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)



def writes_acknowledged_before_disk(path: str | Path | None = None) -> CognitoSyncApp:
    where = path or default_file("writes-acknowledged-before-disk")
    return serve(storage=SnapshotStorage(where, every=10))


def tombstones_not_persisted(path: str | Path | None = None) -> CognitoSyncApp:
    where = path or default_file("tombstones-not-persisted")
    return serve(storage=SnapshotStorage(where, every=1, keeps=lambda r: r.is_live))


class _CountersInMemory(CognitoSyncBackend):
    def count_before(self, dataset: StoredDataset | None) -> int:
        """Counters live in a cache of this process, filled when it creates a dataset; a
        dataset it finds already on disk gets a new counter, from 0."""
        cache: dict[DatasetScope, int] = self.__dict__.setdefault("_counters", {})
        started: float = self.__dict__.setdefault("_started", self.clock())
        if dataset is None or dataset.creation_date >= started:
            return super().count_before(dataset)
        count = cache.get(dataset.scope, 0)
        cache[dataset.scope] = count + 1
        return count


def counters_restart_from_zero(path: str | Path | None = None) -> CognitoSyncApp:
    where = path or default_file("counters-restart-from-zero")
    return serve(_CountersInMemory, storage=SQLiteStorage(where))
