"""The test suite is a package: helpers live in tests/support, every test file holds tests.

Helpers are imported as ``tests.support.<name>`` (pytest's ``pythonpath`` setting),
never loaded by file path or by editing ``sys.path``.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
PATH_LOADERS = ("spec_from_file_location", "sys.path.insert", "sys.path.append")


def all_test_modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("test_*.py") if "node_modules" not in p.parts)


def holds_tests(path: Path) -> bool:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    return any(
        (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"))
        or (isinstance(node, ast.ClassDef) and node.name.startswith("Test"))
        for node in tree.body
    )


def test_every_test_file_holds_tests() -> None:
    empty = [str(p.relative_to(TESTS)) for p in all_test_modules() if not holds_tests(p)]
    assert empty == [], "helpers belong in tests/support: " + ", ".join(empty)


def test_no_test_module_is_loaded_by_path() -> None:
    loaders = [
        f"{p.relative_to(TESTS)}: {word}"
        for p in sorted(TESTS.rglob("*.py")) if "node_modules" not in p.parts and p != Path(__file__)
        for word in PATH_LOADERS if word in p.read_text("utf-8")
    ]
    assert loaders == []
