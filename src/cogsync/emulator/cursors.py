"""Opaque tokens: SyncSessionTokens and tamper-proof pagination cursors (``NextToken``).

Both look like the real service's: standard base64 (so they may hold ``+``, ``/`` and
``=``, and must be percent-encoded in a query string), never starting with ``-``
(a command line would read such a value as an option).

A cursor carries where the listing stopped and what it was listing, gzipped and
signed with the storage's secret: the server keeps nothing per page, a cursor
survives a restart of a SQLite-backed server, and anything not minted here (or
minted for another scope or query) is refused as invalid (LIST-4).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import hmac
import json
import secrets
from typing import Any

from cogsync.emulator.errors import InvalidParameterException

_SIGNATURE_BYTES = 16
_SESSION_TOKEN_BYTES = 32


def session_token() -> str:
    """A fresh SyncSessionToken: random bytes in standard base64 (44 characters)."""
    return base64.b64encode(secrets.token_bytes(_SESSION_TOKEN_BYTES)).decode("ascii")


def mint(secret: bytes, payload: dict[str, Any]) -> str:
    """A cursor for ``payload`` (JSON-able), signed with ``secret``."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    packed = gzip.compress(body, mtime=0)
    signature = hmac.new(secret, packed, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.b64encode(packed + signature).decode("ascii")


def read(secret: bytes, cursor: str, *, expect: dict[str, Any]) -> dict[str, Any]:
    """The payload of a cursor minted here whose members include ``expect``; else a 400."""
    invalid = InvalidParameterException(f"Invalid nextToken: {cursor[:80]!r}")
    try:
        blob = base64.b64decode(cursor.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise invalid from None
    packed, signature = blob[:-_SIGNATURE_BYTES], blob[-_SIGNATURE_BYTES:]
    wanted = hmac.new(secret, packed, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    if len(blob) <= _SIGNATURE_BYTES or not hmac.compare_digest(signature, wanted):
        raise invalid
    payload = json.loads(gzip.decompress(packed).decode("utf-8"))  # ours: signed above
    if not isinstance(payload, dict) or any(payload.get(k) != v for k, v in expect.items()):
        raise invalid
    return payload
