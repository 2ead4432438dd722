"""SigV4 signing with botocore's own signer, so servers see what boto3 would send.

Credentials come from the normal AWS chain (environment, shared files, SSO,
instance roles) when not given; emulators need none, so an empty chain falls back
to fixed dummy keys. Refreshable credentials are re-read by the signer on each call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cogsync.errors import UsageError

SIGNING_NAME = "cognito-sync"
DUMMY_CREDENTIALS = Credentials("COGSYNCDUMMYACCESSKEY", "cogsync-dummy-secret-key")


def resolve_credentials(credentials: Any = None) -> Credentials:
    """Given credentials, a ``(access_key, secret_key[, token])`` tuple, or the AWS chain's."""
    if isinstance(credentials, Credentials):
        return credentials
    if isinstance(credentials, tuple) and len(credentials) in (2, 3):
        if all(isinstance(part, str) for part in credentials):
            return Credentials(*credentials)
    if credentials is not None:
        raise UsageError.bad_argument(
            "credentials",
            credentials,
            "None (the AWS credentials chain), botocore Credentials or "
            "an (access_key, secret_key[, token]) tuple of strings",
        )
    found = botocore.session.Session().get_credentials()
    return found if found is not None else DUMMY_CREDENTIALS


def signed_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    credentials: Credentials,
    region: str,
) -> dict[str, str]:
    """``headers`` plus ``X-Amz-Date``, ``Authorization`` (and a session token if any).

    ``url`` must be exactly what goes on the wire (encoded path and query string):
    the canonical request is computed from it, as botocore does.
    """
    request = AWSRequest(method=method, url=url, data=body or b"", headers=dict(headers))
    SigV4Auth(credentials, SIGNING_NAME, region).add_auth(request)
    return {name: value for name, value in request.headers.items()}
