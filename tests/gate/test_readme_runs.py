"""Every fenced block of the README runs, so no example can rot.

Shell blocks run command by command with bash in a fresh directory, against the
embedded emulator or a ``cogsync serve`` this test starts on a free port (the README's
``127.0.0.1:4566`` and ``127.0.0.1:8000`` become that port); each command must exit as
its comment promises (``# 1: reproduced``), else 0. ``HOME`` is a fresh folder, so the
AWS CLI examples must carry their own region and credentials (or ``--no-sign-request``).
TOML blocks are baselines and must load. Python blocks run as a file (under pytest when
they define tests), except those run by the tests named in ``RUN_ELSEWHERE``. A block
that cannot run here says why in its first line (``# not run by the tests: ...``), and a
block neither run nor marked fails the suite.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cogsync.baseline import Baseline
from tests.emulator.serve_process import ready_url, served
from tests.support.readme import README, ROOT, Block, blocks, commands

pytestmark = pytest.mark.skipif(not README.exists(), reason="runs from a source checkout")

# Blocks whose running lives in another test, by the section they sit in and their language.
RUN_ELSEWHERE = {
    ("cogsync", "bash"): "tests/gate/test_readme_first_command.py",  # and .ci/run, the second
    ("In pytest: the plugin", "python"): "tests/plugin/test_readme_example.py",
    ("Strategies for your own property tests", "python"): "tests/unit/test_readme_examples.py",
}
RUNS_HERE = {"bash", "toml", "python"}
_LOCAL_PORT = re.compile(r"127\.0\.0\.1:(\d+)")
_SERVE_PORT = re.compile(r"--port[ =](\d+)")

# What `--in-process myserver.wsgi:make_app` and `--app myserver:make_app` load: the
# reference emulator, standing in for the reader's own server.
MYSERVER = "from cogsync.emulator.choices import reference_app\n\n\ndef make_app():\n    return reference_app()\n"


def _all_blocks() -> list[Block]:
    return blocks() if README.exists() else []


def _elsewhere_or_marked(block: Block) -> bool:
    return block.not_run_reason is not None or (block.section, block.lang) in RUN_ELSEWHERE


def _runs_here(block: Block) -> bool:
    return not _elsewhere_or_marked(block) and block.lang in RUNS_HERE


def test_every_block_is_run_or_says_why_not() -> None:
    unaccounted = [
        str(block) for block in _all_blocks()
        if not _elsewhere_or_marked(block) and block.lang not in RUNS_HERE
    ]
    assert not unaccounted, (
        "README blocks no test runs; make them runnable here or start them with "
        "'# not run by the tests: <why>':\n" + "\n".join(unaccounted))


def test_tests_named_for_other_blocks_exist_and_read_their_section() -> None:
    for (section, _), runner in RUN_ELSEWHERE.items():
        text = (ROOT / runner).read_text("utf-8")
        assert section in text, f"{runner} does not read the README section {section!r}"


def test_the_opening_block_is_the_two_set_up_commands() -> None:
    first = _all_blocks()[0]
    assert first.section == "cogsync" and len(commands(first)) == 2


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "myserver").mkdir()
    (tmp_path / "myserver" / "__init__.py").write_text("")
    (tmp_path / "myserver" / "wsgi.py").write_text(MYSERVER)
    (tmp_path / "myserver.py").write_text(MYSERVER)
    (tmp_path / "home").mkdir()
    return tmp_path


def _environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COGSYNC_"))}
    env.update(HOME=str(workdir / "home"), AWS_EC2_METADATA_DISABLED="true", CI="true",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               PYTHONPATH=str(workdir))
    return env


class ShellSession:
    """Runs a block's commands one after another in one folder, starting the servers
    they name on free ports and stopping them at the end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.env = _environment(workdir)
        self.ports: dict[str, str] = {}
        self.servers: list[subprocess.Popen[str]] = []
        self._served: list[Iterator[tuple[str, subprocess.Popen[str]]]] = []

    def local(self, text: str) -> str:
        """The command with each README port replaced by the port its server really has."""
        for port in set(_LOCAL_PORT.findall(text)) - set(self.ports):
            manager = served()
            url, _ = manager.__enter__()
            self._served.append(manager)
            self.ports[port] = url.rsplit(":", 1)[1]
        return _LOCAL_PORT.sub(lambda m: f"127.0.0.1:{self.ports[m.group(1)]}", text)

    def start_server(self, text: str) -> None:
        """``cogsync serve --port N ...``: started on a free port in the background."""
        readme_port = _SERVE_PORT.search(text)
        argv = ["bash", "-c", "exec " + _SERVE_PORT.sub("--port 0", text) + " --host 127.0.0.1"]
        process = subprocess.Popen(argv, cwd=self.workdir, env={**self.env, "PYTHONUNBUFFERED": "1"},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.servers.append(process)
        url = ready_url(process)
        if readme_port:
            self.ports[readme_port.group(1)] = url.rsplit(":", 1)[1]

    def run(self, text: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", self.local(text)], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)

    def close(self) -> None:
        for process in self.servers:
            process.terminate()
            process.wait(timeout=15)
        for manager in reversed(self._served):
            manager.__exit__(None, None, None)


@pytest.mark.slow
@pytest.mark.parametrize("block", [b for b in _all_blocks() if _runs_here(b)], ids=lambda b: f"line{b.line}")
def test_block_runs_as_written(block: Block, workdir: Path) -> None:
    if block.lang == "toml":
        assert Baseline.parse(block.code, fmt="toml").entries
        return
    if block.lang == "python":
        _run_python(block, workdir)
        return
    session = ShellSession(workdir)
    try:
        for command in commands(block):
            if command.text.startswith("cogsync serve"):
                session.start_server(command.text)
                continue
            result = session.run(command.text)
            assert result.returncode == command.expected_exit, (
                f"README.md line {command.line}: {command.text}\n"
                f"exited {result.returncode}, the README promises {command.expected_exit}\n"
                f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}")
    finally:
        session.close()


def _run_python(block: Block, workdir: Path) -> None:
    """A file of the block's code: pytest runs it when it defines tests, else python."""
    path = workdir / "test_readme_block.py"
    path.write_text(block.code)
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path.name] \
        if "def test_" in block.code else [sys.executable, path.name]
    result = subprocess.run(argv, cwd=workdir, env=_environment(workdir), capture_output=True,
                            text=True, timeout=600, stdin=subprocess.DEVNULL)
    output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"{block} exited {result.returncode}\n{output}"
