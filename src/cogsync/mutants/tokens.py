"""Mutants of SyncSessionToken handling (TOK-1..4, and ISO-1 through tokens)."""

from __future__ import annotations

from typing import Any

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.state import DatasetScope, TokenState
from cogsync.emulator.storage import Transaction
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import ProxyStorage, TransactionProxy, serve


class _TokenOnlyForExisting(CognitoSyncBackend):
    def list_records(self, **params: Any) -> dict[str, Any]:
        answer = super().list_records(**params)
        if not answer["DatasetExists"]:
            del answer["SyncSessionToken"]
        return answer


def token_missing_for_new_dataset() -> CognitoSyncApp:
    return serve(_TokenOnlyForExisting)


class _TokenOptional(CognitoSyncBackend):
    """Checks the token only when one is sent."""

    def update_records(self, **params: Any) -> dict[str, Any]:
        if params.get("SyncSessionToken") is None:
            params["SyncSessionToken"] = ""
        return super().update_records(**params)

    def _usable_token(self, tx: Transaction, token: str, scope: DatasetScope) -> TokenState | None:
        if token == "":
            return TokenState(token, scope, self.clock())
        return super()._usable_token(tx, token, scope)


def missing_token_accepted() -> CognitoSyncApp:
    return serve(_TokenOptional)


class _TokenOfIdentity(CognitoSyncBackend):
    """Checks that the token belongs to the caller's identity, not to the dataset."""

    def _usable_token(self, tx: Transaction, token: str, scope: DatasetScope) -> TokenState | None:
        state = tx.token(token)
        if state is None or (state.scope.pool, state.scope.identity) != (scope.pool,
                                                                           scope.identity):
            return None
        return state


def token_not_bound_to_dataset() -> CognitoSyncApp:
    return serve(_TokenOfIdentity)


class _TokenOfDatasetName(CognitoSyncBackend):
    """Looks tokens up by dataset name: any identity's token for that name will do."""

    def _usable_token(self, tx: Transaction, token: str, scope: DatasetScope) -> TokenState | None:
        state = tx.token(token)
        return state if state is not None and state.scope.name == scope.name else None


def token_bound_to_dataset_name_only() -> CognitoSyncApp:
    return serve(_TokenOfDatasetName)


class _TokensNeverSpent(TransactionProxy):
    def drop_token(self, token: str) -> None:
        """Forgot to delete the token row after a successful write."""


def token_reusable() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_TokensNeverSpent))
