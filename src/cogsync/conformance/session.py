"""One stretch of calls against a target, judged as it goes.

A :class:`Session` sends each call, asks the model whether the answer is allowed
(the model is the one oracle), runs the wire checks on the HTTP exchange, counts
the witnesses (answers that put a property to the test: a property passes only on
one), and keeps the transcript so a failure can be shown as the sequence that led
to it.

Inside Hypothesis a violation must raise so that the example shrinks. Each property
raises its own subclass of :class:`PropertyFailed`: Hypothesis tells bugs apart by
exception type, so a target breaking SYNC-1 and CONF-4 gets two minimal examples,
not one example that wanders from one bug to the other while shrinking.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cogsync.conformance.wire_checks import run_wire_checks
from cogsync.contracts.calls import Call, Unknown
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.model import Belief, Model
from cogsync.contracts.paging import Paginations
from cogsync.errors import ContractViolation
from cogsync.faults.target import DUPLICATE_DELIVERY
from cogsync.targets.base import Response, Target

#: Added to what a failure received when its steps hold a request delivered twice.
TWICE_HINT = (" (a request above was delivered twice by a duplicate fault; a server that applies "
              "both deliveries shows this)")

#: Operations whose duplicated deliveries the judge sees (the others only read).
DUPLICATES_JUDGED = frozenset({"UpdateRecords", "DeleteDataset"})

_FAILURE_TYPES: dict[str, type[PropertyFailed]] = {}

#: How many answers' witness sets a tally holds before counting them.
PENDING_SETS = 256


class PropertyFailed(ContractViolation):
    """A property broke inside a Hypothesis example; carries the failure found."""

    failure: Failure

    @classmethod
    def for_failure(cls, failure: Failure) -> PropertyFailed:
        kind = _FAILURE_TYPES.get(failure.property_id)
        if kind is None:
            name = "Failed_" + failure.property_id.replace("-", "_")
            kind = type(name, (cls,), {"__module__": __name__})
            _FAILURE_TYPES[failure.property_id] = kind
        exc = kind(failure.property_id, failure.title, expected=failure.expected, received=failure.received)
        exc.failure = failure
        return exc


@dataclass(eq=False)
class Tally:
    """What a run saw so far: witnesses per property, findings, failures.

    ``on_failure`` hears of every failure the moment a session sees it, before any
    shrinking (``engine.run(..., on_failure=...)``; the mutant benchmark times with it).

    Every judged answer hands over the set of properties it put to the test; the sets
    wait in ``_pending`` (at most :data:`PENDING_SETS`) and are counted together, in one
    pass of ``collections.Counter``, when that fills or when ``witnesses`` is read.
    """

    _counted: dict[str, int] = field(default_factory=dict, repr=False)
    findings: dict[str, list[str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    on_failure: Callable[[Failure], None] | None = field(default=None, compare=False, repr=False)
    _pending: list[Iterable[str]] = field(default_factory=list, repr=False)

    @property
    def witnesses(self) -> dict[str, int]:
        """Witnesses per property id, every answer handed over so far counted."""
        if self._pending:
            self._count_pending()
        return self._counted

    def _count_pending(self) -> None:
        counted = self._counted
        for pid, n in Counter(itertools.chain.from_iterable(self._pending)).items():
            counted[pid] = counted.get(pid, 0) + n
        self._pending.clear()

    def failed(self, failure: Failure) -> None:
        """Record ``failure`` for the run's verdicts."""
        self.failures.append(failure)
        self.notice(failure)

    def notice(self, failure: Failure) -> None:
        """Tell ``on_failure`` only: a failure inside a Hypothesis example, which the
        search records once it has shrunk it."""
        if self.on_failure is not None:
            self.on_failure(failure)

    def witnessed(self, property_id: str, n: int = 1) -> None:
        self.witnesses[property_id] = self.witnesses.get(property_id, 0) + n

    def witnessed_each(self, property_ids: Iterable[str]) -> None:
        """One witness for each of ``property_ids`` (an answer's whole set, not changed
        after: it is counted later, see the class docstring)."""
        pending = self._pending
        pending.append(property_ids)
        if len(pending) >= PENDING_SETS:
            self._count_pending()

    def found(self, property_id: str, observation: str) -> None:
        seen = self.findings.setdefault(property_id, [])
        if observation not in seen:
            seen.append(observation)


class Session:
    """Sends calls to ``target`` and judges each answer against ``model``."""

    def __init__(self, target: Target, model: Model, *, tally: Tally | None = None,
                 selected: frozenset[str] | None = None, raise_on_failure: bool = False):
        self.target = target
        self.model = model
        self.belief: Belief = model.initial()
        self.tally = tally if tally is not None else Tally()
        self.selected = selected
        self.raise_on_failure = raise_on_failure
        self.steps: list[SentCall] = []
        self.failures: list[Failure] = []
        self._paginations = Paginations(self.model)

    def _wanted(self, property_id: str) -> bool:
        return self.selected is None or property_id in self.selected

    def send(self, call: Call, *, client: int = 0) -> Response:
        response = self.target.send(call)
        self.observe(response, client=client)
        return response

    def observe(self, response: Response, *, client: int = 0) -> None:
        """Judge one exchange (sent by this session or by a device driving it).

        A write the network delivered twice (``response.duplicates``) is judged as
        two calls: first the copy whose answer nobody saw (``Unknown``: applied or
        not), then the answer the client got. In that order the model allows either
        delivery to have applied, and never both: a correct server refuses the later
        one (its token spent, TOK-4, or its counts stale), so a server that applies
        both is caught by the answers and listings that follow. Reads delivered twice
        change nothing the model tracks and are not judged twice.
        """
        call, outcome = response.call, response.outcome
        if response.duplicates and call.operation in DUPLICATES_JUDGED:
            for copy in response.duplicates:  # the same request: judged as the call it was judged as
                self.observe(dataclasses.replace(copy, call=call), client=client)
        self.steps.append(SentCall(call, outcome, client))
        before = self.belief
        violations, findings, witnessed, self.belief = self.model.judge(
            before, call, outcome, started_at=response.started_at, ended_at=response.ended_at)
        wanted = self._wanted
        for finding in findings:
            if wanted(finding.property_id):
                self.tally.found(finding.property_id, finding.observation)
        problems = list(violations)
        status = response.status
        if status is not None and status >= 400:  # WIRE-2's header and body too (the model saw the type)
            problems += run_wire_checks(response)
        if call.operation == "ListRecords":
            paged, page_problems = self._paginations.page(before, call, outcome, client)
            if paged:
                witnessed |= paged
            problems += page_problems
        self.tally.witnessed_each(witnessed if self.selected is None else witnessed & self.selected)
        # The model and the wire checks ask the same deciders (WIRE-2, WIRE-4): a breach
        # both saw in one answer is one failure.
        for problem in dict.fromkeys(problems) if problems else ():
            if wanted(problem.property_id):
                self._fail(problem.after(tuple(self.steps)))

    def fail(self, failure: Failure) -> None:
        """A breach found outside the model (e.g. by the auth probe)."""
        if self._wanted(failure.property_id):
            self._fail(failure)

    def _fail(self, failure: Failure) -> None:
        if any(isinstance(step.outcome, Unknown) and step.outcome.reason == DUPLICATE_DELIVERY
               for step in failure.steps):
            failure = dataclasses.replace(failure, received=failure.received + TWICE_HINT)
        self.failures.append(failure)
        if self.raise_on_failure:
            self.tally.notice(failure)
            raise PropertyFailed.for_failure(failure)
        self.tally.failed(failure)
