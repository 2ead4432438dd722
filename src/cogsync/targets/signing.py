"""SigV4 signing with botocore's own signer, so servers see what boto3 would send.

Credentials come from the normal AWS chain (environment, shared files, SSO,
instance roles) when not given, or from a named profile of ``~/.aws`` (the AWS CLI's
``--profile``); emulators need none, so an empty chain falls back to fixed dummy
keys, but a named profile without credentials is a mistake and says so.
Refreshable credentials are re-read by the signer on each call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import botocore.exceptions
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cogsync.errors import UsageError

SIGNING_NAME = "cognito-sync"
DUMMY_CREDENTIALS = Credentials("COGSYNCDUMMYACCESSKEY", "cogsync-dummy-secret-key")


def profile_session(name: str) -> botocore.session.Session:
    """A botocore session on the AWS profile ``name``; a missing profile is a UsageError
    naming the profiles that exist (botocore would only say "could not be found")."""
    session = botocore.session.Session(profile=name)
    available = sorted(session.available_profiles)
    if name not in available:
        files = " or ".join(
            str(session.get_config_variable(v)) for v in ("config_file", "credentials_file")
        )
        known = ", ".join(available) if available else "none"
        raise UsageError(
            f"AWS profile {name!r} is not in {files} (profiles there: {known}); name one of "
            f"those, or create it with: aws configure --profile {name}"
        )
    return session


def profile_region(name: str) -> str | None:
    """The region the AWS profile ``name`` sets, if any."""
    region = profile_session(name).get_config_variable("region")
    return region if isinstance(region, str) and region else None


def profile_credentials(name: str) -> Credentials:
    """The credentials of the AWS profile ``name`` (keys, SSO, role, process...)."""
    try:
        found = profile_session(name).get_credentials()
    except botocore.exceptions.BotoCoreError as exc:
        raise UsageError(f"AWS profile {name!r} gives no usable credentials: {exc}") from None
    if found is None:
        raise UsageError(
            f"AWS profile {name!r} has no credentials: give it keys, SSO or a role "
            f"(aws configure --profile {name}), or name another profile"
        )
    return found


def resolve_credentials(credentials: Any = None, *, profile: str | None = None) -> Credentials:
    """Given credentials, a ``(access_key, secret_key[, token])`` tuple, the AWS profile
    ``profile``'s, or the AWS chain's."""
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
    if profile is not None:
        return profile_credentials(profile)
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
