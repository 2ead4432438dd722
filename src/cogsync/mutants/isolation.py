"""Mutants of isolation between identities (ISO-1): datasets keyed by too little.

Each keeps every dataset (rows, records, tokens) under an owner that leaves out
part of (pool, identity): the ids are still validated and still shown in answers,
but two callers who differ only in the part left out share their datasets.
"""

from __future__ import annotations

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve

#: What stands in for the part of the key left out (a valid id).
_ANYONE = "shared:0"


class _KeyedByName(CognitoSyncBackend):
    def owner_key(self, pool: str, identity: str) -> tuple[str, str]:
        """A single-tenant prototype: datasets are keyed by name alone."""
        return _ANYONE, _ANYONE


class _KeyedByPoolAndName(CognitoSyncBackend):
    def owner_key(self, pool: str, identity: str) -> tuple[str, str]:
        return pool, _ANYONE


class _KeyedByIdentityAndName(CognitoSyncBackend):
    def owner_key(self, pool: str, identity: str) -> tuple[str, str]:
        return _ANYONE, identity


def datasets_keyed_by_name_only() -> CognitoSyncApp:
    return serve(_KeyedByName)


def datasets_shared_within_pool() -> CognitoSyncApp:
    return serve(_KeyedByPoolAndName)


def datasets_keyed_by_identity_only() -> CognitoSyncApp:
    return serve(_KeyedByIdentityAndName)
