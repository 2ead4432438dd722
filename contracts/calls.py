"""The one shape every layer speaks: a call, and what came back.

A :class:`Call` is an operation name plus its parameters exactly as boto3 takes
them (``client.update_records(**call.params)``), except that timestamps are epoch
seconds (numbers), as they travel on the wire. Strategies build calls, targets send
them, the model judges them, reports print them.

An :class:`Outcome` is what a target answered, normalized to the wire form: a
success body as the JSON the server sent (timestamps as numbers), an error as its
AWS type, status and message, or ``Unknown`` when nobody can tell whether the call
took effect (timeout, connection reset, 429, 5xx).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

OPERATIONS: tuple[str, ...] = (
    "UpdateRecords",
    "ListRecords",
    "DescribeDataset",
    "DeleteDataset",
    "ListDatasets",
)

#: The boto3 method name of each operation.
METHOD_NAMES: dict[str, str] = {
    "UpdateRecords": "update_records",
    "ListRecords": "list_records",
    "DescribeDataset": "describe_dataset",
    "DeleteDataset": "delete_dataset",
    "ListDatasets": "list_datasets",
}

#: The HTTP status the service model gives each error type (WIRE-2), plus the
#: signature and access errors AWS answers before any operation runs (WIRE-3).
ERROR_STATUS: dict[str, int] = {
    "InvalidParameterException": 400,
    "LimitExceededException": 400,
    "InvalidLambdaFunctionOutputException": 400,
    "NotAuthorizedException": 403,
    "AccessDeniedException": 403,
    "InvalidSignatureException": 403,
    "UnrecognizedClientException": 403,
    "MissingAuthenticationTokenException": 403,
    "ResourceNotFoundException": 404,
    "ResourceConflictException": 409,
    "TooManyRequestsException": 429,
    "LambdaThrottledException": 429,
    "InternalErrorException": 500,
}

#: Errors any operation may answer before it runs: signature and access (WIRE-3). The
#: one list: the model (a refusal that tests nothing) and the preflight (credentials
#: refused) read it here.
AUTH_ERROR_TYPES: frozenset[str] = frozenset({
    "AccessDeniedException",
    "InvalidSignatureException",
    "UnrecognizedClientException",
    "MissingAuthenticationTokenException",
    "NotAuthorizedException",
})


@dataclass(frozen=True)
class Call:
    """One request: ``operation`` is one of :data:`OPERATIONS`."""

    operation: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def scope(self) -> tuple[str, str, str | None]:
        """(identity pool, identity, dataset or None): the part of state the call touches."""
        p = self.params
        return (p.get("IdentityPoolId", ""), p.get("IdentityId", ""), p.get("DatasetName"))

    def __repr__(self) -> str:  # short and pasteable
        return f"Call({self.operation!r}, {self.params!r})"


@dataclass(frozen=True)
class Ok:
    """A 2xx answer; ``body`` is the decoded JSON object."""

    body: dict[str, Any]
    status: int = 200
    kind: Literal["ok"] = "ok"


@dataclass(frozen=True)
class Err:
    """An error answer with its AWS error type (``ResourceConflictException``...)."""

    error_type: str
    status: int
    message: str = ""
    kind: Literal["err"] = "err"


@dataclass(frozen=True)
class Unknown:
    """Nobody can tell whether the call took effect (timeout, 429, 5xx, reset)."""

    reason: str
    status: int | None = None
    kind: Literal["unknown"] = "unknown"


Outcome = Ok | Err | Unknown
