"""Every MUST and SHOULD property of the contract has an example-based test named after it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from cogsync.contracts.properties import PROPERTIES, Level

HERE = Path(__file__).parent
_ID_IN_NAME = re.compile(r"(?<![A-Za-z])([A-Z]{2,5})_(\d+)(?=_|$)")


def ids_in_test_names() -> set[str]:
    """Property ids (``CONF_1`` in a name means CONF-1) of every test function in this folder."""
    found: set[str] = set()
    for path in HERE.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                found |= {f"{m[0]}-{m[1]}" for m in _ID_IN_NAME.findall(node.name)}
    return found


def test_every_must_and_should_property_has_a_named_test() -> None:
    required = {p.id for p in PROPERTIES if p.level in (Level.MUST, Level.SHOULD)}
    missing = sorted(required - ids_in_test_names())
    assert missing == [], f"no emulator test named after {missing}"


def test_the_names_use_real_property_ids() -> None:
    known = {p.id for p in PROPERTIES}
    assert ids_in_test_names() <= known
