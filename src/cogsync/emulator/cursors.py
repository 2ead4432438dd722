"""Opaque, tamper-proof pagination cursors (the ``NextToken`` of ListRecords and ListDatasets).

A cursor carries where the listing stopped and what it was listing, signed with the
storage's secret: the server keeps nothing per page, a cursor survives a restart of
a SQLite-backed server, and anything not minted here (or minted for another scope
or query) is refused as invalid (LIST-4).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from cogsync.emulator.errors import InvalidParameterException

_SIGNATURE_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mint(secret: bytes, payload: dict[str, Any]) -> str:
    """A cursor for ``payload`` (JSON-able), signed with ``secret``."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    signature = hmac.new(secret, body, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return f"{_b64(body)}.{_b64(signature)}"


def read(secret: bytes, cursor: str, *, expect: dict[str, Any]) -> dict[str, Any]:
    """The payload of a cursor minted here whose members include ``expect``; else a 400."""
    invalid = InvalidParameterException(f"Invalid nextToken: {cursor[:80]!r}")
    body_text, dot, signature_text = cursor.partition(".")
    if not dot:
        raise invalid
    try:
        body, signature = _unb64(body_text), _unb64(signature_text)
    except (binascii.Error, ValueError):
        raise invalid from None
    wanted = hmac.new(secret, body, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    if not hmac.compare_digest(signature, wanted):
        raise invalid
    payload = json.loads(body.decode("utf-8"))
    if not isinstance(payload, dict) or any(payload.get(k) != v for k, v in expect.items()):
        raise invalid
    return payload
