"""The README opens with the two set-up commands, and CI runs the second one verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    first_block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in first_block.splitlines() if line.strip()]


@pytest.mark.skipif(not (ROOT / "README.md").exists(), reason="runs from a source checkout")
def test_readme_opens_with_exactly_two_commands():
    text = (ROOT / "README.md").read_text("utf-8")
    assert text.index("```bash") < text.index("\n\n", text.index("# cogsync") + 10) + 2
    commands = readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("cogsync verify")
    assert "'.[test]'" in commands[1] and commands[1].endswith("python -m pytest")


@pytest.mark.skipif(not (ROOT / ".ci" / "run").exists(), reason="runs from a source checkout")
def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert readme_commands()[1] in ci.splitlines()
    assert '"$rc" -eq 5' in ci
