"""`cogsync verify --aws-profile NAME` signs with a named AWS profile; `--strictness` is what
`--profile` used to be (real subprocesses of the CLI, a real emulator checking signatures)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from cogsync.emulator.auth import SigV4Verifier
from cogsync.emulator.server import serve_in_thread

from .conftest import parse_table, run_cogsync

KEY, SECRET = "AKIDPROFILEEXAMPLE", "profile-secret-123"  # the emu profile's (root conftest.py)
QUICK = ("--budget", "quick", "--seed", "11", "--properties", "SYNC-1")


@pytest.fixture
def checking_emulator() -> Iterator[str]:
    with serve_in_thread(auth=SigV4Verifier({KEY: SECRET})) as url:
        yield url


def test_verify_signs_with_the_named_profile(aws_profiles: dict[str, str], checking_emulator: str) -> None:
    env = {**os.environ, "CI": "true"}
    ok = run_cogsync("verify", "--endpoint-url", checking_emulator, "--aws-profile", "emu", *QUICK, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert parse_table(ok.stdout)["SYNC-1"][1] == "pass"
    assert f"--endpoint-url {checking_emulator} --aws-profile emu" in ok.stdout.splitlines()[-1]
    wrong = run_cogsync("verify", "--endpoint-url", checking_emulator, "--aws-profile", "wrongkeys", *QUICK,
                        env=env)
    assert wrong.returncode == 3 and "refused the credentials" in wrong.stderr, wrong.stderr


def test_a_missing_profile_is_one_line_naming_the_profiles(aws_profiles: dict[str, str]) -> None:
    result = run_cogsync("verify", "--endpoint-url", "http://127.0.0.1:9", "--aws-profile", "prod", *QUICK)
    assert result.returncode == 3
    [line] = result.stderr.splitlines()
    assert line.startswith("cogsync: error: AWS profile 'prod' is not in ")
    assert "(profiles there: emu, nokeys, wrongkeys)" in line


def test_profile_is_not_the_strictness_any_more_and_says_where_both_meanings_went() -> None:
    result = run_cogsync("verify", "--profile", "prod")
    assert result.returncode == 3
    assert result.stderr.splitlines()[0] == (
        "cogsync: error: --profile prod is not an option: for an AWS profile use --aws-profile prod; "
        "for what a SHOULD breach counts as, --strictness default|documented"
    )


def test_strictness_reaches_the_run_config_and_the_reproduce_command() -> None:
    from cogsync.commands import verify
    from cogsync.commands.parser import Parser

    parser = Parser(prog="cogsync verify")
    verify.add_arguments(parser)
    args = parser.parse_args(["--strictness", "documented"])
    assert verify.build_config(args, seed=1).profile == "documented"
    assert "--strictness documented" in verify.reproduce_command(args, seed=1)
