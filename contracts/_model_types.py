"""The vocabulary of a judgement: failures, findings, reasons to refuse, verdicts.

A handler judges one call in one candidate world and returns a :class:`Verdict`.
:func:`combine` merges the verdicts of several worlds: if any world accepts the
answer, the answer is allowed and the belief becomes the union of the accepting
worlds' successors; otherwise the violations of the world that explains the
answer best (fewest violations, then a stable order) are reported, and the
belief follows what the server did from those worlds.

Witnesses: a verdict names the properties the answer *put to the test*: the
observation would have come out differently on a server that breaks them (a stale
replace refused with 409 witnesses CONF-1; the mere arrival of an answer witnesses
nothing). An unknown answer, or a refusal for a reason outside the property (auth,
throttling), is never a witness. A property passes only on a witness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cogsync.contracts._model_state import World
from cogsync.contracts.failures import Failure

IPE = "InvalidParameterException"
CONFLICT = "ResourceConflictException"
NOT_FOUND = "ResourceNotFoundException"
LIMIT = "LimitExceededException"


@dataclass(frozen=True)
class Finding:
    """The server made a choice the contract leaves open (MAY): what it chose."""

    property_id: str
    observation: str


@dataclass(slots=True)
class Ctx:
    """Settings and the call's wall-clock window, shared by every handler (built once
    per judged answer and only read after: a plain slotted class, cheap to build)."""

    limits: Any
    skew: float
    started_at: float | None
    ended_at: float | None

    @property
    def window(self) -> tuple[float | None, float | None]:
        return (self.started_at, self.ended_at)

    def within(self, stamp: float) -> bool:
        lo, hi = self.started_at, self.ended_at
        return (lo is None or stamp >= lo - self.skew) and (hi is None or stamp <= hi + self.skew)

    def describe_window(self) -> str:
        lo = "-inf" if self.started_at is None else f"{self.started_at - self.skew:.3f}"
        hi = "+inf" if self.ended_at is None else f"{self.ended_at + self.skew:.3f}"
        return f"within [{lo}, {hi}] (call window +/- {self.skew}s skew)"


@dataclass(frozen=True)
class Reason:
    """Why a world would refuse a call: a MUST/SHOULD ``must`` reason or a MAY one.

    ``finding`` is what to report when a MAY reason decides the outcome (None: say
    nothing). ``conflict`` is (key, server count, sent count) for the CONF-5 message.
    """

    property_id: str
    errors: frozenset[str]
    why: str
    finding: str | None = None
    conflict: tuple[str, int, int] | None = None

    def expected(self) -> str:
        return f"{' or '.join(sorted(self.errors))} ({self.property_id}: {self.why})"


class Verdict:
    """What one world makes of one answer (mutable while a handler builds it)."""

    __slots__ = ("findings", "successors", "violations", "witnessed")

    def __init__(self) -> None:
        self.violations: list[Failure] = []
        self.findings: list[Finding] = []
        self.witnessed: set[str] = set()
        self.successors: list[World] = []

    def fail(self, pid: str, title: str, expected: str, received: str) -> None:
        for i, v in enumerate(self.violations):
            if v.property_id == pid and v.title == title:
                if "more)" not in v.received:
                    self.violations[i] = Failure(pid, title, v.expected, v.received + " (+more)")
                return
        self.violations.append(Failure(pid, title, expected, received))

    def note(self, pid: str, observation: str) -> None:
        finding = Finding(pid, observation)
        if finding not in self.findings:
            self.findings.append(finding)

    def witness(self, *pids: str) -> None:
        """The answer put ``pids`` to the test (see the module docstring). The paths every
        answer takes add to ``witnessed`` directly: no call to pay for."""
        self.witnessed.update(pids)


def _violation_key(v: Verdict) -> tuple[int, tuple[tuple[str, str, str, str], ...]]:
    return (
        len(v.violations),
        tuple((x.property_id, x.title, x.expected, x.received) for x in v.violations),
    )


def combine(verdicts: list[Verdict]) -> Verdict:
    """Merge the verdicts of alternative worlds (see the module docstring)."""
    if len(verdicts) == 1:
        return verdicts[0]  # one world, nothing to merge (the usual case)
    out = Verdict()
    accepting = [v for v in verdicts if not v.violations]
    if accepting:
        for v in accepting:
            for f in v.findings:
                out.note(f.property_id, f.observation)
            out.witnessed |= v.witnessed
            out.successors.extend(v.successors)
        return out
    best = min(_violation_key(v) for v in verdicts)
    chosen = [v for v in verdicts if _violation_key(v) == best]
    out.violations = list(chosen[0].violations)
    for v in chosen:
        for f in v.findings:
            out.note(f.property_id, f.observation)
        out.witnessed |= v.witnessed
        out.successors.extend(v.successors)
    return out


# --- small readers for untrusted bodies -------------------------------------------------


def as_int(value: Any) -> int | None:
    if value.__class__ is int:  # the usual case, told at once
        return value  # type: ignore[no-any-return]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_num(value: Any) -> float | None:
    if value.__class__ is float:  # the usual case (a timestamp), told at once
        return value if math.isfinite(value) else None  # type: ignore[no-any-return]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def same_time(a: float, b: float) -> bool:
    """Timestamps equal up to the millisecond a server may store them at.

    The slack is absolute: epoch seconds as doubles carry about 0.2 microseconds of
    rounding today, so 1 ms plus a microsecond covers storage and float noise alike.
    """
    return abs(a - b) <= 1e-3 + 1e-6


def short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 12] + f"...({len(text)} chars)"
