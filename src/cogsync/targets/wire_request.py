"""Our own rest-json request builder for the five operations.

botocore's serializer refuses (or crashes on) values of the wrong type, and the kit
must put exactly those in front of a server. This builder encodes the call the way
boto3 lays it out on the wire (path labels percent-encoded with ``:`` as ``%3A``,
query names ``lastSyncCount``..., header ``x-amz-Client-Context``, body
``json.dumps`` with non-ASCII escaped as ``\\uXXXX``, ``Content-Type:
application/json``) but never checks a value:

- a non-string label or query value is stringified (``str(5)`` -> ``"5"``), as
  botocore does when validation is off;
- a missing path label is sent as an empty segment (``/datasets/``): the nearest
  request a server can receive;
- body members are copied as given (wrong types, over-long strings, absent members
  stay absent); members the model does not know go in the UpdateRecords body too
  (the server must ignore them); a GET or DELETE carries none;
- lone surrogates in labels and query values are sent as their (invalid) UTF-8
  bytes, so the server sees them.

Only a value that has no JSON form at all (a set, an object) makes the call
unsendable: :class:`UnsendableCall`, which adapters report as ``Unknown``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cogsync.contracts.calls import OPERATIONS, Call
from cogsync.errors import CogsyncError, UsageError

#: Characters left alone when percent-encoding query names and values (as botocore).
QUERY_SAFE = "-_.~"
BASE_PATH = "/identitypools/{IdentityPoolId}/identities/{IdentityId}/datasets"
DATASET_PATH = BASE_PATH + "/{DatasetName}"
CLIENT_CONTEXT_HEADER = "x-amz-Client-Context"


@dataclass(frozen=True)
class Route:
    """Where an operation's parameters go on the wire (from the service model)."""

    method: str
    path_template: str
    query_names: Mapping[str, str]
    header_names: Mapping[str, str]
    has_body: bool


_LIST_QUERY = {"NextToken": "nextToken", "MaxResults": "maxResults"}

ROUTES: dict[str, Route] = {
    "UpdateRecords": Route(
        "POST", DATASET_PATH, {}, {"ClientContext": CLIENT_CONTEXT_HEADER}, True
    ),
    "ListRecords": Route(
        "GET",
        DATASET_PATH + "/records",
        {"LastSyncCount": "lastSyncCount", **_LIST_QUERY, "SyncSessionToken": "syncSessionToken"},
        {},
        False,
    ),
    "DescribeDataset": Route("GET", DATASET_PATH, {}, {}, False),
    "DeleteDataset": Route("DELETE", DATASET_PATH, {}, {}, False),
    "ListDatasets": Route("GET", BASE_PATH, _LIST_QUERY, {}, False),
}

PATH_LABELS = ("IdentityPoolId", "IdentityId", "DatasetName")


class UnsendableCall(CogsyncError, ValueError):
    """A call holds a value that has no wire form (not even an invalid one)."""


@dataclass(frozen=True)
class WireRequest:
    """One HTTP request, ready to sign and send. ``path`` is already percent-encoded."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    @property
    def query_string(self) -> str:
        return encode_query(self.query)

    @property
    def target(self) -> str:
        """Path plus query string, as it appears on the request line."""
        return f"{self.path}?{self.query_string}" if self.query else self.path


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value if isinstance(value, str) else str(value)


def encode_label(value: Any) -> str:
    """A path label percent-encoded with nothing kept safe (``:`` -> ``%3A``).

    The valid dataset names ``.`` and ``..`` are sent as ``%2E`` and ``%2E%2E``: as
    plain dots, URL normalization (urllib3's, a proxy's) would remove them as dot
    segments and the request would reach another path.
    """
    if isinstance(value, bytes):
        return quote(value, safe="")
    encoded = quote(_text(value), safe="", errors="surrogatepass")
    return "%2E" * len(encoded) if encoded in (".", "..") else encoded


def encode_query(pairs: Any) -> str:
    """``name=value&...`` with both percent-encoded as botocore does."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return "&".join(
        f"{quote(_text(k), safe=QUERY_SAFE, errors='surrogatepass')}="
        f"{quote(_text(v), safe=QUERY_SAFE, errors='surrogatepass')}"
        for k, v in items
    )


def query_pairs(params: Mapping[str, Any], names: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """Query parameters in call order; a list value repeats the name, as botocore does."""
    pairs: list[tuple[str, str]] = []
    for member, value in params.items():
        if member not in names:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((names[member], _text(item)) for item in values)
    return tuple(pairs)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        seconds = value.timestamp()
        return int(seconds) if seconds == int(seconds) else seconds
    raise TypeError(f"{type(value).__name__} value {value!r} has no JSON form")


def encode_body(members: Mapping[str, Any]) -> bytes:
    """The JSON body as boto3 writes it: ``json.dumps`` defaults, so non-ASCII is ``\\uXXXX``."""
    try:
        return json.dumps(dict(members), default=_json_default).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        raise UnsendableCall(f"the request body cannot be encoded as JSON: {exc}") from exc


def check_header_values(headers: Mapping[str, str]) -> None:
    """UnsendableCall for a header value HTTP cannot carry (CR or LF in it).

    http.client refuses those before sending (boto3 included); every adapter refuses
    them the same way. Other text is sent as UTF-8 bytes, as botocore does.
    """
    for name, value in headers.items():
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise UnsendableCall(f"header {name} value {value!r} cannot be sent over HTTP")


def header_bytes(headers: Mapping[str, str]) -> dict[str, bytes]:
    """Header values as botocore puts them on the wire: UTF-8 encoded."""
    return {name: value.encode("utf-8", "surrogateescape") for name, value in headers.items()}


def operation_at(method: str, path: str) -> str | None:
    """The operation whose route a raw request's method and (encoded) path match, or None.

    Reproduction scripts judge a raw request's error type against that operation's
    list (WIRE-3), as the wire fuzzer did when it sent it.
    """
    parts = path.split("?", 1)[0].strip("/").split("/")
    if len(parts) < 5 or parts[0] != "identitypools" or parts[2] != "identities" or parts[4] != "datasets":
        return None
    shape = "/".join(["{}" if i in (1, 3, 5) else part for i, part in enumerate(parts)])
    for operation, route in ROUTES.items():
        template = route.path_template.strip("/")
        for label in PATH_LABELS:
            template = template.replace("{" + label + "}", "{}")
        if route.method == method.upper() and template == shape:
            return operation
    return None


def route_of(operation: str) -> Route:
    if operation not in ROUTES:
        raise UsageError.bad_argument("operation", operation, "one of " + ", ".join(OPERATIONS))
    return ROUTES[operation]


def build_request(call: Call) -> WireRequest:
    """The HTTP request boto3 would send for ``call``, invalid values left as they are."""
    route = route_of(call.operation)
    params = call.params
    labels = {
        name: encode_label(params[name]) if name in params else ""
        for name in PATH_LABELS
        if "{" + name + "}" in route.path_template
    }
    path = route.path_template.format(**labels)
    headers = {
        header: _text(params[member])
        for member, header in route.header_names.items()
        if member in params
    }
    body: bytes | None = None
    if route.has_body:
        located = set(PATH_LABELS) | set(route.query_names) | set(route.header_names)
        body = encode_body({k: v for k, v in params.items() if k not in located})
        headers["Content-Type"] = "application/json"
    return WireRequest(
        method=route.method,
        path=path,
        query=query_pairs(params, route.query_names),
        headers=headers,
        body=body,
    )
