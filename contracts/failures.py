"""A breach of the contract, and the calls that led to it: the one failure type.

The model, the wire checks, the conformance engine and the reports all speak of a
:class:`Failure`. Where a breach is first seen (a handler judging one answer) it has
no history yet; the engine attaches the sequence that led to it with
:meth:`Failure.after`, and a search adds Hypothesis's ``@reproduce_failure`` blob.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from cogsync.contracts.calls import Call, Outcome
from cogsync.errors import ContractViolation


class SentCall(NamedTuple):
    """One call a client sent, and what the target answered (a failure's history).

    A named tuple: a session records one per answer, so it must be cheap to build."""

    call: Call
    outcome: Outcome
    client: int = 0


@dataclass(frozen=True)
class Failure:
    """One breach of a MUST or SHOULD property: what was expected and what came back.

    ``steps`` is the sequence that led to it (the report layer turns it into
    reproduction scripts); ``hypothesis_blob`` is Hypothesis's ``@reproduce_failure(...)``
    when a search found it.
    """

    property_id: str
    title: str
    expected: str
    received: str
    steps: tuple[SentCall, ...] = ()
    hypothesis_blob: str | None = None

    def after(self, steps: tuple[SentCall, ...]) -> Failure:
        """This failure, seen at the end of ``steps``."""
        return replace(self, steps=steps)

    @property
    def dedupe_key(self) -> tuple[str, str]:
        """Two failures with this key are the same breach (shown once)."""
        return (self.property_id, self.title)

    def to_exception(self) -> ContractViolation:
        return ContractViolation(
            self.property_id, self.title, expected=self.expected, received=self.received
        )
