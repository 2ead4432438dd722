"""What every target adapter answers, and the one rule that turns HTTP into an outcome.

A target knows transport and nothing of properties: it sends one
:class:`~cogsync.contracts.calls.Call` and hands back a :class:`Response`. All
adapters classify what came back with :func:`classify`, so the same answer from
the same server is the same :data:`~cogsync.contracts.calls.Outcome` whichever way
it travelled.

A success body is read as botocore reads it: a member whose value is JSON ``null``
is an absent member (:func:`without_nulls`; AWS's own examples of these calls show
``"LastModifiedBy": null``). ``Response.raw_body`` keeps the bytes as they came.

A malformed success (a 2xx whose body is not a JSON object) is reported as
``Unknown(reason="malformed answer: ...", status=<2xx>)``: the call probably took
effect but nobody can read its result, which is exactly what ``Unknown`` means to
the model; the WIRE checks recognise it with :func:`is_malformed` and look at
``status``, ``headers`` and ``raw_body``.

Nothing a server does makes an adapter raise: timeouts, resets, garbage and
exceptions in an in-process app all become ``Unknown`` with a one-line reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown

#: The operation name a :class:`Response` of ``send_raw`` carries in its call.
RAW_OPERATION = "Raw"

#: Every ``Unknown.reason`` for an unreadable 2xx starts with this.
MALFORMED_ANSWER = "malformed answer"

#: ``Err.error_type`` of a 4xx that names no type (no header, no ``__type``).
UNNAMED_4XX = "Unknown4xx"

#: Every ``Unknown.reason`` for a call the client side could not send starts with this
#: (boto3 refusing to serialize a value, a header value HTTP cannot carry...).
CLIENT_REFUSED = "client refused"

#: Every ``Unknown.reason`` for a call that got no HTTP answer starts with one of these.
NO_ANSWER_REASONS = ("timeout", "connection error")


@dataclass(frozen=True)
class Response:
    """What one call produced, for the checks.

    ``status`` is None when no HTTP answer arrived; ``headers`` has lower-cased
    names (empty when the transport cannot see them); ``started_at`` and
    ``ended_at`` are ``time.time()`` just before sending and just after the answer.
    ``duplicates`` are other deliveries of this same request whose answers the client
    never saw (a ``duplicate`` fault, :mod:`cogsync.faults.target`): each an
    ``Unknown`` response the judge must allow to have applied, at most once in all.
    ``injected_fault`` names the fault cogsync itself put on this exchange that cost its
    answer (``drop-request``, ``drop-answer``, ``reset``): such an answer says nothing
    of the target's health.
    """

    call: Call
    outcome: Outcome
    status: int | None
    headers: Mapping[str, str] = field(default_factory=dict)
    raw_body: bytes | None = None
    started_at: float = 0.0
    ended_at: float = 0.0
    duplicates: tuple[Response, ...] = ()
    injected_fault: str | None = None

    @property
    def duration(self) -> float:
        return self.ended_at - self.started_at


@runtime_checkable
class Target(Protocol):
    """Sends calls somewhere. Safe to call from many threads unless documented otherwise.

    Optional: ``set_deadline(instant: float | None) -> None``. From then on each
    request waits at most the time left until ``instant`` (a ``time.monotonic()``
    value) and a call made after it is answered ``Unknown`` without being sent; None
    lifts the cap. The engine calls it (through
    :func:`cogsync.targets.deadline.cap_requests`) so that ``--deadline`` holds
    against a server that never answers. Every adapter here has it
    (:class:`cogsync.targets.deadline.RequestDeadline`); a target without it is
    bounded only between calls.
    """

    name: str
    supports_raw: bool
    #: The server behind this target accepts cogsync's identity-bound test key
    #: (``conformance.auth.BOUND_KEY``), so ISO-2's "credentials of another identity"
    #: check can run: true of the embedded emulator, false unless the builder says so.
    knows_bound_key: bool

    def send(self, call: Call) -> Response: ...

    def with_credentials(self, access_key: str, secret: str) -> Target | None:
        """The same endpoint signed with other credentials (ISO-2's probe sends a forged
        signature with them); None when the transport cannot sign with others."""
        ...

    def send_raw(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> Response: ...

    def probe(self) -> str | None: ...

    def close(self) -> None: ...


def unreachable_reason(response: Response, name: str) -> str | None:
    """What ``probe()`` says of a probe's response: None when the endpoint is reachable.

    A server that accepts the connection but never answers in time counts as
    reachable: its run goes on and ends inconclusive (exit 2), unlike a refused
    connection or an unknown host (exit 3).
    """
    if response.status is not None:
        return None
    reason = getattr(response.outcome, "reason", "no answer")
    if reason.startswith("timeout"):
        return None
    return f"{name} is not reachable: {reason}"


def raw_call(method: str, path: str, query: Mapping[str, Any] | None, body: bytes = b"",
             headers: Mapping[str, str] | None = None) -> Call:
    """The pseudo-call a ``send_raw`` response carries, so reports can show and replay it.

    The body is kept as text (invalid UTF-8 bytes escaped as ``\\udcXX``), so a
    reproduction script can send the same bytes again.
    """
    params: dict[str, Any] = {"method": method, "path": path}
    if query:
        params["query"] = dict(query)
    if headers:
        params["headers"] = dict(headers)
    if body:
        params["body"] = body.decode("utf-8", "surrogateescape")
    return Call(RAW_OPERATION, params)


def is_malformed(outcome: Outcome) -> bool:
    """True when a server answered 2xx with a body that is not a JSON object."""
    return isinstance(outcome, Unknown) and outcome.reason.startswith(MALFORMED_ANSWER)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_json_object(raw: bytes | None) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is anything else (strict: no NaN)."""
    if not raw:
        return None
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def without_nulls(value: Any) -> Any:
    """``value`` with every null-valued member of every JSON object removed, at any depth.

    botocore skips a member whose value is ``null`` (it never reaches the caller), so
    ``{"Value": null}`` and ``{}`` are the same answer. Null items of a list stay: a
    list holds what it holds.
    """
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


