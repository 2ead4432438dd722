"""Check a Cognito Sync endpoint against the contract, docs/contract.md (the CI gate).

With no target the whole suite runs against the embedded emulator in this process.

Exit status: 0 every checked property holds, 1 a property fails (or a baseline entry
expired), 2 inconclusive (throttled, timed out), 3 usage or infrastructure error,
130 interrupted (after the engine has cleaned up the datasets it made).
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import secrets
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cogsync.baseline import NO_BASELINE, Assessment, Baseline
from cogsync.conformance.config import BUDGETS, RunConfig
from cogsync.conformance.results import RunResult
from cogsync.contracts.properties import PROFILES
from cogsync.errors import InfrastructureError, UsageError

EPILOG = """\
baseline file (--baseline FILE): known deviations the gate forgives, in TOML or JSON.
Each entry names a property id or a glob of ids (as --properties takes them), says why
the deviation is accepted, and may say until when: a failure or warning of a listed
property is reported as known and does not fail the gate; an entry past its expires
date fails the gate; an entry whose properties pass is reported as stale.

  # known.toml
  [[known]]
  id = "LIST-3"
  reason = "we answer 200 with no records; fix tracked in #42"
  expires = 2026-06-30

  [[known]]
  id = "CONF-*"
  reason = "conflict handling is being rewritten"

  # known.json: the same as a list
  [{"id": "LIST-3", "reason": "...", "expires": "2026-06-30"}]

Write one from the failures of a run's JSON report (--report-json), then edit it:

  cogsync baseline init report.json > known.toml
"""

EXIT_INTERRUPTED = 130
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser)
    ids = parser.add_argument_group("identities (real AWS: cogsync cannot invent ids there)")
    ids.add_argument("--identity-pool-id", metavar="ID")
    ids.add_argument("--identity-id", metavar="ID")
    run = parser.add_argument_group("run")
    run.add_argument(
        "--strictness",
        choices=list(PROFILES),
        default="default",
        help="what a SHOULD breach counts as: a failure (default) or, under 'documented', "
        "a warning",
    )
    run.add_argument("--profile", action=RenamedProfile, help=argparse.SUPPRESS)
    run.add_argument(
        "--budget", choices=list(BUDGETS), default="quick", help="how hard to look (default: quick)"
    )
    run.add_argument(
        "--max-examples",
        type=whole_number("max-examples", 1),
        metavar="N",
        help="override the budget",
    )
    run.add_argument(
        "--seed",
        type=whole_number("seed", 0, SEED_LIMIT - 1),
        metavar="N",
        help="replay a run exactly",
    )
    run.add_argument(
        "--properties",
        action="append",
        metavar="IDS",
        help="only these ids or globs (comma-separated, repeatable; cogsync explain --list shows them)",
    )
    run.add_argument("--skip", action="append", metavar="IDS", help="leave out these ids or globs")
    run.add_argument(
        "--concurrency", type=whole_number("concurrency", 1, 64), default=4, metavar="K"
    )
    run.add_argument(
        "--require-signatures",
        action="store_true",
        help="fail ISO-2 when the target checks no SigV4 signatures (servers meant for "
        "production); by default ISO-2 is then not applicable",
    )
    run.add_argument(
        "--deadline",
        type=seconds("deadline"),
        metavar="SECONDS",
        help="stop and report inconclusive past this",
    )
    run.add_argument(
        "--faults",
        type=fault_spec,
        metavar="SPEC",
        help="run every phase but the preflight through these faults: 'default', or e.g. "
        "drop-answer=0.1,duplicate=0.05,seed=7 (kinds: drop-request, drop-answer, duplicate, "
        "reset, delay; see 'cogsync proxy --help')",
    )
    run.add_argument(
        "--skip-preflight",
        action="store_true",
        help="do not first check that the target is a Cognito Sync server that accepts "
        "the credentials (for those who know why)",
    )
    restarts = parser.add_argument_group("restarts (DUR-1: acknowledged writes survive a restart)")
    restarts.add_argument(
        "--restart-command",
        metavar="CMD",
        help="a shell command that kills and restarts the target; it should return once the restart "
        "is issued (cogsync then polls until the target answers, at most 30 s)",
    )
    restarts.add_argument(
        "--restart",
        action="store_true",
        help="restart an in-process target (the embedded emulator, --in-process) by rebuilding its "
        "app from its factory over the same storage, as a fresh process would",
    )
    restarts.add_argument(
        "--restart-every",
        type=whole_number("restart-every", 1),
        metavar="N",
        help="restart after every N writes (UpdateRecords calls) of the restarts phase "
        "(default: before writes drawn from the seed)",
    )
    run.add_argument(
        "--database",
        metavar="DIR|redis://...",
        help="keep failing examples between runs: a directory or redis://... (default: none)",
    )
    run.add_argument(
        "--baseline",
        metavar="FILE",
        help="known deviations the gate forgives (TOML or JSON: id, reason, expires; see below)",
    )
    out = parser.add_argument_group("reports")
    out.add_argument("--report-json", metavar="FILE")
    out.add_argument("--report-junit", metavar="FILE")
    out.add_argument("--report-md", metavar="FILE", help="Markdown, e.g. $GITHUB_STEP_SUMMARY")
    out.add_argument(
        "--report-dir",
        metavar="DIR",
        help="where reproduction scripts go (default: a new temporary directory)",
    )
    out.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    out.add_argument(
        "--wide",
        action="store_true",
        help="one line per property in the conformance table, notes unwrapped",
    )


class RenamedProfile(argparse.Action):
    """``--profile`` was the strictness option; to AWS users it names credentials. It is gone,
    and saying where each meaning went beats argparse's bare "unrecognized arguments"."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        parser.error(
            f"--profile {values} is not an option: for an AWS profile use --aws-profile {values}; "
            "for what a SHOULD breach counts as, --strictness default|documented"
        )


