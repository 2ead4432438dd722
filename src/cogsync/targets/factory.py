"""make_target: one place that turns command-line style options into a target.

- no endpoint and no app: a fresh in-process reference emulator;
- ``in_process="module:factory"``: the user's WSGI app, in this process;
- ``endpoint_url="http://..."``: that server, through the chosen transport;
- ``endpoint_url="aws"``: the real service in ``region`` (credentials from the
  normal AWS chain; transports ``http`` and ``boto3`` only).

``aws_profile`` names a profile of ``~/.aws`` for the ``http`` and ``boto3``
transports: its credentials sign the requests and its region is the default one.

Reachability is not checked here (constructing a target sends nothing): call
``target.probe()``, which returns None or a one-line reason (CLI exit code 3).
"""

from __future__ import annotations

from typing import Any

import botocore.session

from cogsync.errors import UsageError
from cogsync.targets.awscli_target import AwsCliTarget
from cogsync.targets.base import Target
from cogsync.targets.boto3_target import Boto3Target
from cogsync.targets.http_target import HttpTarget, check_region, check_timeout
from cogsync.targets.in_process import InProcessTarget
from cogsync.targets.rate_limited import RateLimited, TokenBucket
from cogsync.targets.signing import profile_credentials, profile_region

TRANSPORTS = ("http", "boto3", "awscli")
#: The ``endpoint_url`` that means the real Amazon Cognito Sync service.
REAL_AWS = "aws"
DEFAULT_REGION = "us-east-1"


def aws_endpoint(region: str) -> str:
    return f"https://cognito-sync.{region}.amazonaws.com"


def _configured_region() -> str | None:
    region = botocore.session.Session().get_config_variable("region")
    return region if isinstance(region, str) and region else None


def make_target(
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    no_sign_request: bool = False,
    in_process: str | None = None,
    transport: str = "http",
    timeout: float | None = None,
    requests_per_second: float | None = None,
    aws_profile: str | None = None,
) -> Target:
    """The target these options describe. Bad options raise UsageError naming the option."""
    if transport not in TRANSPORTS:
        raise UsageError.bad_argument("transport", transport, "one of " + ", ".join(TRANSPORTS))
    if not isinstance(no_sign_request, bool):
        raise UsageError.bad_argument("no_sign_request", no_sign_request, "True or False")
    if in_process is not None and endpoint_url is not None:
        raise UsageError(
            f"in_process={in_process!r} cannot be combined with endpoint_url={endpoint_url!r}: "
            "give one of them (or neither, for the in-process reference emulator)."
        )
    sign = not no_sign_request
    _check_aws_profile(aws_profile, endpoint_url=endpoint_url, sign=sign, transport=transport)
    if aws_profile is not None and region is None:
        region = profile_region(aws_profile)
    # Checked here so a bad value is refused even where it does not apply (in-process).
    timing: dict[str, Any] = {} if timeout is None else {"timeout": check_timeout(timeout)}
    if requests_per_second is not None:
        TokenBucket(requests_per_second)  # refuse a bad rate before building anything
    target: Target
    if endpoint_url is None:
        if transport != "http":
            raise UsageError.bad_argument(
                "transport",
                transport,
                "'http' when no endpoint_url is given (the in-process target); "
                f"{transport} needs an endpoint_url",
            )
        region = check_region(region if region is not None else DEFAULT_REGION)
        if in_process is not None:
            target = InProcessTarget.from_spec(
                in_process, argument="in_process", region=region, sign=sign
            )
        else:
            target = InProcessTarget.emulator(region=region, sign=sign)
    elif endpoint_url == REAL_AWS:
        region = region if region is not None else _configured_region()
        if region is None:
            raise UsageError.bad_argument(
                "region", None, "an AWS region (e.g. us-east-1) when endpoint_url is 'aws'"
            )
        region = check_region(region)
        if transport == "boto3":
            target = Boto3Target(None, region=region, sign=sign, **_session(aws_profile), **timing)
        elif transport == "http":
            target = HttpTarget(aws_endpoint(region), region=region, sign=sign,
                                **_credentials(aws_profile), **timing)
            target.name = f"aws:{region}"
        else:
            raise UsageError.bad_argument(
                "transport", transport, "'http' or 'boto3' against real AWS (endpoint_url='aws')"
            )
    else:
        region = check_region(region if region is not None else DEFAULT_REGION)
        if transport == "http":
            target = HttpTarget(endpoint_url, region=region, sign=sign, **_credentials(aws_profile),
                                **timing)
        elif transport == "boto3":
            target = Boto3Target(endpoint_url, region=region, sign=sign, **_session(aws_profile),
                                 **timing)
        else:
            target = AwsCliTarget(endpoint_url, region=region, sign=sign, **timing)
    if requests_per_second is not None:
        target = RateLimited(target, requests_per_second)
    return target


def _check_aws_profile(
    aws_profile: str | None, *, endpoint_url: str | None, sign: bool, transport: str
) -> None:
    """An AWS profile signs HTTP and boto3 requests to an endpoint; anywhere else it is a mistake."""
    if aws_profile is None:
        return
    if not isinstance(aws_profile, str) or not aws_profile:
        raise UsageError.bad_argument("aws_profile", aws_profile, "the name of a profile in ~/.aws")
    if not sign:
        raise UsageError(
            f"aws_profile={aws_profile!r} gives credentials to sign with and no_sign_request "
            "sends none: give one of them."
        )
    if endpoint_url is None:
        raise UsageError(
            f"aws_profile={aws_profile!r} signs requests to an endpoint_url (a server or 'aws'); "
            "in-process targets need no AWS credentials: drop it or give an endpoint_url."
        )
    if transport == "awscli":
        raise UsageError(
            f"aws_profile={aws_profile!r} works with the http and boto3 transports; the awscli "
            "transport runs the AWS CLI with dummy keys against emulators."
        )


def _credentials(aws_profile: str | None) -> dict[str, Any]:
    return {} if aws_profile is None else {"credentials": profile_credentials(aws_profile)}


def _session(aws_profile: str | None) -> dict[str, Any]:
    if aws_profile is None:
        return {}
    import boto3

    profile_credentials(aws_profile)  # a missing profile or one without keys: say so here
    return {"session": boto3.Session(profile_name=aws_profile)}
