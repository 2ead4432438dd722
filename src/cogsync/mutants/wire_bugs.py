"""Mutants of the wire protocol (WIRE-1..5): what the bytes look like."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.errors import InvalidParameterException
from cogsync.emulator.state import DatasetScope, RecordState
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import (
    AnswerRewriter,
    Headers,
    ProxyStorage,
    TransactionProxy,
    json_body,
    rewrite_answers,
    serve,
    to_json,
)

_DATE_MEMBERS = ("CreationDate", "LastModifiedDate", "DeviceLastModifiedDate")


def _iso_dates(document: Any) -> Any:
    if isinstance(document, dict):
        return {
            k: datetime.datetime.fromtimestamp(v, datetime.UTC).isoformat()
            if k in _DATE_MEMBERS and isinstance(v, (int, float)) else _iso_dates(v)
            for k, v in document.items()
        }
    if isinstance(document, list):
        return [_iso_dates(item) for item in document]
    return document


def _dates_as_text(status: str, headers: Headers, body: bytes) -> tuple[str, Headers, bytes]:
    if not status.startswith("200"):
        return status, headers, body
    return status, headers, to_json(_iso_dates(json_body(body)))


def timestamps_as_iso_strings() -> AnswerRewriter:
    return rewrite_answers(serve(), _dates_as_text)


def _no_type_header(status: str, headers: Headers, body: bytes) -> tuple[str, Headers, bytes]:
    return status, [(k, v) for k, v in headers if k.lower() != "x-amzn-errortype"], body


def error_type_header_missing() -> AnswerRewriter:
    return rewrite_answers(serve(), _no_type_header)


def _validation_exception(status: str, headers: Headers, body: bytes) -> tuple[str, Headers, bytes]:
    old, new = "InvalidParameterException", "ValidationException"
    headers = [(k, new if k.lower() == "x-amzn-errortype" and v == old else v) for k, v in headers]
    if status.startswith("400"):
        document = json_body(body)
        if document.get("__type") == old:
            document["__type"] = new
        body = to_json(document)
    return status, headers, body


def validation_exception_type() -> AnswerRewriter:
    return rewrite_answers(serve(), _validation_exception)


class _EarlyNegativeCheck(CognitoSyncBackend):
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        """Refuses negative counts before validating the request (a crash on a non-number)."""
        for patch in params.get("RecordPatches") or []:
            if patch.get("SyncCount", 0) < 0:
                raise InvalidParameterException("SyncCount must not be negative")
        return super().read(operation, params)


def bad_sync_count_type_500() -> CognitoSyncApp:
    return serve(_EarlyNegativeCheck)


class _ThreeByteText(TransactionProxy):
    def put_records(self, scope: DatasetScope, records: Iterable[RecordState]) -> None:
        """Keys and values go to 3-byte UTF-8 columns: characters outside the BMP become U+FFFD."""
        self.inner.put_records(scope, [_bmp_only(r) for r in records])


def _bmp_only(record: RecordState) -> RecordState:
    value = None if record.value is None else _bmp(record.value)
    return dataclasses.replace(record, key=_bmp(record.key), value=value)


def _bmp(text: str) -> str:
    return "".join(c if ord(c) <= 0xFFFF else "\ufffd" for c in text)


def astral_characters_mangled() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_ThreeByteText))


def body_cap_too_small() -> CognitoSyncApp:
    """Caps bodies at 2 MiB, twice the dataset limit, forgetting boto3's \\uXXXX escapes."""
    app = serve()
    app.max_body_bytes = 2 * 1024 * 1024
    return app


class _FixedBuffer(CognitoSyncApp):
    buffer_bytes = 2 * 1024 * 1024

    def read_body(self, environ: dict[str, Any]) -> bytes:
        """Copies the body into a fixed 2 MiB buffer; a longer body overflows it (a crash)."""
        length = str(environ.get("CONTENT_LENGTH") or "0")
        if length.isdigit() and int(length) > self.buffer_bytes:
            raise BufferError(f"body of {length} bytes overflows the"
                              f" {self.buffer_bytes}-byte buffer")
        return super().read_body(environ)


def large_body_crashes() -> CognitoSyncApp:
    return serve(app_class=_FixedBuffer)
