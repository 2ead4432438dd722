"""What a conformance run found: one verdict per property, with evidence.

The engine fills a :class:`RunResult`; the CLI, the reports and the pytest plugin
only read it. Statuses follow the contract (section 11): ``pass``, ``fail`` (with
the minimal failing sequence), ``warn`` (a SHOULD breach under the ``documented``
profile), ``finding`` (a MAY: what was observed), ``inconclusive`` (throttled,
timed out, budget spent), ``not-applicable`` (a conditional property whose condition
does not hold for this target) and ``not-run``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cogsync.contracts.calls import Call, Outcome
from cogsync.contracts.properties import PROPERTIES, Level, Profile, Severity


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    FINDING = "finding"
    INCONCLUSIVE = "inconclusive"
    NOT_APPLICABLE = "not-applicable"
    NOT_RUN = "not-run"


@dataclass(frozen=True)
class Step:
    """One call of a failing sequence and what the target answered."""

    call: Call
    outcome: Outcome
    client: int = 0


@dataclass(frozen=True)
class Reproduction:
    """Ways to replay a failure: a boto3 script, AWS CLI commands, a Hypothesis blob."""

    python: str
    cli: str
    hypothesis_blob: str | None = None


@dataclass(frozen=True)
class Failure:
    """One breach of a property, shrunk, with what was expected and what came back."""

    property_id: str
    title: str
    expected: str
    received: str
    steps: tuple[Step, ...] = ()
    reproduction: Reproduction | None = None

    @property
    def dedupe_key(self) -> tuple[str, str]:
        return (self.property_id, self.title)


@dataclass
class PropertyResult:
    property_id: str
    level: Level
    status: Status = Status.NOT_RUN
    examples: int = 0
    failures: list[Failure] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    note: str = ""

    def record_examples(self, n: int = 1) -> None:
        self.examples += n

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
        """After a run: exercised and never breached means pass."""
        if self.status is Status.NOT_RUN and self.examples > 0:
            self.status = Status.PASS
        if self.level is Level.MAY and self.status is Status.PASS:
            self.status = Status.FINDING if self.findings else Status.PASS


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
        """0 all checked properties hold, 1 a property fails, 2 inconclusive."""
        statuses = {r.status for r in self.results.values()}
        if Status.FAIL in statuses:
            return 1
        if Status.INCONCLUSIVE in statuses:
            return 2
        return 0

    def failures(self) -> list[Failure]:
        return [f for r in self.results.values() for f in r.failures]

    def to_dict(self) -> dict[str, Any]:
        from cogsync.report.serialize import run_to_dict

        return run_to_dict(self)
