"""Builds a fresh reference emulator app for InProcessTarget.emulator().

The only place the targets package knows how the emulator is put together:
backend (rules, storage) wrapped in its WSGI app, as ``serve_in_thread`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cogsync.errors import UsageError


@dataclass
class EmulatorHandle:
    """What InProcessTarget keeps of the emulator it built: reset() and close()."""

    backend: Any

    def reset(self) -> None:
        self.backend.reset()

    def close(self) -> None:
        self.backend.storage.close()


def build_emulator_app(
    *,
    storage: Any = None,
    limits: Any = None,
    auth: Any = None,
    max_body_bytes: int | None = None,
    **backend_options: Any,
) -> tuple[Any, EmulatorHandle]:
    """(WSGI app, handle) of a new emulator.

    ``storage``: a Storage, ``"memory"`` (default) or ``"sqlite:PATH"``; ``limits``: a
    Limits; ``auth``: a SigV4Verifier or a mapping access key -> secret (signatures
    then checked); other options go to the backend (``token_ttl``, ``clock``...).
    """
    from cogsync.emulator.auth import SigV4Verifier
    from cogsync.emulator.backend import CognitoSyncBackend
    from cogsync.emulator.storage import open_storage
    from cogsync.emulator.wire import CognitoSyncApp

    if isinstance(storage, str):
        storage = open_storage(storage)
    if isinstance(auth, Mapping):
        auth = SigV4Verifier(auth)
    elif auth is not None and not isinstance(auth, SigV4Verifier):
        raise UsageError.bad_argument(
            "auth", auth, "None, a SigV4Verifier or a mapping of access key -> secret key"
        )
    if limits is not None:
        backend_options["limits"] = limits
    backend = CognitoSyncBackend(storage, **backend_options)
    app = CognitoSyncApp(backend, max_body_bytes=max_body_bytes, auth=auth)
    return app, EmulatorHandle(backend)
