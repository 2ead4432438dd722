"""Run a Hypothesis search whose examples are judged sessions, and collect the failures.

Both the random device programs and the negative fuzzing are ``@given`` tests run by
hand: each example opens a fresh :class:`Session` that raises a per-property
:class:`PropertyFailed` on the first breach, Hypothesis shrinks each distinct
property's failure to a minimal example and replays it last, and we keep the
transcript of that final replay, with Hypothesis's reproduce blob.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase
from hypothesis.errors import Unsatisfiable

from cogsync.conformance.hypothesis_internals import set_database_key, shrink_limit
from cogsync.conformance.session import PropertyFailed
from cogsync.conformance.stops import RunStopped
from cogsync.contracts.failures import Failure

_BLOB = re.compile(r"@reproduce_failure\((['\"][^'\"]+['\"]),\s*(b?['\"][^'\"]+['\"])\)")


def _blob(exc: BaseException) -> str | None:
    for note in getattr(exc, "__notes__", []) or []:
        match = _BLOB.search(note)
        if match:
            return f"@reproduce_failure({match.group(1)}, {match.group(2)})"
    return None


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


class _Abort(BaseException):
    """Carries a RunStopped out of Hypothesis, which lets a BaseException through at once
    (an Exception it would try to shrink, example after example, past the deadline)."""

    def __init__(self, stop: RunStopped):
        super().__init__(str(stop))
        self.stop = stop


def search(
    strategy: st.SearchStrategy[Any],
    example: Callable[[Any], None],
    *,
    max_examples: int,
    run_seed: int,
    database: ExampleDatabase | None,
    database_key: bytes,
    shrink_seconds: float = 300,
) -> list[Failure]:
    """Run ``example`` on draws of ``strategy``; the shrunk failures, one per property."""
    last: dict[str, Failure] = {}

    def body(value: Any) -> None:
        try:
            example(value)
        except PropertyFailed as exc:
            last[exc.failure.property_id] = exc.failure
            raise
        except RunStopped as exc:
            raise _Abort(exc) from exc

    test = given(strategy)(body)
    test = settings(
        max_examples=max_examples,
        deadline=None,
        database=database,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=True,
        print_blob=True,
        # Quiet: the failures come back as data; Hypothesis's own prints would only
        # clutter the CLI's output (e.g. its shrink-time warning, which our cap trips).
        verbosity=Verbosity.quiet,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    )(test)
    test = seed(run_seed)(test)
    set_database_key(test, database_key)
    failures: list[Failure] = []
    try:
        with shrink_limit(shrink_seconds):
            test()
    except Unsatisfiable:
        return []
    except _Abort as abort:
        abort.stop.failures.extend(last.values())
        raise abort.stop from None
    except BaseException as exc:  # noqa: BLE001 - sorted below; anything else is re-raised
        leaves = _leaves(exc)
        if not all(isinstance(leaf, PropertyFailed) for leaf in leaves):
            raise
        for leaf in leaves:
            assert isinstance(leaf, PropertyFailed)
            found = last.get(leaf.failure.property_id, leaf.failure)
            blob = _blob(leaf) or _blob(exc)
            if blob and found.hypothesis_blob is None:
                found = replace(found, hypothesis_blob=blob)
            failures.append(found)
    return failures
