"""WSGI factories over the reference backend, for ``--in-process`` and ``serve --app``.

They live apart from :mod:`cogsync.emulator.choices` because they build a backend,
and the backend reads its choices from there: one module each way would be a cycle.
"""

from __future__ import annotations

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.choices import FLIPPED, REFERENCE
from cogsync.emulator.wire import CognitoSyncApp


def flipped_app() -> CognitoSyncApp:
    """A fresh emulator app (memory storage) making every FLIPPED choice: a WSGI factory."""
    return CognitoSyncApp(CognitoSyncBackend(choices=FLIPPED))


def reference_app() -> CognitoSyncApp:
    """A fresh reference emulator app (memory storage): ``Choices()`` everywhere."""
    return CognitoSyncApp(CognitoSyncBackend(choices=REFERENCE))
