"""What verify, replay, diff and the pytest plugin share: the target options and the target.

The flags that say where calls go and how they are signed (``--endpoint-url``,
``--in-process``, ``--region``, ...), their argument types, and :func:`open_target`,
which turns them into a reachable, rate-limited target. One module below the
commands and the plugin, so that neither front end imports the other.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from cogsync.errors import InfrastructureError, UsageError

#: Requests per second when --rate-limit is not given and the endpoint is not loopback.
DEFAULT_REMOTE_RATE_LIMIT = 10.0
SEED_LIMIT = 2**32


# --- argument types: name the value, say what is allowed --------------------------


def whole_number(name: str, low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            allowed = (
                f"a whole number from {low} to {high}"
                if high is not None
                else f"a whole number of at least {low}"
            )
            raise argparse.ArgumentTypeError(
                f"{name}={text!r} is not allowed: {name} must be {allowed}"
            )
        return value

    return parse


def port_number(text: str) -> int:
    """``--port`` / ``--listen``: 0 to 65535, 0 meaning any free port."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535; 0 = any free)")
    return value


def requests_per_second(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(
            f"rate-limit={text!r} is not allowed: rate-limit must be requests per second, "
            "a number above 0 (0 turns the limit off)"
        )
    return value


def seconds(name: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(
                f"{name}={text!r} is not allowed: {name} must be seconds above 0"
            )
        return value

    return parse


def fault_spec(text: str) -> str:
    """``--faults``: the SPEC text, checked now (a bad one is a usage error, exit 3)."""
    from cogsync.faults.spec import FaultSpec

    try:
        FaultSpec.parse(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def id_list(values: list[str] | None) -> tuple[str, ...]:
    """``--properties A,B --properties C`` -> ("A", "B", "C")."""
    out: list[str] = []
    for value in values or []:
        out += [part.strip() for part in value.split(",") if part.strip()]
    return tuple(out)


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the calls go and how they are signed; shared with ``replay`` and ``diff``."""
    group = parser.add_argument_group("target")
    where = group.add_mutually_exclusive_group()
    where.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="an HTTP endpoint, or 'aws' for the real service (default: the embedded emulator)",
    )
    where.add_argument(
        "--in-process",
        metavar="MODULE:FACTORY",
        help="a WSGI app in this process, e.g. myserver.wsgi:make_app",
    )
    group.add_argument(
        "--region",
        help="AWS region the requests are signed for (default: the AWS profile's, else "
        "us-east-1; for 'aws', the AWS config's)",
    )
    group.add_argument(
        "--aws-profile",
        metavar="NAME",
        help="sign with this profile of ~/.aws/config and ~/.aws/credentials (its region too), "
        "as the AWS CLI's --profile does (default: the usual AWS credentials chain)",
    )
    group.add_argument(
        "--no-sign-request",
        action="store_true",
        help="send unsigned requests (no credentials needed)",
    )
    group.add_argument(
        "--timeout",
        type=seconds("timeout"),
        metavar="SECONDS",
        help="per request (default: the transport's)",
    )
    group.add_argument(
        "--rate-limit",
        type=requests_per_second,
        metavar="RPS",
        help=f"requests per second at most (default: {DEFAULT_REMOTE_RATE_LIMIT:g} for "
        "non-loopback endpoints, none otherwise; 0: no limit)",
    )


# --- the target the options name ----------------------------------------------------


def is_loopback(endpoint_url: str) -> bool:
    host = urlsplit(endpoint_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def effective_rate_limit(args: argparse.Namespace) -> float | None:
    """The rate limit to apply: the user's, else the remote default; None for no limit."""
    if args.rate_limit is not None:
        return args.rate_limit or None
    if args.endpoint_url and not is_loopback(args.endpoint_url):
        return DEFAULT_REMOTE_RATE_LIMIT
    return None


def open_target(args: argparse.Namespace, *, probe: bool = True) -> Any:
    """The target the arguments name, rate-limited where it should be, and reachable.

    No endpoint and no app: the engine's embedded emulator, which checks signatures so
    that ISO-2 is put to the test too. ``probe=False`` leaves reachability to the
    engine's preflight, which also bounds it by the run's deadline.
    """
    from cogsync.targets.factory import make_target

    aws_profile = getattr(args, "aws_profile", None)
    if not (args.endpoint_url or args.in_process or args.no_sign_request or aws_profile):
        from cogsync.conformance.engine import embedded_target

        return embedded_target()
    target = make_target(
        endpoint_url=args.endpoint_url,
        region=args.region,
        no_sign_request=args.no_sign_request,
        in_process=args.in_process,
        timeout=args.timeout,
        requests_per_second=effective_rate_limit(args),
        aws_profile=aws_profile,
    )
    if not probe:
        return target
    try:
        reason = target.probe()
    except BaseException:
        target.close()
        raise
    if reason is not None:
        target.close()
        where = describe_target(args)
        if args.endpoint_url and reason.startswith(args.endpoint_url) and ": " in reason:
            reason = reason.split(": ", 1)[1]  # the reason names the endpoint too: once is enough
        raise InfrastructureError(f"cannot reach {where}: {reason}")
    return target


def describe_target(args: argparse.Namespace) -> str:
    if args.endpoint_url:
        return args.endpoint_url
    if args.in_process:
        return f"in-process {args.in_process}"
    return "the embedded emulator"


def importable_cwd(args: argparse.Namespace) -> None:
    """``--in-process myapp:make_app`` finds ``myapp.py`` in the current directory, as with
    ``python -m`` (the console script alone would not look there)."""
    if getattr(args, "in_process", None) and os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
