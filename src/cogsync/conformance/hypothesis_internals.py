"""The only two places cogsync reaches into Hypothesis's internals.

Hypothesis offers no public way to do either, and everything else cogsync asks of it
goes through its public API (``given``, ``settings`` with the example database,
``seed``, ``Phase``). tests/conformance/test_hypothesis_internals.py fails loudly
when a Hypothesis release changes either one; until then, at run time, a missing
internal only costs what it bought (Hypothesis's own defaults apply).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

#: The attribute Hypothesis's ``given`` appends to a test's database key.
DATABASE_KEY_ATTRIBUTE = "_hypothesis_internal_add_digest"


@contextlib.contextmanager
def shrink_limit(seconds: float) -> Iterator[None]:
    """Hypothesis's own cap on shrinking time (300 s), lowered for one search.

    A failure found against a slow target can take minutes to shrink; past the cap
    Hypothesis reports the smallest example it has so far. The cap is a module
    attribute of Hypothesis's engine, ``MAX_SHRINKING_SECONDS``; if a release drops
    it, nothing is lowered and shrinking keeps Hypothesis's default.
    """
    from hypothesis.internal.conjecture import engine as conjecture_engine

    previous = getattr(conjecture_engine, "MAX_SHRINKING_SECONDS", None)
    if previous is None:
        yield
        return
    conjecture_engine.MAX_SHRINKING_SECONDS = min(previous, seconds)
    try:
        yield
    finally:
        conjecture_engine.MAX_SHRINKING_SECONDS = previous


def set_database_key(test: Callable[..., Any], key: bytes) -> None:
    """Make the ``@given`` ``test`` save its examples under its own ``key``.

    Every search runs the same wrapper function, whose key Hypothesis derives from its
    source: without a key of its own, each phase would replay the others' failures.
    """
    setattr(test.hypothesis.inner_test, DATABASE_KEY_ATTRIBUTE, key)  # type: ignore[attr-defined]
