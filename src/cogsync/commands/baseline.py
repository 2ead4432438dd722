"""Write a baseline file of known deviations from the failures of a JSON report.

'cogsync baseline init report.json > known.toml' turns the failures (and warnings)
of a JSON report from 'cogsync verify --report-json' into a TOML baseline: one
entry per failing property, its first failure's title as the reason, no expiry,
each under a comment saying what the contract (docs/contract.md) expected and what came back. Read
it, edit the reasons, add expiry dates, and pass it to 'cogsync verify --baseline'.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cogsync.baseline import KNOWN_STATUSES, BaselineEntry, to_toml
from cogsync.conformance.results import PropertyResult, RunResult
from cogsync.contracts.properties import BY_ID
from cogsync.errors import UsageError

EPILOG = """\
example:
  cogsync verify --endpoint-url http://127.0.0.1:8000 --report-json report.json
  cogsync baseline init report.json > known.toml
  cogsync verify --endpoint-url http://127.0.0.1:8000 --baseline known.toml
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cogsync.commands.help_text import HelpFormatter

    actions = parser.add_subparsers(dest="action", metavar="ACTION", prog=parser.prog)
    actions.required = True
    init = actions.add_parser(
        "init",
        help="print a TOML baseline of a JSON report's failures",
        description="Print a TOML baseline with one entry per property that fails (or warns) "
        "in REPORT, a JSON report of 'cogsync verify --report-json'.",
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    init.add_argument("report", metavar="REPORT", help="a JSON report of cogsync verify")
    init.set_defaults(_run=run_init, _parser=init)


def run(args: argparse.Namespace) -> int:  # only reached without an action, which argparse refuses
    raise UsageError("cogsync baseline needs an action: init")


def read_report(path: str) -> RunResult:
    from cogsync.report.json_report import read_json

    if not Path(path).is_file():
        raise UsageError(f"report={path!r} is not allowed: no such file.")
    try:
        return read_json(path)
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"report={path!r} is not allowed: not a JSON report of cogsync verify --report-json ({exc})."
        ) from None


def entry_for(result: PropertyResult) -> tuple[BaselineEntry, list[str]]:
    """The entry for a failing property, and the comment lines that explain it."""
    first = result.failures[0] if result.failures else None
    reason = first.title if first is not None else result.note or f"{result.status.value} in this run"
    prop = BY_ID.get(result.property_id)
    comments = [f"{result.property_id} ({result.level.value}, {result.status.value})"
                + (f": {prop.statement}" if prop is not None else "")]
    if first is not None:
        if first.expected:
            comments.append(f"  expected: {first.expected}")
        if first.received:
            comments.append(f"  received: {first.received}")
        if len(result.failures) > 1:
            comments.append(f"  and {len(result.failures) - 1} more failure(s) of this property")
    return BaselineEntry(result.property_id, reason), comments


def baseline_of(run: RunResult, source: str) -> str:
    """The TOML baseline of ``run``'s failing and warning properties."""
    failing = [r for r in run.results.values() if r.status in KNOWN_STATUSES]
    header = f"Written by 'cogsync baseline init {source}' from the run"
    header += f"\n  {run.command}" if run.command else f" of {run.target} (seed {run.seed})"
    if not failing:
        header += "\nThat run has no failures: this baseline forgives nothing."
    return to_toml((entry_for(r) for r in failing), header=header)


def run_init(args: argparse.Namespace) -> int:
    run_result = read_report(args.report)
    sys.stdout.write(baseline_of(run_result, args.report))
    sys.stdout.flush()
    return 0
