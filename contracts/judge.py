"""The model's judgement for a user's own tests: follow one conversation, raise on a breach.

:class:`~cogsync.contracts.model.Model` is pure (belief in, judgement out); a property
test wants less ceremony: "the server's answer to this call, after these calls, keeps
the contract". A :class:`Judge` holds the belief between calls and raises
:class:`~cogsync.errors.ContractViolation` naming the property id::

    judge = Judge()
    for exchange in scenario.run(server):   # or judge.send(call, outcome)
        judge(exchange)

A listing read page by page is also judged as a whole when its last page arrives
(LIST-4, LIST-5), as the conformance engine does. A judge starts from an empty
server: every dataset of every identity it will hear about is assumed not to exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cogsync.contracts._model_types import Finding
from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.contracts.failures import Failure
from cogsync.contracts.model import Belief, Judgement, Model
from cogsync.contracts.paging import Paginations
from cogsync.errors import ContractViolation, WrongTypeError

__all__ = ["Judge", "check"]



class Judge:
    """Judges each answer of one conversation with a server against the contract.

    ``limits`` are the server's (LIM-1..3); ``raising=False`` collects breaches (each a
    :class:`~cogsync.contracts.failures.Failure`) in :attr:`violations` instead of
    raising. :attr:`findings` keeps the MAY choices the server showed, :attr:`witnessed`
    the properties its answers put to the test.
    """

    def __init__(self, *, limits: Limits = DEFAULT_LIMITS, raising: bool = True) -> None:
        self.model = Model(limits=limits)
        self.raising = bool(raising)
        self.belief: Belief = self.model.initial()
        self.calls = 0
        self.violations: list[Failure] = []
        self.findings: list[Finding] = []
        self.witnessed: set[str] = set()
        self._paginations = Paginations(self.model)

    def __repr__(self) -> str:
        return f"Judge({self.calls} calls judged, {len(self.violations)} violations)"

    def send(self, call: Call, outcome: Outcome, *, started_at: float | None = None,
             ended_at: float | None = None, client: Any = 0) -> Judgement:
        """Judge ``outcome``, the server's answer to ``call`` after every call judged so far.

        ``started_at``/``ended_at`` (epoch seconds) bound when the call was made;
        ``client`` tells apart devices reading pages of the same dataset at once.
        Raises :class:`ContractViolation` on a breach (after taking in the answer).
        """
        if not isinstance(call, Call):
            raise WrongTypeError(f"call={call!r} is not allowed: call must be a cogsync.contracts.calls.Call.")
        if not isinstance(outcome, (Ok, Err, Unknown)):
            raise WrongTypeError(
                f"outcome={outcome!r} is not allowed: outcome must be an Ok, Err or Unknown "
                "(a cogsync target's response has one: response.outcome)."
            )
        before = self.belief
        judgement = self.model.judge(before, call, outcome, started_at=_time(started_at),
                                     ended_at=_time(ended_at))
        self.belief = judgement.belief
        self.calls += 1
        paged, page_violations = self._paginations.page(before, call, outcome, client)
        self.witnessed |= paged
        violations = list(judgement.violations) + page_violations
        self.findings += [f for f in judgement.findings if f not in self.findings]
        self.witnessed |= judgement.witnessed
        self.violations += violations
        if violations and self.raising:
            first = violations[0]
            others = "".join(f"; also [{v.property_id}] {v.title}" for v in violations[1:])
            raise ContractViolation(first.property_id, first.title, expected=first.expected,
                                    received=first.received,
                                    where=f"call {self.calls}, {_describe(call)}{others}")
        return judgement

    def __call__(self, exchange: Any) -> Judgement:
        """Judge one exchange: anything with ``.call`` and ``.outcome`` (a strategies
        ``Exchange``, a target's ``Response``) or a ``(call, outcome)`` pair."""
        if isinstance(exchange, tuple) and len(exchange) == 2:
            return self.send(exchange[0], exchange[1])
        call, outcome = getattr(exchange, "call", None), getattr(exchange, "outcome", None)
        if call is None or outcome is None:
            raise WrongTypeError(
                f"exchange={exchange!r} is not allowed: exchange must have .call and .outcome "
                "(an Exchange from scenario.run, a target's Response) or be a (call, outcome) pair."
            )
        return self.send(call, outcome, started_at=getattr(exchange, "started_at", None),
                         ended_at=getattr(exchange, "ended_at", None),
                         client=getattr(exchange, "device", 0))

    def check(self, exchanges: Iterable[Any]) -> Judge:
        """Judge every exchange in order; returns this judge."""
        for exchange in exchanges:
            self(exchange)
        return self



def check(exchanges: Iterable[Any], *, limits: Limits = DEFAULT_LIMITS) -> Judge:
    """Judge a whole transcript (``scenario.run(server)``) from an empty server; raises
    :class:`ContractViolation` at the first breach, else returns the :class:`Judge`."""
    return Judge(limits=limits).check(exchanges)


def _time(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def _describe(call: Call) -> str:
    text = repr(call)
    return text if len(text) <= 300 else text[:297] + "..."
