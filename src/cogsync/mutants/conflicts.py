"""Mutants of optimistic concurrency (CONF-1..6)."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from cogsync.emulator.errors import ResourceConflictException
from cogsync.emulator.inputs import REMOVE, Patch, UpdateInput
from cogsync.emulator.storage import Transaction
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve
from cogsync.mutants._seams import SeamedBackend

#: How long the race mutant computes "outside the lock" (long enough for a rival to slip in).
RACE_PAUSE_SECONDS = 0.002


class _OneBehindTolerated(SeamedBackend):
    def is_stale(self, patch: Patch, server_count: int) -> bool:
        return patch.sync_count < server_count - 1


def stale_replace_accepted() -> CognitoSyncApp:
    return serve(_OneBehindTolerated)


class _ZeroMeansOverwrite(SeamedBackend):
    def is_stale(self, patch: Patch, server_count: int) -> bool:
        return patch.sync_count != 0 and patch.sync_count != server_count


def zero_count_always_accepted() -> CognitoSyncApp:
    return serve(_ZeroMeansOverwrite)


class _RemoveUnchecked(SeamedBackend):
    def is_stale(self, patch: Patch, server_count: int) -> bool:
        return patch.op != REMOVE and patch.sync_count != server_count


def remove_skips_conflict_check() -> CognitoSyncApp:
    return serve(_RemoveUnchecked)


class _PatchByPatch(SeamedBackend):
    """Stops at the first stale patch, keeping the ones already applied."""

    def update_records(self, **params: Any) -> dict[str, Any]:
        request = self.parse(params)
        conflict: ResourceConflictException | None = None
        with self.storage.write() as tx:
            try:
                plan = self.check(tx, request)
            except ResourceConflictException as exc:
                conflict = exc
                plan = self.check(tx, self._before_first_stale(tx, request))
            self.commit(tx, plan, spend_token=conflict is None)
        if conflict is not None:
            raise conflict
        return self.answer(plan)

    def _before_first_stale(self, tx: Transaction, request: UpdateInput) -> UpdateInput:
        dataset = tx.dataset(request.scope)
        alive = dataset is not None and dataset.exists
        current = tx.records(request.scope, [p.key for p in request.patches]) if alive else {}
        applied: list[Patch] = []
        held_in = dataset if alive else None
        for patch in request.patches:
            if self.is_stale(patch, self.held_count(current.get(patch.key), held_in)):
                break
            applied.append(patch)
        return dataclasses.replace(request, patches=tuple(applied))


def partial_batch_on_conflict() -> CognitoSyncApp:
    return serve(_PatchByPatch)


class _CounterFirst(SeamedBackend):
    """Bumps the dataset counter in its own statement before checking the patches."""

    def update_records(self, **params: Any) -> dict[str, Any]:
        try:
            return super().update_records(**params)
        except ResourceConflictException:
            scope = self.parse(params).scope
            with self.storage.write() as tx:
                dataset = tx.dataset(scope)
                if dataset is not None:
                    tx.put_dataset(dataclasses.replace(dataset, sync_count=dataset.sync_count + 1))
            raise


def conflict_bumps_count() -> CognitoSyncApp:
    return serve(_CounterFirst)


class _OwnConflictMessage(SeamedBackend):
    def conflict(self, patch: Patch, server_count: int) -> ResourceConflictException:
        return ResourceConflictException(
            f"Record '{patch.key}' was modified by another device (version {server_count},"
            f" yours {patch.sync_count})"
        )


def conflict_message_reworded() -> CognitoSyncApp:
    return serve(_OwnConflictMessage)


class _CheckThenCommit(SeamedBackend):
    """Checks in one transaction, computes outside the lock, commits in another."""

    def update_records(self, **params: Any) -> dict[str, Any]:
        request = self.parse(params)
        with self.storage.write() as tx:
            plan = self.check(tx, request)
        time.sleep(RACE_PAUSE_SECONDS)
        with self.storage.write() as tx:
            self.commit(tx, plan)
        return self.answer(plan)


def lost_update_race() -> CognitoSyncApp:
    return serve(_CheckThenCommit)