# --- pieces of the run ------------------------------------------------------------


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


def build_config(args: argparse.Namespace, seed: int) -> RunConfig:
    return RunConfig(
        profile=args.strictness,
        budget=args.budget,
        max_examples=args.max_examples,
        seed=seed,
        properties=id_list(args.properties) or None,
        skip=id_list(args.skip),
        concurrency=args.concurrency,
        identity_pool_id=args.identity_pool_id,
        identity_id=args.identity_id,
        database=args.database,
        deadline_seconds=args.deadline,
        require_signatures=args.require_signatures,
        skip_preflight=bool(getattr(args, "skip_preflight", False)),
        restart_command=getattr(args, "restart_command", None),
        restart_in_process=bool(getattr(args, "restart", False)),
        restart_every=getattr(args, "restart_every", None),
        faults=getattr(args, "faults", None),
    )


def reproduce_command(args: argparse.Namespace, seed: int) -> str:
    """The command line that runs the same checks with the same seed."""
    parts = ["cogsync", "verify"]
    for flag, value in (
        ("--endpoint-url", args.endpoint_url),
        ("--in-process", args.in_process),
        ("--region", args.region),
        ("--aws-profile", args.aws_profile),
        ("--identity-pool-id", args.identity_pool_id),
        ("--identity-id", args.identity_id),
    ):
        if value:
            parts += [flag, value]
    if args.no_sign_request:
        parts.append("--no-sign-request")
    if args.strictness != "default":
        parts += ["--strictness", args.strictness]
    parts += ["--budget", args.budget]
    if args.max_examples is not None:
        parts += ["--max-examples", str(args.max_examples)]
    for flag, ids in (("--properties", id_list(args.properties)), ("--skip", id_list(args.skip))):
        if ids:
            parts += [flag, ",".join(ids)]
    if args.concurrency != 4:
        parts += ["--concurrency", str(args.concurrency)]
    if args.timeout is not None:
        parts += ["--timeout", f"{args.timeout:g}"]
    if args.deadline is not None:
        parts += ["--deadline", f"{args.deadline:g}"]
    if args.rate_limit is not None:
        parts += ["--rate-limit", f"{args.rate_limit:g}"]
    if getattr(args, "skip_preflight", False):
        parts.append("--skip-preflight")
    if getattr(args, "faults", None):
        parts += ["--faults", args.faults]
    if args.baseline:
        parts += ["--baseline", args.baseline]
    if args.require_signatures:
        parts.append("--require-signatures")
    if getattr(args, "restart_command", None):
        parts += ["--restart-command", args.restart_command]
    if getattr(args, "restart", False):
        parts.append("--restart")
    if getattr(args, "restart_every", None) is not None:
        parts += ["--restart-every", str(args.restart_every)]
    parts += ["--seed", str(seed)]
    return shlex.join(parts)


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


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """CI cancels a job with SIGTERM: treat it like Ctrl-C so the engine still cleans up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_engine(target: Any, config: RunConfig, *, quiet: bool) -> RunResult:
    """The engine's run with a progress display on stderr (live on a terminal, lines in logs)."""
    from cogsync.conformance import engine
    from cogsync.report.progress import progress_display

    display = progress_display(sys.stderr, quiet=quiet)
    try:
        return engine.run(target, config, progress=display)
    finally:
        if display is not None:
            display.close()


