"""``python -m cogsync.registry``: docs/contract.md from the registry.

``--write PATH`` writes it, ``--check PATH`` exits 1 when the file at PATH is not
what the registry renders now (the test suite does the same); with neither, the
Markdown goes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cogsync.registry.render import GENERATE, markdown


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cogsync.registry", description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--write", metavar="PATH", type=Path, help="write the Markdown to PATH")
    where.add_argument("--check", metavar="PATH", type=Path, help="exit 1 when PATH is stale")
    args = parser.parse_args(argv)
    text = markdown()
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text, encoding="utf-8")
        return 0
    if args.check:
        current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
        if current != text:
            print(f"{args.check} is stale: regenerate it with `{GENERATE}`", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
