"""The emulator's WSGI application: Cognito Sync's rest-json wire, as botocore and SDKs send it.

Parses requests into boto3-named parameters for the backend and serializes its
answers and errors; knows no rules. What it guarantees on the wire:

- Routes of docs/contract.md section 1; path labels are split on the raw (still
  percent-encoded) path, then decoded as UTF-8, so ``%3A`` is ``:`` and ``%2F``
  cannot fake a path segment.
- Query integers (``lastSyncCount``, ``maxResults``) must be decimal integers, else
  400 InvalidParameterException. The JSON body may come as ``application/json``,
  ``application/x-amz-json-1.1``, anything else, or with no content type at all.
  ``x-amz-Client-Context`` is accepted and ignored.
- Answers are JSON (UTF-8); timestamps are epoch seconds as JSON numbers. Errors
  carry the type's status (WIRE-2), ``x-amzn-ErrorType: <Type>``, a JSON body
  ``{"message": ..., "__type": <Type>}`` and, like every answer, ``x-amzn-RequestId``.
- Bad input never gets a 5xx (WIRE-4) and changes nothing: malformed JSON, wrong
  types, missing members, invalid UTF-8 anywhere, unknown routes and methods, bodies
  over the cap. All of these are 400 InvalidParameterException, the one type the
  service model lists for every operation, so whichever operation a checker thinks
  an unknown route was meant to be, the answer stays within WIRE-3.
- The body cap (default 8 MiB, and never less than 7 bytes per byte of the dataset
  limit plus 1 MiB, so it admits the largest valid write as boto3 escapes it: a
  control character is 1 UTF-8 byte but 6 on the wire) is enforced before reading: an
  announced Content-Length over it is refused at once; a chunked body is read in
  bounded pieces and refused as soon as it passes the cap. Such answers carry
  ``Connection: close`` (the rest of the body is never read into memory).
- With a :class:`~cogsync.emulator.auth.SigV4Verifier`, every request must be signed
  by a known key (403 otherwise, nothing changes), and a key bound to one identity
  gets 403 NotAuthorizedException on any other identity's datasets (ISO-2).

Seams (``CognitoSyncApp.SEAMS``, as the backend's): ``read_body`` reads the body
within the cap, ``request_document`` turns an UpdateRecords body into its JSON object,
``authenticated_call`` checks the signature before the call runs, ``path_labels``
routes the request and decodes its path labels (once). ``request_document``
ignores the Content-Type (SDKs send ``application/json`` and
``application/x-amz-json-1.1``) and reads an empty body as ``{}``.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit

from cogsync.emulator.auth import Caller, ReceivedRequest, SigV4Verifier
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.errors import (
    InternalErrorException,
    InvalidParameterException,
    NotAuthorizedException,
    ServiceError,
)
from cogsync.errors import UsageError

log = logging.getLogger("cogsync.emulator")

DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
_READ_PIECE = 64 * 1024
_INTEGER = re.compile(r"-?[0-9]{1,4000}")
_UNSAFE_QUERY = re.compile(r"[^\x21-\x7e]")

StartResponse = Callable[..., Any]

#: (number of path segments, method) -> operation. Segments of
#: /identitypools/{pool}/identities/{identity}/datasets[/{name}[/records]].
_ROUTES: dict[tuple[int, str], str] = {
    (6, "GET"): "ListDatasets",
    (7, "POST"): "UpdateRecords",
    (7, "GET"): "DescribeDataset",
    (7, "DELETE"): "DeleteDataset",
    (8, "GET"): "ListRecords",
}


def default_max_body_bytes(max_dataset_bytes: int) -> int:
    """A cap that admits the largest valid write for the dataset limit, 8 MiB at least."""
    return max(DEFAULT_MAX_BODY_BYTES, 7 * max_dataset_bytes + 1024 * 1024)


class _BodyRefused(InvalidParameterException):
    """The body was not (fully) read: the connection must close after the answer."""


class CognitoSyncApp:
    """A WSGI application serving one :class:`CognitoSyncBackend`."""

    #: The named steps a subclass may replace (the mutant catalog does, one each).
    SEAMS: tuple[str, ...] = ("read_body", "request_document", "authenticated_call", "path_labels")

    def __init__(
        self,
        backend: CognitoSyncBackend,
        *,
        max_body_bytes: int | None = None,
        auth: SigV4Verifier | None = None,
    ) -> None:
        if max_body_bytes is None:
            max_body_bytes = default_max_body_bytes(backend.limits.max_dataset_bytes)
        if not isinstance(max_body_bytes, int) or isinstance(max_body_bytes, bool) or (
            max_body_bytes < 1
        ):
            raise UsageError.bad_argument("max_body_bytes", max_body_bytes, "a whole number >= 1")
        self.backend = backend
        self.max_body_bytes = max_body_bytes
        self.auth = auth

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request_id = str(uuid.uuid4())
        try:
            status, body = 200, self._handle(environ)
            return _send(start_response, status, body, request_id)
        except ServiceError as error:
            extra = [("Connection", "close")] if isinstance(error, _BodyRefused) else []
            return _send_error(start_response, error, request_id, extra)
        except Exception:  # a bug: say so in the AWS shape rather than drop the connection
            log.exception("cogsync emulator failed on request %s", request_id)
            failure = InternalErrorException(f"Internal error; request id {request_id}")
            return _send_error(start_response, failure, request_id, [])

    # -- one request -------------------------------------------------------------------------
    def _handle(self, environ: dict[str, Any]) -> dict[str, Any]:
        raw_path, query = _raw_target(environ)
        headers = _headers(environ)
        body = self.read_body(environ)
        request = ReceivedRequest(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            scheme=str(environ.get("wsgi.url_scheme", "http")),
            host=headers.get("host") or _server_host(environ),
            raw_path=raw_path,
            query=query,
            headers=headers,
            body=body,
        )
        return self.authenticated_call(request)

    def read_body(self, environ: dict[str, Any]) -> bytes:
        """WIRE-4: the request body, never more than ``max_body_bytes`` of it read (400 past)."""
        return _read_body(environ, self.max_body_bytes)

    def request_document(self, request: ReceivedRequest) -> dict[str, Any]:
        """WIRE-4, VAL-2: the UpdateRecords body as a JSON object whatever its Content-Type (else 400)."""
        return _json_object(request.body)

    def authenticated_call(self, request: ReceivedRequest) -> dict[str, Any]:
        """ISO-2: the signature is checked before the operation runs (403: nothing changes)."""
        caller = self.auth.verify(request) if self.auth is not None else None
        return self.call_as(request, caller)

    def call_as(self, request: ReceivedRequest, caller: Caller | None) -> dict[str, Any]:
        """Route the request, hold a bound key to its identity (ISO-2), run the operation."""
        operation, labels = self.path_labels(request.method, request.raw_path)
        bound = caller.credential.identity_id if caller is not None else None
        if bound is not None and labels.get("IdentityId") != bound:
            raise NotAuthorizedException(
                f"Access to Identity '{labels.get('IdentityId')}' is forbidden."
            )
        params: dict[str, Any] = dict(labels)
        if operation == "UpdateRecords":
            document = self.request_document(request)
            for member in ("DeviceId", "RecordPatches", "SyncSessionToken"):
                params[member] = document.get(member)
            params["ClientContext"] = request.headers.get("x-amz-client-context")
        else:
            params.update(_query_params(operation, request.query))
        return self.backend.call(operation, params)

    def path_labels(self, method: str, raw_path: str) -> tuple[str, dict[str, str]]:
        """The operation and its path labels, each percent-decoded exactly once."""
        # Once: a label is the client's text (``a%2541`` on the wire is ``a%41``, an
        # invalid DatasetName, never ``aA``); decoding twice, or not at all, turns one
        # dataset's name into another's.
        return _route(method, raw_path)


# -- parsing ---------------------------------------------------------------------------------
def _raw_target(environ: Mapping[str, Any]) -> tuple[str, str]:
    """The path as the client sent it (percent-encoding intact) and the query string."""
    target = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if isinstance(target, str) and target:
        if not target.startswith("/"):  # absolute-form request target
            parts = urlsplit(target)
            return parts.path or "/", parts.query
        path, _, query = target.partition("?")
        return path, query
    path_info = str(environ.get("PATH_INFO", "/")).encode("latin-1", "replace")
    return quote(path_info, safe="/:@!$&'()*+,;=-._~"), str(environ.get("QUERY_STRING", ""))


def _headers(environ: Mapping[str, Any]) -> dict[str, str]:
    headers = {
        name[5:].replace("_", "-").lower(): str(value)
        for name, value in environ.items()
        if name.startswith("HTTP_")
    }
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(name):
            headers[name.replace("_", "-").lower()] = str(environ[name])
    return headers


def _server_host(environ: Mapping[str, Any]) -> str:
    return f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"


def _route(method: str, raw_path: str) -> tuple[str, dict[str, str]]:
    segments = raw_path.split("/")
    shaped = (
        len(segments) in (6, 7, 8)
        and segments[0] == ""
        and segments[1] == "identitypools"
        and segments[3] == "identities"
        and segments[5] == "datasets"
        and (len(segments) < 8 or segments[7] == "records")
    )
    operation = _ROUTES.get((len(segments), method)) if shaped else None
    if operation is None:
        shown = raw_path if len(raw_path) <= 200 else raw_path[:200] + "..."
        raise InvalidParameterException(
            f"No operation of the Cognito Sync records API is {method} {shown}"
            " (this emulator serves UpdateRecords, ListRecords, DescribeDataset, DeleteDataset"
            " and ListDatasets)"
        )
    labels = {"IdentityPoolId": _label(segments[2]), "IdentityId": _label(segments[4])}
    if len(segments) >= 7:
        labels["DatasetName"] = _label(segments[6])
    return operation, labels


def _label(segment: str) -> str:
    try:
        return unquote_to_bytes(segment).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameterException(
            f"Path segment {segment[:80]!r} is not percent-encoded UTF-8"
        ) from None


def _query_params(operation: str, query: str) -> dict[str, Any]:
    if _UNSAFE_QUERY.search(query):
        raise InvalidParameterException("The query string must be percent-encoded ASCII")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=64)
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterException(
            "The query string is not valid (percent-encoded UTF-8, at most 64 fields)"
        ) from None
    given: dict[str, str] = {}
    for name, value in pairs:
        given.setdefault(name, value)
    wanted = {"maxResults": "MaxResults", "nextToken": "NextToken"}
    if operation == "ListRecords":
        wanted |= {"lastSyncCount": "LastSyncCount", "syncSessionToken": "SyncSessionToken"}
    params: dict[str, Any] = {}
    for name, member in wanted.items():
        if name not in given:
            continue
        value = given[name]
        if member in ("MaxResults", "LastSyncCount"):
            if _INTEGER.fullmatch(value) is None:
                raise InvalidParameterException(
                    f"1 validation error detected: Value {value[:80]!r} at '{name}' failed to"
                    " satisfy constraint: Member must be an integer"
                )
            params[member] = int(value)
        else:
            params[member] = value
    return params


def _read_body(environ: Mapping[str, Any], cap: int) -> bytes:
    """The request body, never more than ``cap`` bytes read; _BodyRefused past the cap."""
    stream = environ.get("wsgi.input")
    length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
    chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower() or bool(
        environ.get("wsgi.input_terminated")
    )
    too_big = _BodyRefused(
        f"Request body of {length_text or 'more than ' + str(cap)} bytes is over this server's"
        f" cap of {cap} bytes"
    )
    try:
        if length_text and not chunked:
            if not length_text.isascii() or not length_text.isdigit():
                raise _BodyRefused(f"Content-Length {length_text[:40]!r} is not a number")
            length = int(length_text)
            if length > cap:
                raise too_big
            data = _read_up_to(stream, length)
            if len(data) < length:
                raise _BodyRefused("Request body shorter than its Content-Length")
            return data
        if chunked:
            data = _read_up_to(stream, cap + 1)
            if len(data) > cap:
                raise too_big
            return data
        return b""
    except ServiceError:
        raise
    except Exception as exc:  # broken chunk framing, a reset or timed-out socket
        raise _BodyRefused(f"Request body could not be read: {exc}") from None


def _read_up_to(stream: Any, limit: int) -> bytes:
    if stream is None or limit <= 0:
        return b""
    pieces: list[bytes] = []
    total = 0
    while total < limit:
        piece = stream.read(min(_READ_PIECE, limit - total))
        if not piece:
            break
        pieces.append(piece)
        total += len(piece)
    return b"".join(pieces)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameterException("Request body is not valid UTF-8") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidParameterException(f"Request body is not valid JSON: {exc}"[:300]) from None
    if not isinstance(document, dict):
        raise InvalidParameterException("Request body must be a JSON object")
    return document


# -- answers ---------------------------------------------------------------------------------
def _send(
    start_response: StartResponse,
    status: int,
    body: Mapping[str, Any],
    request_id: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    data = payload.encode("utf-8")
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(data))),
        ("x-amzn-RequestId", request_id),
        *(extra or []),
    ]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [data]


def _send_error(
    start_response: StartResponse,
    error: ServiceError,
    request_id: str,
    extra: list[tuple[str, str]],
) -> list[bytes]:
    body = {"message": error.message, "__type": error.error_type}
    return _send(
        start_response, error.status, body, request_id,
        [("x-amzn-ErrorType", error.error_type), *extra],
    )
