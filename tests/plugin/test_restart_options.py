"""--cogsync-restart* options reach the run's config, and a lone --cogsync-restart-every is refused."""

from __future__ import annotations

import pytest

SHOW = """
def test_config(cogsync_config):
    print("RESTARTS", cogsync_config.restart_command, cogsync_config.restart_in_process,
          cogsync_config.restart_every)
"""


def test_restart_options_reach_the_config(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SHOW)
    result = pytester.runpytest("-s", "--cogsync-restart", "--cogsync-restart-every=7")
    result.stdout.fnmatch_lines(["*RESTARTS None True 7"])
    result = pytester.runpytest("-s", "--cogsync-restart-command", "./restart.sh")
    result.stdout.fnmatch_lines(["*RESTARTS ./restart.sh False None"])


def test_restart_every_alone_is_a_usage_error_saying_what_restarts(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SHOW)
    result = pytester.runpytest("--cogsync-restart-every=3")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*restart_every*--restart-command*"])
