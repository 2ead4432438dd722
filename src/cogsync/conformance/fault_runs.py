"""A run under ``--faults``: which schedule the phases meet, and what was injected.

Against an HTTP endpoint the faults are ``cogsync proxy``'s, from a proxy in front of it
(:mod:`cogsync.faults.through_proxy`); against anything else (an in-process app, the AWS
CLI) they are injected at the target layer (:mod:`cogsync.faults.target`), with the same
meanings. The preflight and the cleanup meet no faults (the preflight decides what the target
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
from cogsync.faults.through_proxy import ProxiedFaults
from cogsync.targets.base import Target
from cogsync.targets.http_target import HttpTarget


def fault_layer(target: Target, spec: FaultSpec) -> FaultyTarget | ProxiedFaults:
    """Where the faults are injected: a fault proxy in front of an HTTP endpoint, else in-process."""
    if isinstance(target, HttpTarget):
        return ProxiedFaults(target)
    return FaultyTarget(target, delay_seconds=spec.delay_seconds)


class Faults:
    def __init__(self, faulty: FaultyTarget | ProxiedFaults, spec: FaultSpec):
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
