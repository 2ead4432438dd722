"""Nothing is written to the working directory unless asked: no .hypothesis/ from a search, no
stray files (real subprocesses of the CLI, each in an empty directory)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cogsync.emulator.server import serve_in_thread
from cogsync.report.json_report import write_json

from .conftest import build_run, run_cogsync


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    folder = tmp_path / "cwd"
    folder.mkdir()
    return folder


@pytest.fixture
def quiet_env() -> dict[str, str]:
    """The user's environment, minus a Hypothesis storage directory they might have chosen."""
    return {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"} | {"CI": "true"}


@pytest.fixture
def two_emulators() -> Iterator[tuple[str, str]]:
    with serve_in_thread() as left, serve_in_thread() as right:
        yield left, right


def test_verify_leaves_the_working_directory_as_it_was(empty: Path, quiet_env: dict[str, str]) -> None:
    result = run_cogsync("verify", "--budget", "quick", "--seed", "9", cwd=empty, env=quiet_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in empty.rglob("*")) == []


def test_diff_leaves_the_working_directory_as_it_was(
    empty: Path, quiet_env: dict[str, str], two_emulators: tuple[str, str]
) -> None:
    left, right = two_emulators
    result = run_cogsync("diff", "--endpoint-url", left, "--against", right, "--max-examples", "10",
                         "--seed", "1", cwd=empty, env=quiet_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in empty.rglob("*")) == []


def test_replay_leaves_the_working_directory_as_it_was(
    empty: Path, tmp_path: Path, quiet_env: dict[str, str]
) -> None:
    report = write_json(tmp_path / "report.json", build_run())
    result = run_cogsync("replay", str(report), cwd=empty, env=quiet_env)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "failure(s) replayed" in result.stdout
    assert sorted(p.name for p in empty.rglob("*")) == []
