"""What several clients did, and when: the input of the linearizability checker.

An :class:`Operation` is one call as one client saw it: when it was sent, when
(if ever) the answer came back, and the answer. A :class:`History` is a sequence
of them, with the helpers a checker and a report need (split by partition, by
client, to and from JSON).

Times are ``time.monotonic()`` seconds of one process: only their order and
differences mean anything, so reports print them relative to :attr:`History.start`.

An operation is *open* when nobody knows whether or when it took effect: it never
completed (``completed is None``: the client crashed or gave up) or its answer was
:class:`~cogsync.contracts.calls.Unknown` (timeout, 429, 5xx). A checker may place
an open operation anywhere after its invocation, or nowhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown
from cogsync.errors import UsageError

#: Stamped into serialized histories so a report reader can tell what it holds.
JSON_FORMAT = "cogsync-history/1"

#: The outcome recorded for an operation that never completed.
NEVER_COMPLETED = Unknown("never completed")


@dataclass(frozen=True, eq=True)
class Operation:
    """One call by one client: ``invoked`` <= ``completed`` (None: never completed)."""

    id: int
    client: int
    call: Call
    invoked: float
    completed: float | None
    outcome: Outcome

    def __post_init__(self) -> None:
        if self.completed is not None and self.completed < self.invoked:
            raise UsageError.bad_argument(
                "completed", self.completed, f"None or >= invoked ({self.invoked!r})"
            )
        if self.completed is None and not isinstance(self.outcome, Unknown):
            raise UsageError.bad_argument(
                "outcome", self.outcome, "Unknown when the operation never completed"
            )
        if not isinstance(self.outcome, Ok | Err | Unknown):
            raise UsageError.bad_argument("outcome", self.outcome, "an Ok, Err or Unknown")

    __hash__ = None  # type: ignore[assignment]  # Call holds a dict: not hashable

    @property
    def is_open(self) -> bool:
        """True when the operation may have taken effect at any time after invocation, or never."""
        return self.completed is None or isinstance(self.outcome, Unknown)

    def precedes(self, other: Operation) -> bool:
        """Real-time order: ``self`` answered before ``other`` was sent (strictly).

        Open operations precede nothing: their effect may come arbitrarily late.
        """
        return not self.is_open and self.completed is not None and self.completed < other.invoked

    def to_record(self) -> dict[str, Any]:
        """This operation as JSON-ready data."""
        return {
            "id": self.id,
            "client": self.client,
            "call": {"operation": self.call.operation, "params": self.call.params},
            "invoked": self.invoked,
            "completed": self.completed,
            "outcome": outcome_to_record(self.outcome),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Operation:
        """The inverse of :meth:`to_record`."""
        try:
            call = record["call"]
            return cls(
                id=int(record["id"]),
                client=int(record["client"]),
                call=Call(call["operation"], dict(call.get("params") or {})),
                invoked=float(record["invoked"]),
                completed=None if record["completed"] is None else float(record["completed"]),
                outcome=outcome_from_record(record["outcome"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, UsageError):
                raise
            raise UsageError.bad_argument(
                "record", record, f"an operation record as Operation.to_record writes it ({exc!r})"
            ) from exc


def outcome_to_record(outcome: Outcome) -> dict[str, Any]:
    """An outcome as JSON-ready data, tagged by its ``kind``."""
    if isinstance(outcome, Ok):
        return {"kind": "ok", "status": outcome.status, "body": outcome.body}
    if isinstance(outcome, Err):
        return {
            "kind": "err",
            "error_type": outcome.error_type,
            "status": outcome.status,
            "message": outcome.message,
        }
    return {"kind": "unknown", "reason": outcome.reason, "status": outcome.status}


def outcome_from_record(record: dict[str, Any]) -> Outcome:
    """The inverse of :func:`outcome_to_record`."""
    kind = record.get("kind") if isinstance(record, dict) else None
    if kind == "ok":
        return Ok(dict(record.get("body") or {}), int(record.get("status", 200)))
    if kind == "err":
        return Err(record["error_type"], int(record["status"]), record.get("message", ""))
    if kind == "unknown":
        status = record.get("status")
        return Unknown(record.get("reason", ""), None if status is None else int(status))
    raise UsageError.bad_argument("outcome", record, "a record whose kind is ok, err or unknown")


class History(Sequence[Operation]):
    """An immutable sequence of operations with unique ids, in the order given."""

    __slots__ = ("_operations",)

    def __init__(self, operations: Iterable[Operation] = ()) -> None:
        ops = tuple(operations)
        seen: set[int] = set()
        for op in ops:
            if not isinstance(op, Operation):
                raise UsageError.bad_argument("operations", op, "Operation instances")
            if op.id in seen:
                raise UsageError.bad_argument("operations", op.id, "operations with unique ids")
            seen.add(op.id)
        self._operations = ops

    @overload
    def __getitem__(self, index: int) -> Operation: ...
    @overload
    def __getitem__(self, index: slice) -> History: ...
    def __getitem__(self, index: int | slice) -> Operation | History:
        if isinstance(index, slice):
            return History(self._operations[index])
        return self._operations[index]

    def __len__(self) -> int:
        return len(self._operations)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self._operations)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        return self._operations == other._operations

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"History({len(self)} operations, {len(self.clients)} clients)"

    @property
    def start(self) -> float:
        """The earliest invocation (0.0 for an empty history): the origin of relative times."""
        return min((op.invoked for op in self._operations), default=0.0)

    @property
    def clients(self) -> tuple[int, ...]:
        return tuple(sorted({op.client for op in self._operations}))

    def by_id(self, op_id: int) -> Operation:
        for op in self._operations:
            if op.id == op_id:
                return op
        raise KeyError(op_id)

    def sorted_by_invocation(self) -> History:
        """The same operations, ordered by invocation time (ties by id)."""
        return History(sorted(self._operations, key=lambda op: (op.invoked, op.id)))

    def where(self, keep: Callable[[Operation], bool]) -> History:
        return History(op for op in self._operations if keep(op))

    def by_partition(self, key: Callable[[Call], Hashable]) -> dict[Hashable, History]:
        """Split into independent sub-histories by ``key(call)``, in order of first appearance."""
        groups: dict[Hashable, list[Operation]] = {}
        for op in self._operations:
            groups.setdefault(key(op.call), []).append(op)
        return {k: History(ops) for k, ops in groups.items()}

    def by_client(self) -> dict[int, History]:
        """Each client's operations, in the order given."""
        groups: dict[int, list[Operation]] = {}
        for op in self._operations:
            groups.setdefault(op.client, []).append(op)
        return {k: History(ops) for k, ops in sorted(groups.items())}

    def to_records(self) -> dict[str, Any]:
        """JSON-ready data: ``{"format": ..., "operations": [...]}``."""
        return {"format": JSON_FORMAT, "operations": [op.to_record() for op in self._operations]}

    @classmethod
    def from_records(cls, data: dict[str, Any]) -> History:
        if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
            raise UsageError.bad_argument(
                "data", _abbreviate(data), f"a mapping with format {JSON_FORMAT!r}"
            )
        return cls(Operation.from_record(r) for r in data.get("operations", ()))

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_records(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> History:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError.bad_argument(
                "text", _abbreviate(text), f"a JSON history ({exc})"
            ) from exc
        return cls.from_records(data)


def as_history(operations: Sequence[Operation] | History) -> History:
    """``operations`` as a :class:`History` (no copy when it already is one)."""
    return operations if isinstance(operations, History) else History(operations)


def _abbreviate(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
