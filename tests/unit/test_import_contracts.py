"""The import-linter contracts of pyproject.toml hold on the wheel people install, and
on this checkout as installed for development.

The test builds the wheel from a copy of the sources, installs it into a temporary
directory and runs ``lint-imports`` there. A second run, on the same install with one
upward import planted, shows the contracts can fail. ``lint-imports`` run in the
checkout itself (an editable install, as ``.ci/run`` makes) must see the same tree: the
symlinks ``src/cogsync/contracts`` and ``src/cogsync/strategies`` show it the two
top-level folders that the editable install's import hook maps.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("src", "contracts", "strategies", "pyproject.toml", "README.md")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the ``cogsync`` package as the wheel installs it."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                           if (ROOT / name).is_dir() else {}))  # type: ignore[operator]
    built = run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(source)],
                work)
    assert built.returncode == 0, built.stderr
    wheel = next((work / "dist").glob("cogsync-*.whl"))
    target = work / "site"
    done = run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)], work)
    assert done.returncode == 0, done.stderr
    assert (target / "cogsync" / "contracts" / "model.py").is_file()
    assert (target / "cogsync" / "strategies" / "__init__.py").is_file()
    return target


def lint_imports(site: Path) -> subprocess.CompletedProcess[str]:
    return run([str(LINT_IMPORTS), "--no-cache", str(ROOT / "pyproject.toml")], site, PYTHONPATH=str(site))


@pytest.mark.slow
def test_every_import_contract_is_kept_by_the_installed_wheel(installed: Path) -> None:
    result = lint_imports(installed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "module, planted, contract",
    [
        ("targets/base.py", "from cogsync.report import console", "Layers"),
        ("emulator/state.py", "from cogsync.contracts import model", "never imports the model"),
        ("strategies/_fields.py", "from cogsync.strategies import _device", "No import cycle"),
    ],
)
def test_a_planted_import_breaks_its_contract(
    installed: Path, tmp_path: Path, module: str, planted: str, contract: str
) -> None:
    site = tmp_path / "site"
    shutil.copytree(installed / "cogsync", site / "cogsync")
    path = site / "cogsync" / module
    path.write_text(path.read_text("utf-8") + f"\n\ndef _planted():\n    {planted}\n", "utf-8")
    result = lint_imports(site)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), result.stdout


def test_the_contracts_hold_in_this_checkout():
    result = run([str(LINT_IMPORTS)], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
