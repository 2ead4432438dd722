"""Mutants of the kinds a generic wire fuzzer finds: bounds off by one, odd bodies, integer
overflow, a Content-Type refused. The boundary phase (``conformance/boundaries.py``) is
deterministic, so it catches each of them at every budget and under every seed.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from collections.abc import Mapping
from typing import Any

from cogsync.contracts import constraints as C
from cogsync.emulator import inputs
from cogsync.emulator.auth import ReceivedRequest
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.errors import InvalidParameterException
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve


def _patches(params: Mapping[str, Any]) -> list[Any]:
    """The patches, when they are a list (anything else is the reference's to refuse)."""
    patches = params.get("RecordPatches")
    return patches if isinstance(patches, list) else []


def _longer(rule: C.StringConstraint) -> C.StringConstraint:
    return dataclasses.replace(rule, max_length=(rule.max_length or 0) + 1)


class _NameColumnOneWider(CognitoSyncBackend):
    def input_rules(self) -> inputs.Rules:
        """Checks DatasetName with ``len(name) > 129``: the bound is off by one."""
        return dataclasses.replace(inputs.RULES, dataset_name=_longer(C.DATASET_NAME))


def dataset_name_129_accepted() -> CognitoSyncApp:
    return serve(_NameColumnOneWider)


class _KeyBoundOffByOne(CognitoSyncBackend):
    def input_rules(self) -> inputs.Rules:
        """Checks a record key with ``len(key) > 1025``: a key one past the limit is stored."""
        return dataclasses.replace(inputs.RULES, key=_longer(C.RECORD_KEY))


def key_one_past_max_accepted() -> CognitoSyncApp:
    return serve(_KeyBoundOffByOne)


_FREE_TEXT = {"DeviceId": C.DEVICE_ID, "Key": C.RECORD_KEY, "Value": C.RECORD_VALUE}


def _over_in_bytes(member: str, value: Any) -> bool:
    limit = _FREE_TEXT[member].max_length
    return isinstance(value, str) and limit is not None and len(value.encode("utf-8", "replace")) > limit


class _LengthsInBytes(CognitoSyncBackend):
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        """Measures DeviceId, Key and Value in UTF-8 bytes (``Buffer.byteLength``) before
        validating: an astral character counts as four, a DeviceId of 256 'é' is refused."""
        members = [("DeviceId", params.get("DeviceId"))]
        for patch in _patches(params):
            if isinstance(patch, dict):
                members += [("Key", patch.get("Key")), ("Value", patch.get("Value"))]
        for member, value in members:
            if _over_in_bytes(member, value):
                raise InvalidParameterException(f"{member} is longer than {_FREE_TEXT[member].max_length}")
        return super().read(operation, params)


def lengths_counted_in_utf8_bytes() -> CognitoSyncApp:
    return serve(_LengthsInBytes)


class _MaxResultsAsLong(CognitoSyncBackend):
    def input_rules(self) -> inputs.Rules:
        """maxResults is parsed into a long, so 2147483648 (past the model's Integer) is served."""
        return dataclasses.replace(inputs.RULES, max_results=inputs.LONG_RANGE)


def max_results_read_as_long() -> CognitoSyncApp:
    return serve(_MaxResultsAsLong)


class _CountsPackedFirst(CognitoSyncBackend):
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        """Packs each patch's SyncCount into a signed 64-bit field before validating it:
        2**63 overflows the packer (a crash, 500)."""
        for patch in _patches(params):
            count = patch.get("SyncCount") if isinstance(patch, dict) else None
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                struct.pack(">q", count)
        return super().read(operation, params)


def sync_count_overflow_500() -> CognitoSyncApp:
    return serve(_CountsPackedFirst)


class _UncaughtJsonError(CognitoSyncApp):
    def request_document(self, request: ReceivedRequest) -> dict[str, Any]:
        """Parses the body with ``json.loads`` outside the error handler: bad JSON is a 500."""
        if request.body.strip():
            json.loads(request.body)
        return super().request_document(request)


def malformed_json_body_500() -> CognitoSyncApp:
    return serve(app_class=_UncaughtJsonError)


class _EmptyBodyIsNull(CognitoSyncApp):
    def request_document(self, request: ReceivedRequest) -> dict[str, Any]:
        """An empty body reads as JSON null, whose members are then looked up: a crash."""
        if not request.body.strip():
            return None  # type: ignore[return-value]  # the bug: the caller calls .get on it
        return super().request_document(request)


def empty_body_500() -> CognitoSyncApp:
    return serve(app_class=_EmptyBodyIsNull)


class _AnyJsonDocument(CognitoSyncApp):
    def request_document(self, request: ReceivedRequest) -> dict[str, Any]:
        """Parses any JSON document, never checking it is an object: a JSON array crashes
        the member lookups (500)."""
        try:
            document: dict[str, Any] = json.loads(request.body or b"{}")
        except ValueError:
            raise InvalidParameterException("Request body is not valid JSON") from None
        return document


def json_array_body_500() -> CognitoSyncApp:
    return serve(app_class=_AnyJsonDocument)


class _JsonContentTypeOnly(CognitoSyncApp):
    def request_document(self, request: ReceivedRequest) -> dict[str, Any]:
        """Takes bodies sent as ``application/json`` only, so the mobile SDKs'
        ``application/x-amz-json-1.1`` is refused as 400."""
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            raise InvalidParameterException(f"Unsupported Content-Type {media_type!r}")
        return super().request_document(request)


def amz_json_content_type_refused() -> CognitoSyncApp:
    return serve(app_class=_JsonContentTypeOnly)
