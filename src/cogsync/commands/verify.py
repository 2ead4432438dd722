"""Check a Cognito Sync endpoint against the contract, docs/contract.md (the CI gate).

With no target the whole suite runs against the embedded emulator in this process.

Exit status: 0 every checked property holds, 1 a property fails (or a baseline entry
expired), 2 inconclusive (throttled, timed out), 3 usage or infrastructure error,
130 interrupted (after the engine has cleaned up the datasets it made).
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cogsync.baseline import NO_BASELINE, Assessment, Baseline
from cogsync.conformance.config import BUDGETS, RunConfig
from cogsync.conformance.results import RunResult
from cogsync.contracts.properties import PROFILES
from cogsync.errors import UsageError
from cogsync.options import (
    SEED_LIMIT,
    add_target_arguments,
    fault_spec,
    id_list,
    importable_cwd,
    open_target,
    seconds,
    whole_number,
)

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
