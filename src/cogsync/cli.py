"""The cogsync command: one sub-command a module under cogsync.commands.

Exit codes (CONTRACT.md section 11): 0 every checked property holds, 1 a property
fails, 2 inconclusive, 3 usage or infrastructure error. A mistake in the command
line gets one line saying what is wrong and one pointing to the command's help;
an unusable target or file gets one line; never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cogsync import __version__
from cogsync.commands.help_text import HelpFormatter, first_line, plain_text
from cogsync.commands.parser import EXIT_USAGE, Parser
from cogsync.errors import InfrastructureError, UsageError

EXIT_OK, EXIT_FAIL, EXIT_INCONCLUSIVE = 0, 1, 2
EXIT_INTERRUPTED = 130

#: Sub-command name -> module in cogsync.commands. Each module has
#: ``add_arguments(parser)`` and ``run(args) -> int``, a docstring whose first line is
#: the sub-command's one-line help, and optionally ``EPILOG`` (text shown after the options).
COMMANDS: dict[str, str] = {
    "serve": "cogsync.commands.serve",
    "proxy": "cogsync.commands.proxy",
    "verify": "cogsync.commands.verify",
    "replay": "cogsync.commands.replay",
    "diff": "cogsync.commands.diff",
    "explain": "cogsync.commands.explain",
    "baseline": "cogsync.commands.baseline",
}

DESCRIPTION = "Contract tests, a fuzzer and a reference emulator for Amazon Cognito Sync's records API."
EXIT_STATUS = (
    "exit status: 0 every checked property holds, 1 a property fails, 2 inconclusive, "
    "3 usage or infrastructure error."
)


def _add_command(sub: argparse._SubParsersAction, name: str, module_name: str) -> str:
    module = importlib.import_module(module_name)
    parser = sub.add_parser(
        name,
        description=plain_text(module.__doc__),
        epilog=getattr(module, "EPILOG", None),
        formatter_class=HelpFormatter,
    )
    module.add_arguments(parser)
    parser.set_defaults(_run=module.run, _parser=parser)
    return f"  {name:<10}{first_line(module.__doc__)}"


def build_parser() -> Parser:
    parser = Parser(
        prog="cogsync",
        usage="%(prog)s [-h] [--version] COMMAND ...",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cogsync {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", prog="cogsync", parser_class=Parser, help=argparse.SUPPRESS
    )
    sub.required = True
    listing = [_add_command(sub, name, module) for name, module in COMMANDS.items()]
    parser.description = "\n".join([DESCRIPTION, "", "commands:", *listing])
    parser.epilog = EXIT_STATUS + "\n\n'cogsync COMMAND --help' shows a command's options."
    parser.set_defaults(_parser=parser)
    return parser


def parse(parser: Parser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv``; an unknown option is reported by the sub-command it was given to."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args, extras = parser.parse_known_args(argv)
    if extras:
        owner: argparse.ArgumentParser = args._parser
        command_at = argv.index(args.command) if args.command in argv else len(argv)
        if any(argv.index(extra) < command_at for extra in extras if extra in argv):
            owner = parser  # given before the sub-command: the top level's mistake
        owner.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    from cogsync.settings import scratch_storage

    try:
        parser = build_parser()
        args = parse(parser, argv)
        with scratch_storage():  # Hypothesis's caches: not in the user's working directory
            code: int = args._run(args)
        return code
    except (UsageError, InfrastructureError) as exc:
        sys.stderr.write(f"cogsync: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("\ncogsync: interrupted\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
