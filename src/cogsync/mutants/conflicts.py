"""Mutants of optimistic concurrency (CONF-1..6)."""

from __future__ import annotations

import dataclasses
import time

from cogsync.emulator.backend import RULE_REFUSALS, CognitoSyncBackend
from cogsync.emulator.errors import ResourceConflictException
from cogsync.emulator.inputs import REMOVE, Patch, UpdateInput
from cogsync.emulator.plans import WritePlan
from cogsync.emulator.storage import Transaction
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve

#: How long the race mutant computes "outside the lock" (long enough for a rival to slip in).
RACE_PAUSE_SECONDS = 0.002


class _OneBehindTolerated(CognitoSyncBackend):
    def is_stale(self, patch: Patch, server_count: int) -> bool:
        return patch.sync_count < server_count - 1


def stale_replace_accepted() -> CognitoSyncApp:
    return serve(_OneBehindTolerated)


class _ZeroMeansOverwrite(CognitoSyncBackend):
    def is_stale(self, patch: Patch, server_count: int) -> bool:
        return patch.sync_count != 0 and super().is_stale(patch, server_count)


def zero_count_always_accepted() -> CognitoSyncApp:
    return serve(_ZeroMeansOverwrite)


class _RemoveUnchecked(CognitoSyncBackend):
    def is_stale(self, patch: Patch, server_count: int) -> bool:
        return patch.op != REMOVE and super().is_stale(patch, server_count)


def remove_skips_conflict_check() -> CognitoSyncApp:
    return serve(_RemoveUnchecked)


class _PatchByPatch(CognitoSyncBackend):
    def store_refused(self, tx: Transaction, plan: WritePlan) -> None:
        """Applies the patches one by one: those before the stale one stay written."""
        super().store_refused(tx, plan)
        if isinstance(plan.refusal, ResourceConflictException):
            applied = _longest_accepted_start(self, tx, plan.request)
            if applied is not None:
                self.store_write(tx, applied)


def _longest_accepted_start(
    backend: CognitoSyncBackend, tx: Transaction, request: UpdateInput
) -> WritePlan | None:
    """The plan of the request's first patches, up to the first one the rules refuse."""
    accepted = None
    for end in range(1, len(request.patches)):
        try:
            accepted = backend.plan_write(
                tx, dataclasses.replace(request, patches=request.patches[:end]))
        except RULE_REFUSALS:
            break
    return accepted


def partial_batch_on_conflict() -> CognitoSyncApp:
    return serve(_PatchByPatch)


class _CounterFirst(CognitoSyncBackend):
    def store_refused(self, tx: Transaction, plan: WritePlan) -> None:
        """The counter was bumped in its own statement before the patches were checked."""
        super().store_refused(tx, plan)
        dataset = tx.dataset(plan.key)
        if isinstance(plan.refusal, ResourceConflictException) and dataset is not None:
            tx.put_dataset(dataclasses.replace(dataset, sync_count=dataset.sync_count + 1))


def conflict_bumps_count() -> CognitoSyncApp:
    return serve(_CounterFirst)


class _OwnConflictMessage(CognitoSyncBackend):
    def conflict(self, patch: Patch, server_count: int) -> ResourceConflictException:
        return ResourceConflictException(
            f"Record '{patch.key}' was modified by another device (version {server_count},"
            f" yours {patch.sync_count})"
        )


def conflict_message_reworded() -> CognitoSyncApp:
    return serve(_OwnConflictMessage)


class _CheckThenCommit(CognitoSyncBackend):
    def check_and_commit(self, request: UpdateInput) -> WritePlan:
        """Checks in one transaction, computes outside the lock, commits in another."""
        with self.storage.write() as tx:
            plan = self.check_write(tx, request)
        time.sleep(RACE_PAUSE_SECONDS)
        with self.storage.write() as tx:
            self.commit_write(tx, plan)
        return plan


def lost_update_race() -> CognitoSyncApp:
    return serve(_CheckThenCommit)
