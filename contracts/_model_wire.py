"""Wire-level judgements that need no state: WIRE-1..5.

The error types each operation may answer come from the committed OpenAPI
document (itself generated from botocore's model), so they cannot drift.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

from cogsync.contracts import schemas
from cogsync.contracts._model_types import AUTH_ERRORS, Verdict, short
from cogsync.contracts.calls import ERROR_STATUS, Call, Err, Ok, Outcome, Unknown

#: Error types after which nobody can tell whether the call took effect.
UNKNOWN_ERRORS = frozenset(
    {"InternalErrorException", "TooManyRequestsException", "LambdaThrottledException"}
)


@cache
def model_errors(operation: str) -> frozenset[str]:
    """The error types the service model lists for ``operation``."""
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
        verdict.witness("WIRE-1")
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
        allowed = model_errors(call.operation) | AUTH_ERRORS
        if outcome.error_type not in allowed:
            verdict.fail(
                "WIRE-3", f"{call.operation} answered an error type its model does not list",
                "one of " + ", ".join(sorted(allowed)), outcome.error_type,
            )
        status = ERROR_STATUS.get(outcome.error_type)
        if status is not None and status != outcome.status:
            verdict.fail(
                "WIRE-2", f"{outcome.error_type} came with the wrong HTTP status",
                str(status), str(outcome.status),
            )
        if not isinstance(outcome.message, str):
            verdict.fail("WIRE-2", "error message is not a string", "a string message",
                         short(outcome.message))


def tests_encoding(text: Any) -> bool:
    """Does ``text`` hold a character outside printable ASCII? Only such text puts WIRE-5
    (strings round-trip byte for byte) to the test: ASCII survives every wrong charset."""
    return isinstance(text, str) and any(not " " <= ch <= "~" for ch in text)


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