def lower_headers(items: Any) -> dict[str, str]:
    """Lower-case header names; repeated headers are joined with ', ' as HTTP allows."""
    out: dict[str, str] = {}
    for name, value in items:
        key = str(name).lower()
        out[key] = f"{out[key]}, {value}" if key in out else str(value)
    return out


def error_type_of(headers: Mapping[str, str], body: Mapping[str, Any] | None) -> str:
    """The AWS error type: ``x-amzn-ErrorType`` (before any ':'), else body ``__type``."""
    header = headers.get("x-amzn-errortype", "").split(":", 1)[0].strip()
    if header:
        return header
    if body is not None:
        named = body.get("__type")
        if isinstance(named, str) and named.rsplit("#", 1)[-1].strip():
            return named.rsplit("#", 1)[-1].strip()
    return UNNAMED_4XX


def _message_of(body: Mapping[str, Any] | None) -> str:
    if body is None:
        return ""
    message = body.get("message", body.get("Message"))
    if message is None:
        return ""
    return message if isinstance(message, str) else json.dumps(message)


def _snippet(raw: bytes | None, limit: int = 80) -> str:
    if not raw:
        return "empty body"
    text = raw[:limit].decode("utf-8", "replace")
    return repr(text) + ("..." if len(raw) > limit else "")


def classify(status: int, headers: Mapping[str, str], raw_body: bytes | None) -> Outcome:
    """The outcome of one HTTP answer (``headers`` with lower-cased names).

    2xx -> Ok(decoded JSON object, null members dropped) or, if unreadable,
    Unknown("malformed answer");
    429 and 5xx -> Unknown (the call may or may not have taken effect);
    other 4xx -> Err(type, status, message); anything else -> Unknown.
    """
    body = decode_json_object(raw_body)
    if 200 <= status < 300:
        if body is None:
            return Unknown(
                f"{MALFORMED_ANSWER}: HTTP {status} body is not a JSON object "
                f"({_snippet(raw_body)})",
                status,
            )
        return Ok(without_nulls(body), status)
    if status == 429 or 500 <= status < 600:
        error_type = error_type_of(headers, body)
        named = "" if error_type == UNNAMED_4XX else f" {error_type}"
        kind = "throttled" if status == 429 else "server error"
        message = _message_of(body)
        return Unknown(
            f"{kind}: HTTP {status}{named}" + (f": {message}" if message else ""), status
        )
    if 400 <= status < 500:
        return Err(error_type_of(headers, body), status, _message_of(body))
    return Unknown(f"unexpected answer: HTTP {status}", status)


def answered(
    call: Call,
    status: int,
    headers: Mapping[str, str],
    raw_body: bytes | None,
    started_at: float,
) -> Response:
    """A Response for an HTTP answer that has just arrived."""
    return Response(
        call=call,
        outcome=classify(status, headers, raw_body),
        status=status,
        headers=dict(headers),
        raw_body=raw_body,
        started_at=started_at,
        ended_at=time.time(),
    )


def unanswered(call: Call, reason: str, started_at: float, status: int | None = None, *,
               injected_fault: str | None = None) -> Response:
    """A Response for a call that got no readable HTTP answer (timeout, reset, refusal)."""
    return Response(
        call=call,
        outcome=Unknown(reason, status),
        status=status,
        headers={},
        raw_body=None,
        started_at=started_at,
        ended_at=time.time(),
        injected_fault=injected_fault,
    )


def describe_exception(exc: BaseException) -> str:
    """One line: the exception's type and message, without a traceback."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
