"""`cogsync verify` argument handling: parsing, selection, rate limits, the reproduce line."""

from __future__ import annotations

import argparse
import shlex

import pytest

from cogsync import options
from cogsync.commands import verify
from cogsync.commands.parser import Parser
from cogsync.errors import InfrastructureError, UsageError


def parse(*argv: str) -> argparse.Namespace:
    parser = Parser(prog="cogsync verify")
    verify.add_arguments(parser)
    return parser.parse_args(argv)


def test_defaults_are_a_quick_run_on_the_embedded_emulator() -> None:
    args = parse()
    config = verify.build_config(args, seed=5)
    assert (args.endpoint_url, args.in_process) == (None, None)
    assert (config.budget, config.profile, config.seed, config.concurrency) == (
        "quick",
        "default",
        5,
        4,
    )
    assert config.properties is None and config.skip == ()
    assert options.describe_target(args) == "the embedded emulator"


def test_properties_and_skip_are_comma_separated_and_repeatable() -> None:
    args = parse(
        "--properties", "sync-*, CONF-1", "--properties", "DS-2", "--skip", "SYNC-7,SYNC-6"
    )
    config = verify.build_config(args, seed=1)
    assert config.properties == ("sync-*", "CONF-1", "DS-2")
    assert config.selected == ["SYNC-1", "SYNC-2", "SYNC-3", "SYNC-4", "SYNC-5", "CONF-1", "DS-2"]


def test_an_unknown_property_is_a_usage_error_naming_it() -> None:
    with pytest.raises(UsageError, match="properties='NOPE-\\*'"):
        verify.build_config(parse("--properties", "NOPE-*"), seed=1)


def test_identity_ids_go_together() -> None:
    with pytest.raises(UsageError, match="identity_pool_id and identity_id go together"):
        verify.build_config(parse("--identity-pool-id", "us-east-1:0"), seed=1)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seed", "x"], "seed='x' is not allowed: seed must be a whole number from 0 to"),
        (["--seed", "-1"], "seed='-1' is not allowed"),
        (["--max-examples", "0"], "max-examples='0' is not allowed: max-examples must be"),
        (["--concurrency", "65"], "concurrency='65' is not allowed"),
        (["--rate-limit", "fast"], "rate-limit='fast' is not allowed"),
        (["--rate-limit", "-2"], "rate-limit='-2' is not allowed"),
        (["--deadline", "0"], "deadline='0' is not allowed"),
        (["--budget", "huge"], "invalid choice: 'huge'"),
        (["--strictness", "strict"], "invalid choice: 'strict'"),
        (["--profile", "prod"], "use --aws-profile prod; for what a SHOULD breach counts as, --strictness"),
        (
            ["--endpoint-url", "http://127.0.0.1:1", "--in-process", "m:f"],
            "not allowed with argument",
        ),
    ],
)
def test_bad_arguments_exit_3_with_one_reason(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        parse(*argv)
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_the_reproduce_command_parses_back_to_the_same_run() -> None:
    args = parse(
        "--endpoint-url",
        "http://127.0.0.1:8000",
        "--region",
        "eu-west-1",
        "--aws-profile",
        "emulator-keys",
        "--strictness",
        "documented",
        "--budget",
        "ci",
        "--max-examples",
        "9",
        "--properties",
        "SYNC-*",
        "--skip",
        "SYNC-7",
        "--concurrency",
        "2",
        "--rate-limit",
        "5",
        "--timeout",
        "2.5",
        "--deadline",
        "60",
        "--skip-preflight",
        "--faults",
        "duplicate=0.1,seed=3",
        "--baseline",
        "known.toml",
        "--report-json",
        "out.json",
    )
    command = verify.reproduce_command(args, seed=77)
    assert command.startswith("cogsync verify --endpoint-url http://127.0.0.1:8000")
    assert command.endswith("--seed 77")
    assert "--report-json" not in command  # where reports go does not change the run
    again = parse(*shlex.split(command)[2:])
    first, second = verify.build_config(args, 77), verify.build_config(again, 77)
    for name in (
        "profile",
        "budget",
        "max_examples",
        "seed",
        "properties",
        "skip",
        "concurrency",
        "deadline_seconds",
        "skip_preflight",
        "faults",
    ):
        assert getattr(first, name) == getattr(second, name), name
    assert "--aws-profile emulator-keys" in command and "--strictness documented" in command
    for name in ("endpoint_url", "region", "aws_profile", "rate_limit", "timeout", "baseline"):
        assert getattr(args, name) == getattr(again, name), name
    unsigned = verify.reproduce_command(parse("--endpoint-url", "http://127.0.0.1:1", "--no-sign-request"), 1)
    assert parse(*shlex.split(unsigned)[2:]).no_sign_request


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], None),
        (["--endpoint-url", "http://127.0.0.1:9000"], None),
        (["--endpoint-url", "http://localhost:9000"], None),
        (["--endpoint-url", "http://[::1]:9000"], None),
        (["--endpoint-url", "https://sync.example.com"], options.DEFAULT_REMOTE_RATE_LIMIT),
        (["--endpoint-url", "aws"], options.DEFAULT_REMOTE_RATE_LIMIT),
        (["--endpoint-url", "https://sync.example.com", "--rate-limit", "0"], None),
        (["--endpoint-url", "http://127.0.0.1:9000", "--rate-limit", "3"], 3.0),
        (["--in-process", "m:f"], None),
    ],
)
def test_rate_limit_is_on_by_default_for_non_loopback_endpoints(
    argv: list[str], expected: float | None
) -> None:
    assert options.effective_rate_limit(parse(*argv)) == expected


def test_a_closed_port_is_an_infrastructure_error() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = parse("--endpoint-url", f"http://127.0.0.1:{port}", "--timeout", "2")
    with pytest.raises(InfrastructureError, match=f"cannot reach http://127.0.0.1:{port}"):
        options.open_target(args)
