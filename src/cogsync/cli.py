"""The ``cogsync`` command: one sub-command a module under :mod:`cogsync.commands`.

Exit codes (CONTRACT.md section 11): 0 every checked property holds, 1 a property
fails, 2 inconclusive, 3 usage or infrastructure error. A user's mistake gets a
one-line reason on stderr and exit 3, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cogsync import __version__
from cogsync.errors import InfrastructureError, UsageError

EXIT_OK, EXIT_FAIL, EXIT_INCONCLUSIVE, EXIT_USAGE = 0, 1, 2, 3

#: Sub-command name -> module in cogsync.commands. Each module has
#: ``add_arguments(parser)`` and ``run(args) -> int`` and a docstring whose first
#: line is the sub-command's help.
COMMANDS: dict[str, str] = {
    "serve": "cogsync.commands.serve",
    "verify": "cogsync.commands.verify",
    "replay": "cogsync.commands.replay",
    "diff": "cogsync.commands.diff",
    "explain": "cogsync.commands.explain",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse exits 2; our contract says usage errors are 3.
        self.print_usage(sys.stderr)
        print(f"cogsync: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cogsync", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"cogsync {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        doc = (module.__doc__ or "").strip().splitlines()
        p = sub.add_parser(name, help=doc[0] if doc else None, description=(module.__doc__ or None))
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args._run(args)
        return code
    except (UsageError, InfrastructureError) as exc:
        print(f"cogsync: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cogsync: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
