"""WIRE-4: no request a client can send gets a 5xx or changes anything (raw HTTP, served emulator).

Each malformed request carries a valid SyncSessionToken where it has a body, so the
malformation alone is what the server must refuse. After each one the dataset's
state (through boto3) is what it was.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from cogsync.contracts.calls import ERROR_STATUS
from cogsync.emulator.wire import DEFAULT_MAX_BODY_BYTES

from .conftest import Sync, error_of, make_client

CAP = DEFAULT_MAX_BODY_BYTES


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Target:
    host: str
    port: int
    path: str  # the dataset's path, percent-encoded as botocore does
    token: str

    def body(self, **members: Any) -> bytes:
        document = {"SyncSessionToken": self.token,
                    "RecordPatches": [{"Op": "replace", "Key": "k", "Value": "new",
                                       "SyncCount": 1}]}
        document.update(members)
        return json.dumps(document).encode()


def _head(method: str, path: str, headers: dict[str, str], *, version: str = "HTTP/1.1") -> bytes:
    lines = [f"{method} {path} {version}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def exchange(target: Target, data: bytes, *, then: Callable[[socket.socket], None] | None = None,
             timeout: float = 10.0) -> Answer:
    """Send raw bytes (then run ``then`` on the socket), read one HTTP answer."""
    with socket.create_connection((target.host, target.port), timeout=timeout) as sock:
        sock.sendall(data)
        if then is not None:
            then(sock)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def request(target: Target, method: str, path: str | None = None, body: bytes = b"",
            headers: dict[str, str] | None = None) -> Answer:
    all_headers = {"Host": f"{target.host}:{target.port}", "Content-Type": "application/json",
                   "Content-Length": str(len(body)), **(headers or {})}
    return exchange(target, _head(method, path or target.path, all_headers) + body)


def _post(body: bytes, **headers: str) -> Callable[[Target], Answer]:
    return lambda t: request(t, "POST", body=body, headers=headers)


def _post_members(**members: Any) -> Callable[[Target], Answer]:
    return lambda t: request(t, "POST", body=t.body(**members))


def _get(suffix: str) -> Callable[[Target], Answer]:
    return lambda t: request(t, "GET", t.path + suffix)


def _over_cap_announced(t: Target) -> Answer:
    """Headers only, announcing 100 MiB: the answer must come without the body being sent."""
    head = _head("POST", t.path, {"Host": t.host, "Content-Type": "application/json",
                                  "Content-Length": str(100 * 1024 * 1024)})
    started = time.monotonic()
    answer = exchange(t, head, timeout=5.0)
    assert time.monotonic() - started < 5.0
    return answer


def _over_cap_chunked(t: Target) -> Answer:
    head = _head("POST", t.path, {"Host": t.host, "Content-Type": "application/json",
                                  "Transfer-Encoding": "chunked"})
    piece = b"x" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"

    def stream(sock: socket.socket) -> None:
        # Just past the cap, and no closing chunk: a server that wanted the whole body
        # would wait for the rest and never answer.
        sent = 0
        try:
            while sent <= CAP + len(piece):
                sock.sendall(chunk)
                sent += len(piece)
        except OSError:  # the server may stop listening once it has refused
            pass

    return exchange(t, head, then=stream, timeout=5.0)


def _short_body(t: Target) -> Answer:
    head = _head("POST", t.path, {"Host": t.host, "Content-Length": "100"})
    return exchange(t, head + b'{"Sync', then=lambda s: s.shutdown(socket.SHUT_WR))


def _raw(data: Callable[[Target], bytes]) -> Callable[[Target], Answer]:
    return lambda t: exchange(t, data(t))


def _deep_json(t: Target) -> bytes:
    return b'{"SyncSessionToken":"' + t.token.encode() + b'","RecordPatches":' + \
        b"[" * 200_000 + b"]" * 200_000 + b"}"


def _scope_path(t: Target) -> str:
    return t.path.rsplit("/datasets/", 1)[0]


CASES: dict[str, Callable[[Target], Answer]] = {
    # malformed JSON
    "json-truncated": _post(b'{"SyncSessionToken": "t", "RecordPatches": ['),
    "json-not-an-object": _post(b"[1, 2, 3]"),
    "json-nan": lambda t: request(t, "POST", body=t.body().replace(
        b'"SyncCount": 1', b'"SyncCount": NaN')),
    "json-infinity-date": lambda t: request(t, "POST", body=t.body().replace(
        b'"SyncCount": 1', b'"SyncCount": 1, "DeviceLastModifiedDate": Infinity')),
    "json-date-past-a-double": lambda t: request(t, "POST", body=t.body().replace(
        b'"SyncCount": 1', b'"SyncCount": 1, "DeviceLastModifiedDate": 1' + b"0" * 400)),
    "json-deep-nesting": lambda t: request(t, "POST", body=_deep_json(t)),
    "json-huge-integer": lambda t: request(t, "POST", body=t.body().replace(
        b'"SyncCount": 1', b'"SyncCount": 1' + b"0" * 5000)),
    "json-lone-surrogate": lambda t: request(t, "POST", body=t.body().replace(
        b'"new"', b'"\\ud800"')),
    "json-bom": lambda t: request(t, "POST", body=b"\xef\xbb\xbf" + t.body()),
    "empty-body": _post(b""),
    # wrong JSON types
    "patches-a-string": _post_members(RecordPatches="replace k"),
    "patches-an-object": _post_members(RecordPatches={"Op": "replace"}),
    "patch-not-an-object": _post_members(RecordPatches=[1]),
    "key-a-number": _post_members(RecordPatches=[{"Op": "replace", "Key": 7, "SyncCount": 1}]),
    "op-a-list": _post_members(RecordPatches=[{"Op": ["replace"], "Key": "k", "SyncCount": 1}]),
    "count-a-bool": _post_members(RecordPatches=[{"Op": "replace", "Key": "k", "SyncCount": True}]),
    "count-a-string": _post_members(
        RecordPatches=[{"Op": "replace", "Key": "k", "SyncCount": "1"}]),
    "device-an-object": _post_members(DeviceId={"id": 1}),
    "device-date-a-string": _post_members(RecordPatches=[{
        "Op": "replace", "Key": "k", "Value": "v", "SyncCount": 1,
        "DeviceLastModifiedDate": "yesterday"}]),
    "token-a-number": _post_members(SyncSessionToken=5),
    # missing members
    "token-missing": lambda t: request(t, "POST", body=json.dumps(
        {"RecordPatches": [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 1}]}).encode()),
    "key-missing": _post_members(RecordPatches=[{"Op": "replace", "SyncCount": 1}]),
    "op-missing": _post_members(RecordPatches=[{"Key": "k", "SyncCount": 1}]),
    "count-missing": _post_members(RecordPatches=[{"Op": "replace", "Key": "k"}]),
    # invalid UTF-8
    "utf8-body": lambda t: request(t, "POST", body=t.body().replace(b'"new"', b'"n\xffw"')),
    "utf8-path": lambda t: request(t, "GET", t.path.replace("datasets/", "datasets/%FF%FE")),
    "utf8-query": _get("/records?nextToken=%C3%28"),
    "raw-non-ascii-query": lambda t: exchange(t, _head("GET", t.path + "/records?nextToken=x", {
        "Host": t.host}).replace(b"nextToken=x", b"nextToken=\xe9")),
    # query integers
    "last-sync-count-text": _get("/records?lastSyncCount=abc"),
    "last-sync-count-empty": _get("/records?lastSyncCount="),
    "last-sync-count-fullwidth-digit": _get("/records?lastSyncCount=%EF%BC%91"),
    "max-results-fraction": _get("/records?maxResults=1.5"),
    "max-results-zero": _get("/records?maxResults=0"),
    "too-many-query-fields": _get("/records?" + "&".join(f"f{i}=1" for i in range(100))),
    # unknown routes and methods
    "root": lambda t: request(t, "GET", "/"),
    "partial-path": lambda t: request(t, "GET", "/identitypools"),
    "trailing-slash": _get("/"),
    "extra-segment": _get("/records/extra"),
    "post-to-records": lambda t: request(t, "POST", t.path + "/records", t.body()),
    "put-dataset": lambda t: request(t, "PUT", body=t.body()),
    "patch-dataset": lambda t: request(t, "PATCH", body=t.body()),
    "options-dataset": lambda t: request(t, "OPTIONS"),
    "delete-datasets-list": lambda t: request(t, "DELETE", _scope_path(t) + "/datasets"),
    "other-cognito-sync-call": lambda t: request(t, "POST", t.path + "/subscriptions/device-1"),
    "encoded-slash-in-label": lambda t: request(t, "GET", t.path + "%2Fx"),
    # framing
    "over-cap-content-length": _over_cap_announced,
    "over-cap-chunked": _over_cap_chunked,
    "short-body": _short_body,
    "content-length-not-a-number": _raw(lambda t: _head("POST", t.path, {
        "Host": t.host, "Content-Length": "ten"}) + t.body()),
    "content-length-negative": _raw(lambda t: _head("POST", t.path, {
        "Host": t.host, "Content-Length": "-5"})),
    "bad-chunk-framing": _raw(lambda t: _head("POST", t.path, {
        "Host": t.host, "Transfer-Encoding": "chunked"}) + b"zz\r\nhello\r\n0\r\n\r\n"),
    "unknown-transfer-encoding": _raw(lambda t: _head("POST", t.path, {
        "Host": t.host, "Transfer-Encoding": "gzip", "Content-Length": "2"}) + b"{}"),
    "unsupported-http-version": _raw(lambda t: _head("GET", t.path, {"Host": t.host},
                                                     version="HTTP/2.0")),
    "garbage-request-line": _raw(lambda t: b"NOT AN HTTP REQUEST\r\n\r\n"),
}


@pytest.fixture
def target(
    http_url: str, clients: dict[str, Any], http_backend: Any
) -> Iterator[tuple[Target, Sync]]:
    sync = Sync(clients["http"], http_backend, "http")
    sync.put("k", "old", 0)
    parts = urlsplit(http_url)
    scope = sync.scope()
    path = "/identitypools/{}/identities/{}/datasets/{}".format(
        *(quote(scope[name], safe="") for name in ("IdentityPoolId", "IdentityId", "DatasetName"))
    )
    yield Target(parts.hostname or "127.0.0.1", parts.port or 80, path, sync.token()), sync


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_WIRE_4_malformed_requests_get_a_shaped_4xx_and_change_nothing(
    target: tuple[Target, Sync], case: str
) -> None:
    where, sync = target
    before = sync.state()
    answer = CASES[case](where)
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])
    error_type = answer.headers["x-amzn-errortype"]
    assert ERROR_STATUS[error_type] == answer.status
    assert error_type == "InvalidParameterException"
    assert isinstance(json.loads(answer.body)["message"], str)
    assert answer.headers.get("x-amzn-requestid")
    assert sync.state() == before
    # the token survived, so nothing was written with it
    assert sync.write([{"Op": "replace", "Key": "k", "Value": "new", "SyncCount": 1}],
                      token=where.token)["Records"][0]["SyncCount"] == 2


@pytest.mark.parametrize("content_type", ["application/json", "application/x-amz-json-1.1",
                                          None, "text/plain"])
def test_WIRE_4_any_content_type_or_none_is_accepted(
    target: tuple[Target, Sync], content_type: str | None
) -> None:
    where, sync = target
    headers = {"Host": f"{where.host}:{where.port}", "x-amz-Client-Context": "eyJhIjoxfQ==",
               "Content-Length": str(len(where.body()))}
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = exchange(where, _head("POST", where.path, headers) + where.body())
    assert answer.status == 200, answer.body
    assert sync.records()["k"]["Value"] == "new"


def test_WIRE_4_the_connection_stays_usable_after_a_refused_request(
    target: tuple[Target, Sync],
) -> None:
    where, _ = target
    connection = http.client.HTTPConnection(where.host, where.port, timeout=10)
    try:
        for path in (where.path + "/records?lastSyncCount=x", where.path + "/records"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
        assert response.status == 200
    finally:
        connection.close()


def test_WIRE_4_the_largest_valid_write_as_boto3_encodes_it_is_admitted(http_url: str) -> None:
    client = make_client(http_url)
    sync = Sync(client, None, "http")  # type: ignore[arg-type]
    wire_sizes: list[int] = []
    client.meta.events.register("before-send.cognito-sync",
                                lambda request, **_: wire_sizes.append(len(request.body or b"")))
    astral = "\U0001f600" * 262_143  # 4 UTF-8 bytes each: with the 1-byte key, 1,048,573 bytes
    assert sync.put("a", astral, 0, dataset="astral")["Value"] == astral
    controls = "\x01" * 1_048_575  # 1 UTF-8 byte each but 6 on the wire ("\u0001")
    assert sync.put("c", controls, 0, dataset="controls")["Value"] == controls
    assert sync.records("astral")["a"]["Value"] == astral
    assert max(wire_sizes) > 6 * 1024 * 1024 > 3 * 1024 * 1024


def test_WIRE_4_boto3_reads_the_400_for_an_over_cap_body_not_a_reset(http_url: str) -> None:
    client = make_client(http_url)
    sync = Sync(client, None, "http")  # type: ignore[arg-type]
    sync.put("k", "v", 0)
    before = sync.state()
    controls = "\x01" * 1_048_575  # 6 bytes each on the wire: two of them pass 8 MiB
    patches = [{"Op": "replace", "Key": f"big-{i}", "Value": controls, "SyncCount": 0}
               for i in range(2)]
    for _ in range(2):  # and the client's connection pool recovers
        kind, status, message = error_of(lambda: sync.write(patches))
        assert (kind, status) == ("InvalidParameterException", 400)
        assert f"cap of {CAP} bytes" in message
    assert sync.state() == before
