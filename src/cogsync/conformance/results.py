"""What a conformance run found: one verdict per property, with evidence.

The engine fills a :class:`RunResult`; the CLI, the reports and the pytest plugin
only read it. A verdict is earned: ``pass`` only where at least one answer put the
property to the test (a *witness*) and none broke it; the count shown is witnesses.

Statuses follow the contract (section 11): ``pass``, ``fail`` (with the minimal
failing sequence), ``warn`` (a SHOULD breach under the ``documented`` profile),
``finding`` (a MAY: what was observed), ``inconclusive`` (throttled, timed out,
budget spent), ``not-applicable`` (a conditional property whose condition does not
hold for this target) and ``not-run``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.contracts.properties import PROPERTIES, Level, Profile, Severity
from cogsync.targets.description import TargetDescription

if TYPE_CHECKING:  # the failure type lives in the contract: import it from cogsync.contracts.failures
    from cogsync.contracts.failures import Failure


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    FINDING = "finding"
    INCONCLUSIVE = "inconclusive"
    NOT_APPLICABLE = "not-applicable"
    NOT_RUN = "not-run"


@dataclass
class PropertyResult:
    """One property's verdict. ``excluded`` says why the user or the run's mode left it
    out (``--skip`` aside: skipped ids get no result); an excluded property left
    not-run does not make the run inconclusive."""

    property_id: str
    level: Level
    status: Status = Status.NOT_RUN
    witnesses: int = 0
    failures: list[Failure] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    note: str = ""
    excluded: str = ""

    def record_witnesses(self, n: int = 1) -> None:
        self.witnesses += n

    @property
    def untested(self) -> bool:
        """A MUST or SHOULD property the run should have put to the test and did not."""
        return self.status is Status.NOT_RUN and self.level is not Level.MAY and not self.excluded

    def record_failure(self, failure: Failure, profile: Profile) -> None:
        if failure.dedupe_key not in {f.dedupe_key for f in self.failures}:
            self.failures.append(failure)
        severity = profile.severities[self.level]
        if severity is Severity.FAIL:
            self.status = Status.FAIL
        elif severity is Severity.WARN and self.status is not Status.FAIL:
            self.status = Status.WARN
        else:  # a MAY "breach" is only ever an observation
            self.record_finding(f"{failure.title}: {failure.received}")

    def record_finding(self, observation: str) -> None:
        """Note what the target chose where the contract leaves a choice.

        Only a MAY property's status becomes ``finding``; a MUST or SHOULD property
        with a MAY corner (DS-3's restart of the count) keeps its verdict.
        """
        if observation not in self.findings:
            self.findings.append(observation)
        if self.level is Level.MAY and self.status in (Status.NOT_RUN, Status.PASS):
            self.status = Status.FINDING

    def settle(self) -> None:
        """After a run: witnessed and never breached means pass.

        A MAY property is never passed: it is a ``finding`` once an answer showed the
        server's choice, else not-run.
        """
        if self.level is Level.MAY:
            if self.status in (Status.NOT_RUN, Status.PASS):
                self.status = Status.FINDING if self.findings else Status.NOT_RUN
        elif self.status is Status.NOT_RUN and self.witnesses > 0:
            self.status = Status.PASS


@dataclass
class FaultReport:
    """The faults a ``--faults`` run injected: its SPEC, each fault, the answers left unknown.

    ``injected`` holds one ``{"index", "kind", "what", "phase"}`` mapping per fault, in
    order; ``unknown_answers`` counts the answers the run's clients never read (faults,
    and throttles or timeouts of the target itself). A fault is never a failure.
    """

    spec: str
    injected: list[dict[str, Any]] = field(default_factory=list)
    unknown_answers: int = 0
    requests: int = 0  # requests sent through the faults

    def summary(self) -> str:
        """The run note: "N faults injected: ...; M answers unknown"."""
        kinds: dict[str, int] = {}
        for fault in self.injected:
            kinds[fault["kind"]] = kinds.get(fault["kind"], 0) + 1
        shown = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "none"
        n, m = len(self.injected), self.unknown_answers
        return (f"{n} fault{'s' * (n != 1)} injected ({self.spec}): {shown}, over {self.requests} "
                f"requests; {m} answer{'s' * (m != 1)} unknown")


@dataclass
class RunResult:
    target: str
    profile: str
    seed: int | None
    budget: str
    results: dict[str, PropertyResult]
    duration: float = 0.0
    selected: tuple[str, ...] = ()
    command: str = ""
    """The command line that reproduces this run (shown in report headers)."""
    notes: list[str] = field(default_factory=list)
    target_description: TargetDescription | None = None
    """Where the run sent its calls: where its failures' scripts replay them by default."""
    limits: Limits = DEFAULT_LIMITS
    """The limits the model held the target to (LIM-1..3)."""
    faults: FaultReport | None = None
    """What ``--faults`` injected (None: a run without faults)."""

    @classmethod
    def empty(cls, *, target: str, profile: str, seed: int | None, budget: str,
              selected: list[str] | None = None) -> RunResult:
        ids = selected or [p.id for p in PROPERTIES]
        by_id = {p.id: p for p in PROPERTIES}
        return cls(
            target=target,
            profile=profile,
            seed=seed,
            budget=budget,
            results={pid: PropertyResult(pid, by_id[pid].level) for pid in ids},
            selected=tuple(ids),
        )

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for r in self.results.values():
            out[r.status.value] += 1
        return out

    @property
    def exit_code(self) -> int:
        """0 every selected property was put to the test and holds, 1 one fails, 2 inconclusive."""
        return exit_status(self.results.values())

    def untested(self) -> list[PropertyResult]:
        """Selected MUST/SHOULD properties no answer put to the test (they make the run exit 2)."""
        return [r for r in self.results.values() if r.untested]

    def failures(self) -> list[Failure]:
        return [f for r in self.results.values() for f in r.failures]


def exit_status(results: Iterable[PropertyResult]) -> int:
    """The gate's exit status over ``results`` (docs/contract.md, "What a run reports").

    1 a property fails; 2 inconclusive: throttled, timed out, or a selected MUST or
    SHOULD property never put to the test (unless excluded, or not-applicable); else 0.
    """
    results = list(results)
    if any(r.status is Status.FAIL for r in results):
        return 1
    if any(r.status is Status.INCONCLUSIVE or r.untested for r in results):
        return 2
    return 0
