"""``python -m cogsync.reproduction judge-cli STATE ...``: a shell reproduction's verdict.

Shell reproduction scripts call this last, with the directory where their
``judged`` steps kept what the AWS CLI printed; its exit status is theirs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.reproduction._shell import judge_shell_steps
from cogsync.reproduction._verdict import EXIT_CANNOT_TELL, Wanted


def _limits(text: str) -> Limits:
    try:
        return Limits(*(int(part) for part in text.split(",")))
    except (TypeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(
            f"limits={text!r}: three whole numbers, DATASETS,RECORDS,BYTES ({exc})") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cogsync.reproduction")
    commands = parser.add_subparsers(dest="command", required=True)
    judge = commands.add_parser("judge-cli", help="judge the steps a shell reproduction kept in STATE")
    judge.add_argument("state", metavar="STATE", type=Path)
    judge.add_argument("--property", required=True, dest="property_id")
    judge.add_argument("--title", required=True)
    judge.add_argument("--expected", default="")
    judge.add_argument("--received", default="")
    judge.add_argument("--where", default="the target", help="the target, as messages name it")
    judge.add_argument("--limits", type=_limits, default=DEFAULT_LIMITS)
    args = parser.parse_args(argv)
    if not args.state.is_dir():
        print(f"cannot tell: {args.state} holds no steps (the script's state directory is gone)")
        return EXIT_CANNOT_TELL
    wanted = Wanted(args.property_id, args.title, args.expected, args.received)
    return judge_shell_steps(args.state, wanted, where=args.where, limits=args.limits)


if __name__ == "__main__":
    sys.exit(main())
