"""The adapters send real SigV4 signatures: recomputed from what the server received, they match."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cogsync.targets import HttpTarget, InProcessTarget
from cogsync.targets.in_process import build_environ

from .conftest import REGION, Answer, CannedServer, list_records, replace, update

CREDENTIALS = Credentials("AKIDSIGNINGTEST", "signing-test-secret")
AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"cognito-sync/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


def signature_verifies(
    method: str, url: str, headers: Mapping[str, str], body: bytes, secret: str
) -> bool:
    """Recompute the signature the way a server does, from the received request."""
    lowered = {k.lower(): v for k, v in headers.items()}
    match = AUTHORIZATION.match(lowered["authorization"])
    assert match is not None, lowered["authorization"]
    signed = match["signed"].split(";")
    request = AWSRequest(
        method=method, url=url, data=body, headers={name: lowered[name] for name in signed}
    )
    request.context["timestamp"] = lowered["x-amz-date"]
    auth = SigV4Auth(Credentials(match["key"], secret), "cognito-sync", match["region"])
    string_to_sign = auth.string_to_sign(request, auth.canonical_request(request))
    return auth.signature(string_to_sign, request) == match["signature"]


def environ_headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if "CONTENT_TYPE" in environ:
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def recording_app() -> tuple[Callable[..., Any], list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        seen.append({**environ, "body": environ["wsgi.input"].read(length)})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    return app, seen


@pytest.mark.parametrize("with_body", [True, False])
def test_in_process_requests_carry_a_verifiable_sigv4_signature(
    ids: dict[str, str], with_body: bool
) -> None:
    app, seen = recording_app()
    target = InProcessTarget(app, credentials=CREDENTIALS, region="eu-west-1")
    call = (
        update(ids, "tok", [replace("k:é", "v", 0)])
        if with_body
        else list_records(ids, LastSyncCount=3, NextToken="a+b/=")
    )
    target.send(call)
    environ = seen[-1]
    url = "http://" + environ["HTTP_HOST"] + environ["RAW_URI"]
    headers = environ_headers(environ)
    match = AUTHORIZATION.match(headers["authorization"])
    assert match is not None and match["region"] == "eu-west-1"
    assert signature_verifies(
        environ["REQUEST_METHOD"], url, headers, environ["body"], CREDENTIALS.secret_key
    )
    assert not signature_verifies(
        environ["REQUEST_METHOD"], url, headers, environ["body"], "another-secret"
    )
    assert target.last_environ is not None and target.last_environ["RAW_URI"] == environ["RAW_URI"]


def test_http_requests_carry_a_signature_that_verifies_over_the_wire(
    canned_server: Callable[[Answer], CannedServer], ids: dict[str, str]
) -> None:
    server = canned_server((200, {}, b"{}"))
    target = HttpTarget(server.url, region=REGION, credentials=CREDENTIALS)
    try:
        target.send(update(ids, "tok", [replace("k", "v", 0)], ClientContext="ctx"))
        target.send(list_records(ids, LastSyncCount=1))
    finally:
        target.close()
    assert len(server.received) == 2
    for method, path, headers, body in server.received:
        url = server.url + path
        assert signature_verifies(method, url, headers, body, CREDENTIALS.secret_key)
        signed = AUTHORIZATION.match(headers["Authorization"])["signed"]  # type: ignore[index]
        assert "host" in signed.split(";") and "x-amz-date" in signed.split(";")
    post_headers = {k.lower() for k in server.received[0][2]}
    assert "x-amz-client-context" in post_headers


def test_session_tokens_are_sent(
    canned_server: Callable[[Answer], CannedServer], ids: dict[str, str]
) -> None:
    server = canned_server((200, {}, b"{}"))
    target = HttpTarget(server.url, credentials=("AKIDTEMP", "secret", "session-token"))
    try:
        target.send(list_records(ids))
    finally:
        target.close()
    headers = server.received[0][2]
    assert headers["X-Amz-Security-Token"] == "session-token"
    assert signature_verifies("GET", server.url + server.received[0][1], headers, b"", "secret")


def test_no_sign_sends_no_authorization(
    canned_server: Callable[[Answer], CannedServer], ids: dict[str, str]
) -> None:
    server = canned_server((200, {}, b"{}"))
    target = HttpTarget(server.url, sign=False)
    try:
        target.send(list_records(ids))
    finally:
        target.close()
    assert "Authorization" not in server.received[0][2]


def test_environ_follows_pep_3333() -> None:
    environ = build_environ(
        "POST",
        "/identitypools/us-east-1%3Aa/identities/b%2Fc/datasets/d?lastSyncCount=1",
        {"Content-Type": "application/json", "x-amz-Client-Context": "c"},
        b"{}",
    )
    assert environ["PATH_INFO"] == "/identitypools/us-east-1:a/identities/b/c/datasets/d"
    assert environ["QUERY_STRING"] == "lastSyncCount=1"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["CONTENT_LENGTH"] == "2"
    assert environ["HTTP_X_AMZ_CLIENT_CONTEXT"] == "c"
    assert environ["wsgi.input"].read() == b"{}"
    assert environ["wsgi.version"] == (1, 0) and environ["wsgi.url_scheme"] == "http"


def test_non_ascii_header_values_go_out_as_utf8_bytes(
    canned_server: Callable[[Answer], CannedServer], ids: dict[str, str]
) -> None:
    server = canned_server((200, {}, b"{}"))
    call = update(ids, "tok", [], ClientContext="é😀")
    http = HttpTarget(server.url, credentials=CREDENTIALS)
    try:
        http.send(call)
    finally:
        http.close()
    app, seen = recording_app()
    InProcessTarget(app).send(call)
    expected = "é😀".encode()
    # Servers read header bytes as latin-1 (http.server and PEP 3333 alike).
    assert server.received[0][2]["x-amz-Client-Context"].encode("latin-1") == expected
    assert seen[0]["HTTP_X_AMZ_CLIENT_CONTEXT"].encode("latin-1") == expected
