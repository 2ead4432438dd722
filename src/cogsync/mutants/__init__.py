"""A catalog of mutants of the reference emulator: each one realistic bug.

``CATALOG`` lists them (:class:`Mutant`: name, the bug, the property ids it breaks,
a factory); ``get(name)`` finds one. Every factory is reachable as
``cogsync.mutants:<name_with_underscores>``, so ``cogsync verify --in-process
cogsync.mutants:stale_replace_accepted`` checks one (exit code 1: caught).
``reference`` and ``reference_with_signatures`` build the correct emulator the same
way, for comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cogsync.mutants._parts import serve
from cogsync.mutants.catalog import CATALOG, Mutant, get
from cogsync.mutants.signatures import reference_with_signatures

__all__ = ["CATALOG", "Mutant", "get", "reference", "reference_with_signatures"]


def reference() -> Any:
    """The correct emulator (memory storage), built like the mutants."""
    return serve()


_FACTORIES: dict[str, Callable[[], Any]] = {m.name.replace("-", "_"): m.build for m in CATALOG}


def __getattr__(name: str) -> Callable[[], Any]:
    """``cogsync.mutants.<factory>``: each mutant's factory, by its name with underscores."""
    try:
        return _FACTORIES[name]
    except KeyError:
        raise AttributeError(f"module 'cogsync.mutants' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted([*globals(), *_FACTORIES])
