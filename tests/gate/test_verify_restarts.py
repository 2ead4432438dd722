"""`cogsync verify --restart-command / --restart / --restart-every`: parsing, the reproduce line,
exit codes (the restarts themselves: tests/conformance/test_restarts.py)."""

from __future__ import annotations

import argparse
import shlex

import pytest

from cogsync.cli import main
from cogsync.commands import verify
from cogsync.commands.parser import Parser


def parse(*argv: str) -> argparse.Namespace:
    parser = Parser(prog="cogsync verify")
    verify.add_arguments(parser)
    return parser.parse_args(argv)


def test_restart_options_reach_the_config_and_the_reproduce_line() -> None:
    args = parse("--endpoint-url", "http://127.0.0.1:4100", "--restart-command", "sh restart.sh",
                 "--restart-every", "9")
    config = verify.build_config(args, seed=3)
    assert (config.restart_command, config.restart_in_process, config.restart_every) == ("sh restart.sh", False, 9)
    line = shlex.split(verify.reproduce_command(args, 3))
    assert line[line.index("--restart-command") + 1] == "sh restart.sh" and "--restart-every" in line
    assert verify.build_config(parse("--restart"), seed=3).restart_in_process is True


def test_the_embedded_emulator_restarted_in_process_fails_dur_1_its_data_being_in_memory(capsys, tmp_path) -> None:
    code = main(["verify", "--restart", "--properties", "DUR-1", "--seed", "4", "-q",
                 "--report-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1 and "in memory only" in out


@pytest.mark.parametrize(("argv", "said"), [
    (["--restart-every", "3"], "--restart-command"),
    (["--restart", "--restart-command", "true"], "give one"),
    (["--restart", "--endpoint-url", "http://127.0.0.1:9"], "--restart-command"),
])
def test_restart_options_that_cannot_work_exit_3_with_a_one_line_reason(argv, said, capsys) -> None:
    code = main(["verify", "--properties", "DUR-1", "-q", *argv])
    err = capsys.readouterr().err
    assert code == 3 and said in err, err
    assert len(err.strip().splitlines()) == 1
