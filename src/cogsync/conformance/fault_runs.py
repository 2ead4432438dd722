"""A run under ``--faults``: which schedule the phases meet, and what was injected.

The preflight and the cleanup meet no faults (the preflight decides what the target
is; a fault there would say nothing about it). The probes, the concurrency rounds
and the auth phase share one run-wide schedule (``KIND@N`` counts their requests);
inside a Hypothesis search each example draws its own schedule's rng from its data
(:func:`cogsync.conformance.engine._with_faults`), so shrinking and replay meet the
same faults.
"""

from __future__ import annotations

from cogsync.conformance.results import FaultReport
from cogsync.faults.spec import FaultSchedule, FaultSpec
from cogsync.faults.target import FaultyTarget


class Faults:
    def __init__(self, faulty: FaultyTarget, spec: FaultSpec):
        self.faulty = faulty
        self.spec = spec
        self.phase_schedule: FaultSchedule | None = None

    def enter(self, phase: str | None) -> None:
        """From now on requests belong to ``phase`` (None: no faults, as in cleanup)."""
        self.faulty.phase = phase or ""
        if phase is None:
            self.faulty.use(None)
            return
        if self.phase_schedule is None:
            self.phase_schedule = self.spec.schedule()
        self.faulty.use(self.phase_schedule)

    def report(self, unknown_answers: int) -> FaultReport:
        return FaultReport(
            str(self.spec),
            [{"index": n, "kind": f.kind.value, "what": f.what, "phase": phase}
             for n, (phase, f) in enumerate(self.faulty.injected, start=1)],
            unknown_answers,
            self.faulty.requests,
        )
