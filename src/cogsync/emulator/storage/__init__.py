"""Where the emulator keeps its state: in memory, or in a SQLite file that survives restarts.

``open_storage("memory")`` or ``open_storage("sqlite:/path/to/file.db")``: the same
spelling as ``cogsync serve --storage``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cogsync.emulator.storage.base import Storage, Transaction
from cogsync.emulator.storage.memory import MemoryStorage
from cogsync.emulator.storage.sqlite import SQLiteStorage
from cogsync.errors import UsageError

__all__ = ["MemoryStorage", "SQLiteStorage", "Storage", "Transaction", "open_storage"]

_ALLOWED = "'memory' or 'sqlite:PATH' (PATH a file that exists or can be created)"


def open_storage(spec: str) -> Storage:
    """Open the storage a ``--storage`` value names; UsageError when it names none."""
    if spec == "memory":
        return MemoryStorage()
    if spec.startswith("sqlite:") and spec != "sqlite:":
        path = Path(spec.removeprefix("sqlite:")).expanduser()
        if path.is_dir():
            raise UsageError.bad_argument("storage", spec, _ALLOWED + f"; {path} is a directory")
        try:
            return SQLiteStorage(path)
        except (sqlite3.Error, OSError) as exc:
            raise UsageError.bad_argument(
                "storage", spec, _ALLOWED + f"; SQLite said: {exc}"
            ) from None
    raise UsageError.bad_argument("storage", spec, _ALLOWED)
