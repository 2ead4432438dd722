"""Every fenced block of the README runs, so no example can rot.

Shell blocks run as one bash script in a fresh directory, against the embedded
emulator or a ``cogsync serve`` on a free port (each port the README names becomes a free
one; the test serves it unless the block starts its own server); each command must exit
as its comment promises (``# 1: reproduced``), else 0. ``HOME`` is a fresh folder, so the
AWS CLI examples must carry their own region and credentials (or ``--no-sign-request``).
TOML blocks are baselines and must load. Python blocks run as a file (under pytest when
they define tests), except those run by the tests named in ``RUN_ELSEWHERE``. A block
that cannot run here says why in its first line (``# not run by the tests: ...``), and a
block neither run nor marked fails the suite.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from cogsync.baseline import Baseline
from tests.emulator.serve_process import served
from tests.support.readme import README, ROOT, Block, blocks, commands

pytestmark = pytest.mark.skipif(not README.exists(), reason="runs from a source checkout")

# Blocks whose running lives in another test, by the section they sit in and their language.
RUN_ELSEWHERE = {
    ("cogsync", "bash"): "tests/gate/test_readme_first_command.py",  # and .ci/run, the second
    ("In pytest: the plugin", "python"): "tests/plugin/test_readme_example.py",
    ("Strategies for your own property tests", "python"): "tests/unit/test_readme_examples.py",
    ("Restarts: durability (DUR-1)", "bash"): "tests/emulator/test_restart_command.py",  # a free port
}
RUNS_HERE = {"bash", "toml", "python"}
_LOCAL_PORT = re.compile(r"127\.0\.0\.1:(\d+)")
_SERVED_PORT = re.compile(r"(?:--port[ =]|--listen[ =]|PORT=)(\d+)")

# What `--in-process myserver.wsgi:make_app` and `--app myserver:make_app` load: the
# reference emulator, standing in for the reader's own server.
MYSERVER = "from cogsync.emulator.apps import reference_app\n\n\ndef make_app():\n    return reference_app()\n"


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


def _free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _ports(block: Block) -> tuple[dict[str, str], set[str]]:
    """Each README port of the block mapped to a free one, and those the block serves itself."""
    named = set(_LOCAL_PORT.findall(block.code)) | set(_SERVED_PORT.findall(block.code))
    return {port: _free_port() for port in named}, set(_SERVED_PORT.findall(block.code))


def _localized(text: str, ports: dict[str, str]) -> str:
    return re.sub(r"\b(\d{4,5})\b", lambda m: ports.get(m.group(1), m.group(1)), text)


def _long_running(text: str) -> bool:
    return text.endswith("&") or text.startswith(("cogsync serve", "cogsync proxy"))


def shell_script(block: Block, ports: dict[str, str]) -> str:
    """One bash script for the block: each command checked against the exit status its
    comment promises; servers and proxies started in the background, waited for until
    they print their ready line, and stopped when the script ends."""
    lines = ["set -u", "background=()",
             'trap \'for pid in "${background[@]}"; do kill "$pid" 2>/dev/null; done; wait\' EXIT']
    for number, command in enumerate(commands(block)):
        text = _localized(command.text, ports)
        where = f"README.md line {command.line}"
        if _long_running(text):
            out = f".background-{number}.out"
            lines += [
                f"{text.rstrip('&').strip()} > {out} 2> {out}.err &",
                "background+=($!)",
                f"until grep -q 'listening on' {out}; do kill -0 $! 2>/dev/null || break; sleep 0.05; done",
                f"grep -q 'listening on' {out} || {{ echo '{where}: never ready' >&2; cat {out}.err >&2; exit 97; }}",
            ]
        else:
            lines += [text, f'status=$?; [ "$status" -eq {command.expected_exit} ] || '
                            f'{{ echo "{where}: exited $status, the README promises {command.expected_exit}" >&2; '
                            "exit 97; }"]
    return "\n".join(lines) + "\n"


def _run_shell(block: Block, workdir: Path) -> None:
    ports, served_by_block = _ports(block)
    with ExitStack() as servers:
        for port in set(ports) - served_by_block:
            servers.enter_context(served("--port", ports[port]))
        script = workdir / "readme_block.sh"
        script.write_text(shell_script(block, ports))
        result = subprocess.run(["bash", script.name], cwd=workdir, env=_environment(workdir),
                                capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, (
        f"{block}\n{result.stderr[-3000:]}\nstdout:\n{result.stdout[-3000:]}")


@pytest.mark.slow
@pytest.mark.parametrize("block", [b for b in _all_blocks() if _runs_here(b)], ids=lambda b: f"line{b.line}")
def test_block_runs_as_written(block: Block, workdir: Path) -> None:
    if block.lang == "toml":
        assert Baseline.parse(block.code, fmt="toml").entries
    elif block.lang == "python":
        _run_python(block, workdir)
    else:
        _run_shell(block, workdir)


def _run_python(block: Block, workdir: Path) -> None:
    """A file of the block's code, its ports served as for shell blocks: pytest runs it
    when it defines tests, else python."""
    ports, _ = _ports(block)
    path = workdir / "test_readme_block.py"
    path.write_text(_localized(block.code, ports))
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path.name] \
        if "def test_" in block.code else [sys.executable, path.name]
    with ExitStack() as servers:
        for port in ports:
            servers.enter_context(served("--port", ports[port]))
        result = subprocess.run(argv, cwd=workdir, env=_environment(workdir), capture_output=True,
                                text=True, timeout=600, stdin=subprocess.DEVNULL)
    output = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"{block} exited {result.returncode}\n{output}"
