"""Mutants of input validation (VAL-1..3)."""

from __future__ import annotations

from typing import Any

from cogsync.contracts import constraints as C
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.errors import InvalidParameterException
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve


def _patches(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The request's patch objects, copied into ``params`` so the caller's stay untouched."""
    patches = params.get("RecordPatches")
    if not isinstance(patches, list):
        return []
    params["RecordPatches"] = [dict(p) if isinstance(p, dict) else p for p in patches]
    return [p for p in params["RecordPatches"] if isinstance(p, dict)]


class _AnythingButRemoveIsReplace(CognitoSyncBackend):
    def update_records(self, **params: Any) -> dict[str, Any]:
        for patch in _patches(params):
            if patch.get("Op") != "remove":
                patch["Op"] = "replace"
        return super().update_records(**params)


def unknown_op_treated_as_replace() -> CognitoSyncApp:
    return serve(_AnythingButRemoveIsReplace)


class _KeysTruncated(CognitoSyncBackend):
    """Stores keys in a 1024-character column that silently truncates."""

    def update_records(self, **params: Any) -> dict[str, Any]:
        limit = C.RECORD_KEY.max_length or 1024
        for patch in _patches(params):
            if isinstance(patch.get("Key"), str):
                patch["Key"] = patch["Key"][:limit]
        return super().update_records(**params)


def overlong_key_truncated() -> CognitoSyncApp:
    return serve(_KeysTruncated)


_NAME_WITHOUT_COLON = "[a-zA-Z0-9_.-]+"


class _NoColonInNames(CognitoSyncBackend):
    def call(self, operation: str, params: Any) -> dict[str, Any]:
        name = params.get("DatasetName")
        if isinstance(name, str) and ":" in name:
            raise InvalidParameterException(
                f"1 validation error detected: Value {name!r} at 'datasetName' failed to satisfy"
                " constraint: Member must satisfy regular expression pattern:"
                f" {_NAME_WITHOUT_COLON}"
            )
        return super().call(operation, params)


def colon_refused_in_dataset_names() -> CognitoSyncApp:
    return serve(_NoColonInNames)


class _NegativeCountIsZero(CognitoSyncBackend):
    def update_records(self, **params: Any) -> dict[str, Any]:
        for patch in _patches(params):
            count = patch.get("SyncCount")
            if isinstance(count, int) and not isinstance(count, bool) and count < 0:
                patch["SyncCount"] = 0
        return super().update_records(**params)


def negative_sync_count_accepted() -> CognitoSyncApp:
    return serve(_NegativeCountIsZero)
