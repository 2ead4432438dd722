"""`cogsync verify` exit 3: usage and infrastructure errors, one line on stderr, no traceback."""

from __future__ import annotations

import socket

import pytest

QUICK = ("--budget", "quick", "--seed", "7", "--quiet")


def test_an_unreachable_endpoint_exits_3_with_one_line(  # type: ignore[no-untyped-def]
    cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert cogsync_cli("verify", *QUICK, "--endpoint-url", f"http://127.0.0.1:{port}") == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"cogsync: error: cannot reach http://127.0.0.1:{port}"
    )


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--in-process", "no_such_module_here:app"], "in_process"),
        (["--properties", "NOPE-*"], "properties='NOPE-*'"),
        (["--seed", "x"], "seed='x'"),
    ],
)
def test_usage_errors_exit_3_without_traceback(  # type: ignore[no-untyped-def]
    argv: list[str], fragment: str, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cogsync_cli("verify", "--quiet", *argv) == 3
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
