"""The command line as a new user meets it: short usage errors, plain help (real subprocesses)."""

from __future__ import annotations

import re

import pytest

from cogsync.cli import COMMANDS

from .conftest import run_cogsync

#: reStructuredText a terminal would show literally: ``literals``, :roles:`x`, `refs`_.
MARKUP = re.compile(r"``|:[a-z]+:`|`[^`\s][^`]*`_?")


def usage_error(*argv: str) -> list[str]:
    result = run_cogsync(*argv)
    assert result.returncode == 3, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    return result.stderr.splitlines()


def test_an_unknown_option_of_a_sub_command_is_one_line_and_that_command_s_usage() -> None:
    assert usage_error("verify", "--frobnicate") == [
        "cogsync: error: unrecognized arguments: --frobnicate",
        "usage: cogsync verify [OPTIONS]; see 'cogsync verify --help'",
    ]


@pytest.mark.parametrize(
    ("argv", "error", "usage"),
    [
        (
            ["verify", "--budget", "huge"],
            "cogsync: error: argument --budget: invalid choice: 'huge'",
            "usage: cogsync verify [OPTIONS]; see 'cogsync verify --help'",
        ),
        (
            ["replay"],
            "cogsync: error: the following arguments are required: FAILURE",
            "usage: cogsync replay [OPTIONS] FAILURE; see 'cogsync replay --help'",
        ),
        (
            ["diff", "--against", "http://127.0.0.1:1", "--wat"],
            "cogsync: error: unrecognized arguments: --wat",
            "usage: cogsync diff [OPTIONS]; see 'cogsync diff --help'",
        ),
        (
            ["baseline", "init", "report.json", "--wat"],
            "cogsync: error: unrecognized arguments: --wat",
            "usage: cogsync baseline init [OPTIONS] REPORT; see 'cogsync baseline init --help'",
        ),
        (
            ["frobnicate"],
            "cogsync: error: argument COMMAND: invalid choice: 'frobnicate'",
            "usage: cogsync [OPTIONS] COMMAND ...; see 'cogsync --help'",
        ),
        (
            ["--wat", "verify"],
            "cogsync: error: unrecognized arguments: --wat",
            "usage: cogsync [OPTIONS] COMMAND ...; see 'cogsync --help'",
        ),
    ],
)
def test_usage_errors_are_what_is_wrong_and_where_to_read_more(
    argv: list[str], error: str, usage: str
) -> None:
    first, second = usage_error(*argv)
    assert first.startswith(error), first
    assert second == usage


def test_top_level_help_lists_every_command_on_one_plain_line() -> None:
    result = run_cogsync("--help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for name in COMMANDS:
        [line] = [line for line in lines if line.startswith(f"  {name} ")]
        assert len(line.split()) > 3, line  # the name and a sentence, all on this line
    assert "exit status: 0" in result.stdout


@pytest.mark.parametrize("argv", [[], *([name] for name in COMMANDS), ["baseline", "init"]])
def test_no_help_shows_restructuredtext_markup(argv: list[str]) -> None:
    result = run_cogsync(*argv, "--help")
    assert result.returncode == 0, result.stderr
    assert not MARKUP.findall(result.stdout), result.stdout


def test_verify_help_shows_the_baseline_format_with_an_example() -> None:
    text = run_cogsync("verify", "--help").stdout
    epilog = text.split("baseline file (--baseline FILE):", 1)[1]
    assert '[[known]]\n  id = "LIST-3"' in epilog and 'id = "CONF-*"' in epilog
    assert "expires = 2026-06-30" in epilog
    assert "cogsync baseline init report.json > known.toml" in epilog
