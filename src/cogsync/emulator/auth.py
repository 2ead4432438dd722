"""Optional SigV4 checking (ISO-2): recompute the signature with botocore's own signer.

Off by default: like moto, the emulator then takes any signature. When on, a request
must carry ``Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
Signature=...`` from a configured access key, and the signature is recomputed from
the request as received (method, raw path, query, the signed headers, the body).
Clock skew is not checked: recorded requests can be replayed.

A credential may be bound to one identity id; the wire refuses it on any other
identity's datasets with 403 NotAuthorizedException.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cogsync.emulator.errors import (
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from cogsync.errors import UsageError

SERVICE_NAME = "cognito-sync"

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+"
    r"Credential=(?P<akid>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/(?P<service>[^/,\s]+)"
    r"/aws4_request\s*,\s*"
    r"SignedHeaders=(?P<signed>[a-z0-9;_.-]+)\s*,\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})\s*"
)


@dataclass(frozen=True)
class Credential:
    """A secret key, optionally bound to the one identity id it may act for."""

    secret_key: str
    identity_id: str | None = None


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as it arrived: raw (still percent-encoded) path and query, lower-case headers."""

    method: str
    scheme: str
    host: str
    raw_path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Caller:
    access_key: str
    credential: Credential


class SigV4Verifier:
    """Checks SigV4 signatures against a fixed set of credentials."""

    def __init__(self, credentials: Mapping[str, str | Credential]) -> None:
        if not credentials:
            raise UsageError.bad_argument(
                "credentials", credentials, "a non-empty mapping of access key -> secret key"
            )
        table: dict[str, Credential] = {}
        for access_key, given in credentials.items():
            credential = Credential(given) if isinstance(given, str) else given
            if not isinstance(access_key, str) or not access_key or not isinstance(
                credential, Credential
            ):
                raise UsageError.bad_argument(
                    "credentials", {access_key: given},
                    "access key strings mapped to a secret key string or a Credential",
                )
            table[access_key] = credential
        self.credentials: dict[str, Credential] = table

    def verify(self, request: ReceivedRequest) -> Caller:
        """The caller whose key signed ``request``; a 403 ServiceError when none did."""
        header = request.headers.get("authorization")
        if not header:
            raise MissingAuthenticationTokenException("Missing Authentication Token")
        match = _AUTHORIZATION.fullmatch(header.strip())
        if match is None:
            raise InvalidSignatureException(
                "Authorization header is not a well-formed AWS4-HMAC-SHA256 signature"
            )
        access_key = match["akid"]
        credential = self.credentials.get(access_key)
        if credential is None:
            raise UnrecognizedClientException(
                "The security token included in the request is invalid."
            )
        amz_date = request.headers.get("x-amz-date", "")
        if match["service"] != SERVICE_NAME or not amz_date.startswith(match["date"]):
            raise InvalidSignatureException(
                f"Credential should be scoped to service '{SERVICE_NAME}' and the request date"
            )
        signed = match["signed"].split(";")
        missing = [name for name in signed if name not in request.headers]
        if missing:
            raise InvalidSignatureException(f"Signed headers missing from the request: {missing}")
        content_hash = request.headers.get("x-amz-content-sha256")
        if content_hash is not None and content_hash != "UNSIGNED-PAYLOAD" and not (
            hmac.compare_digest(content_hash, hashlib.sha256(request.body).hexdigest())
        ):
            raise InvalidSignatureException(
                "The provided x-amz-content-sha256 header does not match the body."
            )
        expected = _signature(request, signed, access_key, credential, match["region"], amz_date)
        if not hmac.compare_digest(expected, match["signature"]):
            raise InvalidSignatureException(
                "The request signature we calculated does not match the signature you provided."
            )
        return Caller(access_key, credential)


def _signature(
    request: ReceivedRequest,
    signed: list[str],
    access_key: str,
    credential: Credential,
    region: str,
    amz_date: str,
) -> str:
    url = f"{request.scheme}://{request.host}{request.raw_path}"
    if request.query:
        url += "?" + request.query
    rebuilt = AWSRequest(
        method=request.method,
        url=url,
        headers={name: request.headers[name] for name in signed},
        data=request.body,
    )
    rebuilt.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(access_key, credential.secret_key), SERVICE_NAME, region)
    canonical = signer.canonical_request(rebuilt)
    return str(signer.signature(signer.string_to_sign(rebuilt, canonical), rebuilt))