@dataclass(frozen=True)
class Outputs:
    json: str | None
    junit: str | None
    markdown: str | None
    directory: str | None


def write_reports(run: RunResult, assessment: Assessment, outputs: Outputs) -> list[Any]:
    """Reproduction scripts and the report files; returns what was written for the console."""
    from cogsync.report.json_report import write_json
    from cogsync.report.junit import write_junit
    from cogsync.report.markdown import write_markdown
    from cogsync.report.reproductions import write_reproductions

    written: list[Any] = []
    jobs: list[tuple[str, str | None, Callable[[str], Any]]] = [
        ("report-json", outputs.json, lambda p: write_json(p, run, assessment)),
        (
            "report-junit",
            outputs.junit,
            lambda p: write_junit(p, run, assessment),
        ),
        (
            "report-md",
            outputs.markdown,
            lambda p: write_markdown(p, run, assessment),
        ),
    ]
    if run.failures():
        directory = outputs.directory or tempfile.mkdtemp(prefix="cogsync-reproductions-")
        jobs.insert(
            0,
            (
                "report-dir",
                directory,
                lambda d: written.extend(write_reproductions(run, d)),
            ),
        )
    for name, path, job in jobs:
        if path is None:
            continue
        try:
            job(path)
        except OSError as exc:
            raise UsageError(f"{name}={path!r} cannot be written: {exc.strerror or exc}.") from None
    return written


def importable_cwd(args: argparse.Namespace) -> None:
    """``--in-process myapp:make_app`` finds ``myapp.py`` in the current directory, as with
    ``python -m`` (the console script alone would not look there)."""
    if getattr(args, "in_process", None) and os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())


def run(args: argparse.Namespace) -> int:
    importable_cwd(args)
    seed = args.seed if args.seed is not None else secrets.randbelow(SEED_LIMIT)
    config = build_config(args, seed)
    baseline = Baseline.load(args.baseline) if args.baseline else None
    command = reproduce_command(args, seed)
    # The engine's preflight checks reachability (and more) within the deadline.
    target = open_target(args, probe=args.skip_preflight)
    try:
        with sigterm_as_interrupt():
            result = run_engine(target, config, quiet=args.quiet)
    except KeyboardInterrupt:
        sys.stderr.write(
            f"cogsync: interrupted; datasets named {config.run_prefix}* were cleaned up. "
            f"Run again with: {command}\n"
        )
        sys.stderr.flush()
        return EXIT_INTERRUPTED
    finally:
        target.close()
    result.command = command  # the engine cannot know the command line; the CLI does
    assessment = baseline.assess(result) if baseline else NO_BASELINE
    outputs = Outputs(args.report_json, args.report_junit, args.report_md, args.report_dir)
    written = write_reports(result, assessment, outputs)
    from cogsync.report.console import print_report

    print_report(sys.stdout, result, written, assessment, reproduce_command=command, wide=args.wide)
    for entry in assessment.expired:
        sys.stderr.write(
            f"cogsync: baseline entry {entry.property_id} expired on {entry.expires}: "
            "the gate fails\n"
        )
    return assessment.exit_code(result)
