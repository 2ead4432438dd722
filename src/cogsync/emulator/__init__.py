"""The reference emulator of Cognito Sync's records API: backend, storage, wire, server, mock.

Split like a moto service, one job per module:

- :mod:`~cogsync.emulator.backend`: the rules (state in, answers or typed errors out);
- :mod:`~cogsync.emulator.choices`: what the rules do where the contract says MAY
  (``Choices()``, the reference's, and ``FLIPPED``);
- :mod:`~cogsync.emulator.storage`: in-memory and SQLite state, one transaction per call;
- :mod:`~cogsync.emulator.wire`: the WSGI application speaking rest-json;
- :mod:`~cogsync.emulator.server`: a threaded HTTP server and ``serve_in_thread``;
- :mod:`~cogsync.emulator.mock`: ``mock_cognito_sync()`` for botocore clients in-process;
- :mod:`~cogsync.emulator.auth`: optional SigV4 checking.

Names are imported lazily, so ``import cogsync.emulator`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "CognitoSyncBackend": "cogsync.emulator.backend",
    "Choices": "cogsync.emulator.choices",
    "FLIPPED": "cogsync.emulator.choices",
    "MemoryStorage": "cogsync.emulator.storage",
    "SQLiteStorage": "cogsync.emulator.storage",
    "open_storage": "cogsync.emulator.storage",
    "CognitoSyncApp": "cogsync.emulator.wire",
    "EmulatorServer": "cogsync.emulator.server",
    "serve_in_thread": "cogsync.emulator.server",
    "CognitoSyncMock": "cogsync.emulator.mock",
    "current_mock": "cogsync.emulator.mock",
    "mock_cognito_sync": "cogsync.emulator.mock",
    "Credential": "cogsync.emulator.auth",
    "SigV4Verifier": "cogsync.emulator.auth",
    "ServiceError": "cogsync.emulator.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'cogsync.emulator' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
