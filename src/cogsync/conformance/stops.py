"""Why a run ends early: exceptions raised below the phases and caught by the engine.

A passed deadline, a target that stopped answering, one that kept throttling: none
is a property failing, so none is worth shrinking. A Hypothesis search aborts at once
on a :class:`RunStopped` (see ``hypothesis_runs.search``), keeping any failure it had
already found in ``failures``, and the engine reports the rest of the run inconclusive.
"""

from __future__ import annotations

from typing import Any


class RunStopped(Exception):
    """The run cannot go on; ``failures`` holds what a search had found before it stopped."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.failures: list[Any] = []
