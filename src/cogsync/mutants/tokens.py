"""Mutants of SyncSessionToken handling (TOK-1..4, and ISO-1 through tokens)."""

from __future__ import annotations

from typing import Any

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.plans import Listing
from cogsync.emulator.state import DatasetScope, TokenState
from cogsync.emulator.storage import Transaction
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve


class _TokenOnlyForExisting(CognitoSyncBackend):
    def listing_body(self, listing: Listing) -> dict[str, Any]:
        answer = super().listing_body(listing)
        if not listing.exists:
            del answer["SyncSessionToken"]
        return answer


def token_missing_for_new_dataset() -> CognitoSyncApp:
    return serve(_TokenOnlyForExisting)


class _TokenOptional(CognitoSyncBackend):
    def write_needs_token(self) -> bool:
        """Checks the token only when one is sent."""
        return False


def missing_token_accepted() -> CognitoSyncApp:
    return serve(_TokenOptional)


class _TokenOfIdentity(CognitoSyncBackend):
    def token_fits(self, token: TokenState, key: DatasetScope) -> bool:
        """Checks that the token belongs to the caller's identity, not to the dataset."""
        return (token.scope.pool, token.scope.identity) == (key.pool, key.identity)


def token_not_bound_to_dataset() -> CognitoSyncApp:
    return serve(_TokenOfIdentity)


class _TokenOfDatasetName(CognitoSyncBackend):
    def token_fits(self, token: TokenState, key: DatasetScope) -> bool:
        """Looks tokens up by dataset name: any identity's token for that name will do."""
        return token.scope.name == key.name


def token_bound_to_dataset_name_only() -> CognitoSyncApp:
    return serve(_TokenOfDatasetName)


class _TokensNeverSpent(CognitoSyncBackend):
    def spend_token(self, tx: Transaction, token: str | None) -> None:
        """Forgot to delete the token row after a successful write."""


def token_reusable() -> CognitoSyncApp:
    return serve(_TokensNeverSpent)
