"""The reference emulator speaking with the real service's wire habits (a WSGI middleware).

Every answer the real Cognito Sync gives may differ in form, not in meaning, from
the emulator's; a kit that reads answers as botocore does must not care. This
middleware rewrites each real answer of the wrapped app into those forms:

- every optional member the answer leaves out is written as ``null`` (a tombstone's
  ``"Value": null``, ``"LastModifiedBy": null`` of a missing dataset, ``"NextToken":
  null`` on the last page, ...), members taken from botocore's output shapes;
- timestamps (the shapes' ``timestamp`` members) are Java doubles at millisecond
  precision, ``1.70057487582E9``;
- ``x-amzn-ErrorType`` carries the Coral namespace suffix, ``<Type>:http://...``;
- SyncSessionTokens and NextTokens are replaced by base64-of-gzip-looking aliases
  holding ``+``, ``/`` and ``=``; an alias coming back (query string or JSON body) is
  read back into the emulator's token before the emulator sees the request.

``make_app`` is a WSGI factory for ``cogsync verify --in-process``.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any
from urllib.parse import quote, unquote_plus

import botocore.session

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.wire import CognitoSyncApp

from .java_double import java_timestamp
from .token_aliases import TokenAliases

CORAL_SUFFIX = ":http://internal.amazon.com/coral/com.amazonaws.cognito.sync.model/"
QUERY_TOKENS = ("nextToken", "syncSessionToken")
ANSWER_TOKENS = ("SyncSessionToken", "NextToken")

Headers = list[tuple[str, str]]
StartResponse = Callable[..., Any]

#: (method, number of path segments) -> operation; docs/contract.md section 1.
_ROUTES = {("GET", 6): "ListDatasets", ("POST", 7): "UpdateRecords",
           ("GET", 7): "DescribeDataset", ("DELETE", 7): "DeleteDataset",
           ("GET", 8): "ListRecords"}


@cache
def _output_shape(operation: str) -> Any:
    model = botocore.session.get_session().get_service_model("cognito-sync")
    return model.operation_model(operation).output_shape


def _operation(environ: dict[str, Any]) -> str | None:
    path = str(environ.get("PATH_INFO", ""))
    return _ROUTES.get((str(environ.get("REQUEST_METHOD", "")).upper(), len(path.split("/"))))


class AwsHabits:
    """Wraps a CognitoSyncApp; keeps its ``backend`` and ``reset()`` for the targets."""

    def __init__(self, app: CognitoSyncApp) -> None:
        self.app = app
        self.backend = app.backend
        self.aliases = TokenAliases()

    def reset(self) -> None:
        self.backend.reset()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self._read_back_query(environ)
        self._read_back_body(environ)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, list(headers)
            return lambda _data: None

        body = b"".join(self.app(environ, capture))
        status, headers = str(captured["status"]), captured["headers"]
        code = int(status.split(" ", 1)[0])
        if 200 <= code < 300:
            body = self._dress_answer(_operation(environ), body)
        elif code >= 400:
            headers = [(k, v + CORAL_SUFFIX if k.lower() == "x-amzn-errortype" else v)
                       for k, v in headers]
        headers = [(k, str(len(body)) if k.lower() == "content-length" else v) for k, v in headers]
        start_response(status, headers)
        return [body]

    # -- requests: aliases back into the emulator's tokens -------------------------------------
    def _read_back_query(self, environ: dict[str, Any]) -> None:
        query = str(environ.get("QUERY_STRING", ""))
        if not query:
            return
        fields = []
        for field in query.split("&"):
            name, sep, value = field.partition("=")
            native = self.aliases.native(unquote_plus(value)) if sep else None
            if native is not None and unquote_plus(name) in QUERY_TOKENS:
                field = f"{name}={quote(native, safe='')}"
            fields.append(field)
        rebuilt = "&".join(fields)
        if rebuilt == query:
            return
        environ["QUERY_STRING"] = rebuilt
        for key in ("REQUEST_URI", "RAW_URI"):
            if isinstance(environ.get(key), str):
                environ[key] = environ[key].partition("?")[0] + "?" + rebuilt

    def _read_back_body(self, environ: dict[str, Any]) -> None:
        length = str(environ.get("CONTENT_LENGTH") or "")
        if (environ.get("REQUEST_METHOD") != "POST" or not length.isdigit()
                or int(length) > self.app.max_body_bytes):
            return  # chunked or over the cap: the emulator refuses it unread, as it would
        raw = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            document = json.loads(raw)
        except (ValueError, RecursionError):
            return
        token = document.get("SyncSessionToken") if isinstance(document, dict) else None
        native = self.aliases.native(token) if isinstance(token, str) else None
        if native is None:
            return
        document["SyncSessionToken"] = native
        rewritten = json.dumps(document).encode("utf-8")  # as boto3 writes it
        environ["wsgi.input"] = io.BytesIO(rewritten)
        environ["CONTENT_LENGTH"] = str(len(rewritten))

    # -- answers: the real service's forms ------------------------------------------------------
    def _dress_answer(self, operation: str | None, body: bytes) -> bytes:
        try:
            document = json.loads(body)
        except ValueError:
            return body
        if operation is None or not isinstance(document, dict):
            return body
        for member in ANSWER_TOKENS:
            if isinstance(document.get(member), str):
                document[member] = self.aliases.alias(document[member])
        numbers: dict[str, str] = {}
        marker = f"\x00ts-{secrets.token_hex(8)}-"
        dressed = _dress(document, _output_shape(operation), numbers, marker)
        text = json.dumps(dressed, ensure_ascii=False, separators=(",", ":"))
        # One pass over the text (a replace per timestamp costs seconds on a 1 MB answer).
        quoted = re.compile(re.escape(json.dumps(marker)[:-1]) + r'\d+"')
        text = quoted.sub(lambda found: numbers[json.loads(found.group())], text)
        return text.encode("utf-8")


def _dress(value: Any, shape: Any, numbers: dict[str, str], marker: str) -> Any:
    """``value`` with absent members as null and timestamps as placeholders for E notation."""
    if shape.type_name == "structure" and isinstance(value, dict):
        out = {}
        for name, member in shape.members.items():
            out[name] = (_dress(value[name], member, numbers, marker)
                         if value.get(name) is not None else None)
        out.update((k, v) for k, v in value.items() if k not in shape.members)
        return out
    if shape.type_name == "list" and isinstance(value, list):
        return [_dress(item, shape.member, numbers, marker) for item in value]
    if shape.type_name == "timestamp" and isinstance(value, (int, float)) and not isinstance(
            value, bool):
        placeholder = f"{marker}{len(numbers)}"
        numbers[placeholder] = java_timestamp(value)
        return placeholder
    return value


def make_app() -> AwsHabits:
    """A fresh reference emulator (memory storage) behind the AWS habits: a WSGI factory."""
    return AwsHabits(CognitoSyncApp(CognitoSyncBackend()))
