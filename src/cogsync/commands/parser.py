"""argparse with cogsync's manners: a usage error is two lines and exit 3.

argparse prints the whole usage (a dozen lines for ``verify``) and exits 2; the
gate's contract says 3, and the user needs what is wrong, the command's short
usage and where its help is, nothing more.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

EXIT_USAGE = 3


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are :func:`usage_error`."""

    def error(self, message: str) -> NoReturn:
        usage_error(self, message)

    def short_usage(self) -> str:
        """``cogsync verify [OPTIONS]``: the command and its positionals, not every option."""
        words = [self.prog, "[OPTIONS]"]
        for action in self._actions:
            if action.option_strings:
                continue
            if isinstance(action, argparse._SubParsersAction):
                words.append(f"{action.metavar or 'COMMAND'} ...")
            elif action.help is not argparse.SUPPRESS:
                words.append(str(action.metavar or action.dest.upper()))
        return " ".join(words)


def usage_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    """What is wrong, then the short usage and where to read more; exit 3."""
    usage = parser.short_usage() if isinstance(parser, Parser) else parser.prog
    sys.stderr.write(f"cogsync: error: {message}\nusage: {usage}; see '{parser.prog} --help'\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_USAGE)
