"""Explain a property of the contract (docs/contract.md): how it is checked, and a sequence that shows it.

``cogsync explain SYNC-1`` prints the property's statement, level, sources, its
check and the model rule deciding it, its witness, the probes aimed at it, the
mutants that break it, and a boto3 program to paste that shows it (or the command
that does, for a race, a signature or a restart). ``--code`` prints the program
alone; ``--list`` every id with its level and one line; ``--markdown`` the whole
contract as docs/contract.md holds it. An unknown id is a one-line error naming
the close ones, exit 3.
"""

from __future__ import annotations

import argparse
import sys

from cogsync.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("property_id", nargs="?", metavar="ID", help="a property id, e.g. SYNC-1 or conf-4")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="every id, its level and one line")
    what.add_argument("--markdown", action="store_true",
                      help="the whole contract in Markdown (what docs/contract.md holds)")
    what.add_argument("--code", action="store_true",
                      help="only the program that shows ID, to save and run with python3")


def run(args: argparse.Namespace) -> int:
    from cogsync.registry import entry, render

    if args.list or args.markdown:
        if args.property_id:
            raise UsageError(f"--{'list' if args.list else 'markdown'} takes no ID (got {args.property_id!r})")
        sys.stdout.write(render.listing() if args.list else render.markdown())
        return 0
    if not args.property_id:
        raise UsageError("explain needs a property ID (e.g. `cogsync explain SYNC-1`), or --list, or --markdown")
    found = entry(args.property_id)
    if args.code:
        sys.stdout.write(found.showcase.program())
        return 0
    sys.stdout.write(render.text(found))
    return 0
