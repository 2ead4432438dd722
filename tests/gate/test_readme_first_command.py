"""The README's first command, word for word, on a fresh clone: it installs cogsync and
the gate goes green on the embedded emulator, printing the conformance table.

The clone is of the committed tree (``git clone`` of this checkout), so a file that is
needed but not committed fails here as it would for a new user. pip's cache is allowed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.readme import README, ROOT, blocks, commands

pytestmark = pytest.mark.skipif(
    not (ROOT / ".git").exists() or shutil.which("git") is None or shutil.which("python3.11") is None,
    reason="runs from a git checkout with python3.11 on PATH")


@pytest.mark.slow
def test_the_first_command_installs_and_runs_the_gate_on_a_fresh_clone(tmp_path: Path) -> None:
    # The section is "cogsync", the README's title: the two set-up commands open it.
    opening = blocks(README.read_text("utf-8"))[0]
    first = commands(opening)[0].text
    clone = tmp_path / "cogsync"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items()
           if k not in {"VIRTUAL_ENV", "PYTHONPATH"} and not k.startswith(("AWS_", "COGSYNC_"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(os.environ.get("VIRTUAL_ENV", "\0")))
    result = subprocess.run(["bash", "-c", first], cwd=clone, env=env,
                            capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    tail = f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
    assert result.returncode == 0, tail
    assert re.search(r"^SYNC-1 +MUST +pass ", result.stdout, flags=re.MULTILINE), tail
    assert re.search(r"^\d+ properties: .*\(exit 0\)$", result.stdout, flags=re.MULTILINE), tail
