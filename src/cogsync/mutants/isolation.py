"""Mutants of isolation between identities (ISO-1): data keyed by too little.

Each keeps the data under a key that leaves out part of (pool, identity): the
part is validated, then dropped from the key, and put back in the answers.
"""

from __future__ import annotations

from typing import Any

from cogsync.contracts import constraints as C
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve

#: What stands in for a member the key leaves out (a valid id, so validation passes).
_ANYONE = "shared:0"


class _KeyedByTooLittle(CognitoSyncBackend):
    dropped: tuple[str, ...] = ()

    def call(self, operation: str, params: Any) -> dict[str, Any]:
        real = dict(params)
        keyed = dict(params)
        for member in self.dropped:
            given = params.get(member)
            rule = C.IDENTITY_POOL_ID if member == "IdentityPoolId" else C.IDENTITY_ID
            if isinstance(given, str) and not rule.violations(given):
                keyed[member] = _ANYONE
        answer = super().call(operation, keyed)
        return _put_back(answer, keyed.get("IdentityId"), real.get("IdentityId"))


def _put_back(document: Any, stand_in: Any, real: Any) -> Any:
    """The answer with the real IdentityId where the stand-in shows."""
    if stand_in == real:
        return document
    if isinstance(document, dict):
        return {k: real if k == "IdentityId" and v == stand_in else _put_back(v, stand_in, real)
                for k, v in document.items()}
    if isinstance(document, list):
        return [_put_back(item, stand_in, real) for item in document]
    return document


class _KeyedByName(_KeyedByTooLittle):
    dropped = ("IdentityPoolId", "IdentityId")


class _KeyedByPoolAndName(_KeyedByTooLittle):
    dropped = ("IdentityId",)


class _KeyedByIdentityAndName(_KeyedByTooLittle):
    dropped = ("IdentityPoolId",)


def datasets_keyed_by_name_only() -> CognitoSyncApp:
    return serve(_KeyedByName)


def datasets_shared_within_pool() -> CognitoSyncApp:
    return serve(_KeyedByPoolAndName)


def datasets_keyed_by_identity_only() -> CognitoSyncApp:
    return serve(_KeyedByIdentityAndName)
