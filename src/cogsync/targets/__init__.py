"""Target adapters: how calls reach an endpoint (in-process, boto3, raw HTTP, AWS CLI).

A target knows transport and nothing of properties: ``target.send(call)`` returns
a :class:`Response` whose outcome is classified the same way by every adapter
(:func:`classify`). Checks and strategies never know which target runs.

=================  ============================================  ==========  ============
adapter            reaches                                       send_raw    threads
=================  ============================================  ==========  ============
InProcessTarget    a WSGI app in this process (no socket)        yes         yes
HttpTarget         any endpoint, our builder + SigV4, urllib3    yes         yes
Boto3Target        any endpoint or real AWS, a real boto3 client no          yes
AwsCliTarget       an endpoint, ``aws cognito-sync`` subprocess  no          yes (slow)
RateLimited        wraps any of them (token bucket)              as wrapped  yes
=================  ============================================  ==========  ============
"""

from __future__ import annotations

from cogsync.targets.awscli_target import AwsCliTarget, cli_command
from cogsync.targets.base import (
    CLIENT_REFUSED,
    MALFORMED_ANSWER,
    RAW_OPERATION,
    UNNAMED_4XX,
    Response,
    Target,
    classify,
    is_malformed,
)
from cogsync.targets.boto3_target import Boto3Target
from cogsync.targets.factory import REAL_AWS, TRANSPORTS, make_target
from cogsync.targets.http_target import HttpTarget
from cogsync.targets.in_process import InProcessTarget
from cogsync.targets.rate_limited import RateLimited, TokenBucket
from cogsync.targets.wire_request import UnsendableCall, WireRequest, build_request

__all__ = [
    "CLIENT_REFUSED",
    "MALFORMED_ANSWER",
    "RAW_OPERATION",
    "REAL_AWS",
    "TRANSPORTS",
    "UNNAMED_4XX",
    "AwsCliTarget",
    "Boto3Target",
    "HttpTarget",
    "InProcessTarget",
    "RateLimited",
    "Response",
    "Target",
    "TokenBucket",
    "UnsendableCall",
    "WireRequest",
    "build_request",
    "classify",
    "cli_command",
    "is_malformed",
    "make_target",
]
