"""Mutants of input validation (VAL-1..3): a parser in front of the reference's checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cogsync.contracts import constraints as C
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.errors import InvalidParameterException
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve, with_patches


class _AnythingButRemoveIsReplace(CognitoSyncBackend):
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        return super().read(operation, with_patches(params, _op_as_replace))


def _op_as_replace(patch: dict[str, Any]) -> dict[str, Any]:
    if patch.get("Op") != "remove":
        patch["Op"] = "replace"
    return patch


def unknown_op_treated_as_replace() -> CognitoSyncApp:
    return serve(_AnythingButRemoveIsReplace)


class _KeysTruncated(CognitoSyncBackend):
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        """Keys go to a 1024-character column that silently truncates longer ones."""
        return super().read(operation, with_patches(params, _key_truncated))


def _key_truncated(patch: dict[str, Any]) -> dict[str, Any]:
    if isinstance(patch.get("Key"), str):
        patch["Key"] = patch["Key"][:C.RECORD_KEY.max_length or 1024]
    return patch


def overlong_key_truncated() -> CognitoSyncApp:
    return serve(_KeysTruncated)


_NAME_WITHOUT_COLON = "[a-zA-Z0-9_.-]+"


class _NoColonInNames(CognitoSyncBackend):
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        name = params.get("DatasetName")
        if isinstance(name, str) and ":" in name:
            raise InvalidParameterException(
                f"1 validation error detected: Value {name!r} at 'datasetName' failed to satisfy"
                " constraint: Member must satisfy regular expression pattern:"
                f" {_NAME_WITHOUT_COLON}"
            )
        return super().read(operation, params)


def colon_refused_in_dataset_names() -> CognitoSyncApp:
    return serve(_NoColonInNames)


class _NegativeCountIsZero(CognitoSyncBackend):
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        return super().read(operation, with_patches(params, _negative_count_as_zero))


def _negative_count_as_zero(patch: dict[str, Any]) -> dict[str, Any]:
    count = patch.get("SyncCount")
    if isinstance(count, int) and not isinstance(count, bool) and count < 0:
        patch["SyncCount"] = 0
    return patch


def negative_sync_count_accepted() -> CognitoSyncApp:
    return serve(_NegativeCountIsZero)
