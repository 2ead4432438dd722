"""The layers of DESIGN.md hold: no module imports a layer above its own.

Bottom up: contracts and strategies, then targets (the emulator beside them), then
conformance, then report, then the front ends (commands, the pytest plugin and
suite, the CLI). Every import counts, those inside functions too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONT_ENDS = ("cogsync.commands", "cogsync.suite", "cogsync.pytest_plugin", "cogsync.cli")

#: folder -> the cogsync packages its modules must never import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "contracts": ("cogsync.strategies", "cogsync.targets", "cogsync.emulator", "cogsync.conformance",
                  "cogsync.report", *FRONT_ENDS),
    "strategies": ("cogsync.targets", "cogsync.emulator", "cogsync.conformance", "cogsync.report",
                   *FRONT_ENDS),
    "src/cogsync/targets": ("cogsync.conformance", "cogsync.report", *FRONT_ENDS),
    "src/cogsync/faults": ("cogsync.conformance", "cogsync.report", *FRONT_ENDS),
    "src/cogsync/conformance": ("cogsync.report", *FRONT_ENDS),
    "src/cogsync/report": FRONT_ENDS,
}

#: The fault SPEC sits at the bottom: of cogsync it imports only the errors.
LOW_MODULES: dict[str, tuple[str, ...]] = {
    "src/cogsync/faults/spec.py": ("cogsync.errors",),
}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_no_module_imports_a_layer_above_its_own(folder: str) -> None:
    breaches = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in sorted(imported(path)):
            if any(name == layer or name.startswith(layer + ".") for layer in FORBIDDEN[folder]):
                breaches.append(f"{path.relative_to(ROOT)} imports {name}")
    assert breaches == []


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from cogsync.report.reproduce import python_script\n")
    assert "cogsync.report.reproduce" in imported(module)


@pytest.mark.parametrize("module", sorted(LOW_MODULES))
def test_low_modules_import_only_what_they_may(module: str) -> None:
    allowed = LOW_MODULES[module]
    cogsync = {name for name in imported(ROOT / module) if name == "cogsync" or name.startswith("cogsync.")}
    assert {name for name in cogsync if not any(name == ok or name.startswith(ok + ".") for ok in allowed)} == set()
