"""Wire-level judgements that need no state: WIRE-1..5.

WIRE-2, WIRE-3 and WIRE-4 are decided here and nowhere else: the model calls
:func:`error_shape`, :func:`unlisted_error` and :func:`server_error` on an
outcome, the conformance wire checks call the same functions on the raw HTTP
exchange (headers and body bytes the outcome no longer holds). The error types
each operation may answer come from one parsing of the committed OpenAPI document
(itself generated from botocore's model), so they cannot drift.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

from cogsync.contracts import schemas
from cogsync.contracts._model_types import Verdict, short
from cogsync.contracts.calls import AUTH_ERROR_TYPES, ERROR_STATUS, Call, Err, Ok, Outcome, Unknown
from cogsync.contracts.failures import Failure

#: Error types after which nobody can tell whether the call took effect.
UNKNOWN_ERRORS = frozenset(
    {"InternalErrorException", "TooManyRequestsException", "LambdaThrottledException"}
)


@cache
def model_errors(operation: str) -> frozenset[str]:
    """The error types the service model lists for ``operation`` (the one parsing)."""
    doc = schemas.load_openapi()
    found: set[str] = set()
    for methods in doc["paths"].values():
        for op in methods.values():
            if not isinstance(op, dict) or op.get("operationId") != operation:
                continue
            for status, response in op["responses"].items():
                if status.startswith("2"):
                    continue
                _collect_refs(response, found)
    return frozenset(found)


def _collect_refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.endswith("Exception"):
            out.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _collect_refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect_refs(value, out)


def allowed_errors(operation: str) -> frozenset[str]:
    """The error types ``operation`` may answer (WIRE-3): its model's, plus signature and
    access errors, which AWS answers before any operation runs."""
    return model_errors(operation) | AUTH_ERROR_TYPES


def unlisted_error(operation: str, error_type: str) -> Failure | None:
    """WIRE-3: the breach when ``operation`` answered an error type it may not answer."""
    allowed = allowed_errors(operation)
    if error_type in allowed:
        return None
    return Failure("WIRE-3", f"{operation} answered an error type its model does not list",
                     "one of " + ", ".join(sorted(allowed)), error_type)


def error_shape(status: int, error_type: str | None, message: Any, *, body_type: str | None = None,
                shown: str | None = None) -> list[Failure]:
    """WIRE-2: what an error answer broke of its shape.

    ``error_type`` is the type the answer names (None: no x-amzn-ErrorType header; the
    model passes the outcome's type, which names one); ``message`` the body's message
    member (None: the body is not JSON or has none); ``body_type`` the body's ``__type``
    when it has one, which must agree with the header; ``shown`` how a report shows the
    body (default: the message).
    """
    problems = []
    if error_type is None:
        problems.append(Failure("WIRE-2", "error answer without x-amzn-ErrorType",
                                  "a header x-amzn-ErrorType: <Type>", f"status {status}, no such header"))
    elif error_type in ERROR_STATUS and ERROR_STATUS[error_type] != status:
        problems.append(Failure("WIRE-2", f"{error_type} answered with the wrong status",
                                  f"status {ERROR_STATUS[error_type]}", f"status {status}"))
    if not isinstance(message, str):
        problems.append(Failure("WIRE-2", "error body is not JSON with a string message",
                                  '{"message": "..."}', short(message) if shown is None else shown))
    if body_type is not None and error_type is not None and body_type != error_type:
        problems.append(Failure("WIRE-2", "x-amzn-ErrorType and __type disagree", error_type, body_type))
    return problems


def server_error(outcome: Outcome, status: int | None = None) -> Failure | None:
    """WIRE-4: the breach when a request was answered with a 5xx (``status``, default the
    outcome's). No request a client can send deserves one, however malformed."""
    if status is None:
        status = outcome.status if isinstance(outcome, (Err, Unknown)) else None
    if status is None or status < 500:
        return None
    what = outcome.error_type if isinstance(outcome, Err) else getattr(outcome, "reason", "")
    return Failure("WIRE-4", "server error (5xx) for a request a client can send",
                     "a 2xx, or a 4xx for malformed input", f"status {status}" + (f": {what}" if what else ""))


def is_unknown(outcome: Outcome) -> bool:
    """True when the answer cannot tell whether the call took effect (5xx, 429, timeout)."""
    if isinstance(outcome, Unknown):
        return True
    if isinstance(outcome, Err):
        return outcome.error_type in UNKNOWN_ERRORS or outcome.status >= 500 or outcome.status == 429
    return False


def check_wire(call: Call, outcome: Outcome, verdict: Verdict, *, serving: bool = True) -> None:
    """WIRE-1 (success bodies fit their schema), WIRE-2 (status per type), WIRE-3 (types).

    ``serving``: the server was seen to accept a write. An error answer witnesses WIRE-2
    and WIRE-3 only then: a server that refuses everything shows nothing of its errors'
    shapes beyond the one it always sends.
    """
    if isinstance(outcome, Ok):
        verdict.witnessed.add("WIRE-1")
        if not isinstance(outcome.body, dict):
            verdict.fail(
                "WIRE-1", f"{call.operation} answered a body that is not a JSON object",
                "a JSON object", short(outcome.body),
            )
            return
        problems = schemas.errors(f"{call.operation}Response", outcome.body)
        if problems:
            where = "/".join(str(p) for p in problems[0].absolute_path) or "(body)"
            verdict.fail(
                "WIRE-1", f"{call.operation} answer does not fit {call.operation}Response",
                f"a body valid against {call.operation}Response.json",
                f"{where}: {problems[0].message[:200]}"
                + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
            )
    elif isinstance(outcome, Err):
        if serving:
            verdict.witness("WIRE-2", "WIRE-3")
        unlisted = unlisted_error(call.operation, outcome.error_type)
        shape = error_shape(outcome.status, outcome.error_type, outcome.message)
        for v in ([unlisted] if unlisted else []) + shape:
            verdict.fail(v.property_id, v.title, v.expected, v.received)


def tests_encoding(text: Any) -> bool:
    """Does ``text`` hold a character outside printable ASCII? Only such text puts WIRE-5
    (strings round-trip byte for byte) to the test: ASCII survives every wrong charset."""
    # The same as testing each character against " " .. "~", at C speed (a 1 MB value).
    return isinstance(text, str) and not (text.isascii() and text.isprintable())


def _skeleton(text: str) -> str:
    return "".join(ch for ch in text if " " <= ch <= "~" and ch != "?")


def _utf16_units(text: str) -> str:
    raw = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(raw[i : i + 2], "little")) for i in range(0, len(raw), 2))


def looks_mangled(sent: str, got: Any) -> bool:
    """Does ``got`` look like ``sent`` damaged on the wire (WIRE-5) rather than another value?

    True when the two differ but agree on a non-empty printable-ASCII skeleton
    (characters dropped, replaced or escaped around the same ASCII text), when
    ``got`` is only replacement characters, or when ``got`` is ``sent`` normalized,
    split into UTF-16 surrogates, escaped, or decoded with the wrong charset.
    """
    if not isinstance(got, str) or got == sent:
        return False
    skeleton = _skeleton(sent)
    if skeleton and skeleton == _skeleton(got) and (sent != skeleton or got != skeleton):
        return True
    if sent and got and set(got) <= {"?", "\ufffd"}:
        return True
    raw = sent.encode("utf-8", "surrogatepass")
    variants = {unicodedata.normalize(form, sent) for form in ("NFC", "NFD", "NFKC", "NFKD")}
    variants |= {
        raw.decode("latin-1"),
        raw.decode("utf-8", "replace"),
        sent.encode("unicode_escape").decode("ascii"),
        sent.encode("ascii", "backslashreplace").decode("ascii"),
        _utf16_units(sent),
    }
    return got in variants
