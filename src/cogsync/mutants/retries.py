"""Mutants only faults show: bugs a perfect network never triggers.

Each passes every sequential probe, every random program and the concurrency rounds
of a run without faults; ``cogsync verify --faults SPEC`` (the catalog entry's
``faults``) catches it. They are what a server meets behind a load balancer, with
mobile SDKs that retry a request whose answer was lost, over slow links.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.inputs import UpdateInput
from cogsync.emulator.plans import WritePlan
from cogsync.emulator.state import DatasetScope
from cogsync.emulator.storage import Transaction
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve

#: How long the lease mutants compute "outside the storage lock" (long enough for a copy to slip in).
PLAN_PAUSE_SECONDS = 0.005


#: The write leases of every mutant backend: (backend, dataset) -> (holder, depth).
_HELD: dict[tuple[int, DatasetScope], tuple[str, int]] = {}
_CHANGED = threading.Condition()


@contextmanager
def lease(backend: CognitoSyncBackend, key: DatasetScope, holder: str) -> Iterator[None]:
    """Hold ``key``'s write lease; re-entrant for the holder holding it, others wait."""
    slot = (id(backend), key)
    with _CHANGED:
        while slot in _HELD and _HELD[slot][0] != holder:
            _CHANGED.wait()
        _HELD[slot] = (holder, _HELD.get(slot, (holder, 0))[1] + 1)
    try:
        yield
    finally:
        with _CHANGED:
            owner, depth = _HELD[slot]
            if depth == 1:
                del _HELD[slot]
            else:
                _HELD[slot] = (owner, depth - 1)
            _CHANGED.notify_all()


def renumbered(tx: Transaction, plan: WritePlan, backend: CognitoSyncBackend) -> WritePlan:
    """The plan with its counts taken at commit (``sync_count = sync_count + 1``), as an
    UPDATE computes them, rather than from what the check read."""
    if plan.refusal is not None or plan.dataset is None:
        return plan
    current = tx.dataset(plan.key)
    counts = backend.record_counts(backend.count_before(current), len(plan.written))
    by_key = dict(zip((r.key for r in plan.written), counts, strict=True))
    written = tuple(dataclasses.replace(r, sync_count=by_key[r.key]) for r in plan.written)
    stored = tuple(dataclasses.replace(r, sync_count=by_key[r.key]) for r in plan.stored)
    dataset = dataclasses.replace(plan.dataset, sync_count=max(counts, default=plan.dataset.sync_count))
    return dataclasses.replace(plan, written=written, stored=stored, dataset=dataset)


#: Each answer-cache mutant's answers, by token.
_ANSWERS: dict[int, dict[str, WritePlan]] = {}
_ANSWERS_LOCK = threading.Lock()


def check_then_commit(backend: CognitoSyncBackend, request: UpdateInput) -> WritePlan:
    """The token and count check in one transaction, the commit in another (counts set by
    the UPDATE), a short computation between them."""
    with backend.storage.write() as tx:
        plan = backend.check_write(tx, request)
    time.sleep(PLAN_PAUSE_SECONDS)
    with backend.storage.write() as tx:
        plan = renumbered(tx, plan, backend)
        backend.commit_write(tx, plan)
    return plan


class _DeviceLease(CognitoSyncBackend):
    def check_and_commit(self, request: UpdateInput) -> WritePlan:
        """Writers of a dataset take turns by a lease held per device: a device never has two
        requests in flight, so the lease is re-entrant for it, and inside it the check and
        the commit need not be one transaction."""
        holder = request.device_id or request.scope.identity
        with lease(self, self._key(request.scope), holder):
            return check_then_commit(self, request)


def retry_applied_twice() -> CognitoSyncApp:
    return serve(_DeviceLease)


class _SessionLeaseAnswerCache(CognitoSyncBackend):
    def check_and_commit(self, request: UpdateInput) -> WritePlan:
        """The lease is held per sync session (its token), whose requests come one at a time;
        a request whose token already carried a write is a client's retry and gets that
        write's answer again, from a cache keyed by the token."""
        with lease(self, self._key(request.scope), request.token or request.scope.identity):
            plan = check_then_commit(self, request)
            if plan.refusal is not None:
                return plan
            with _ANSWERS_LOCK:
                return _ANSWERS.setdefault(id(self), {}).setdefault(request.token or "", plan)


def retry_answered_from_cache() -> CognitoSyncApp:
    return serve(_SessionLeaseAnswerCache)


class _SessionLease(CognitoSyncBackend):
    def check_and_commit(self, request: UpdateInput) -> WritePlan:
        """The lease is held per sync session (its token): a session is one device's sync,
        its requests one at a time, so the lease is re-entrant for the session, and the
        check and the commit need not be one transaction."""
        with lease(self, self._key(request.scope), request.token or request.scope.identity):
            return check_then_commit(self, request)


def session_retry_applied_twice() -> CognitoSyncApp:
    return serve(_SessionLease)
