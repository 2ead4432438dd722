"""The reference UpdateRecords rules, restated with seams where the catalog's bugs go.

:class:`SeamedBackend` answers exactly like the reference
:class:`~cogsync.emulator.backend.CognitoSyncBackend` (a test runs the engine on it
with no seam overridden and expects no failure). Its ``update_records`` is the
reference's, split into small overridable steps: which count a key holds, whether a
patch is stale, which count a write gives each record, how many bytes and records a
record adds, and the check-then-commit pair, so a race mutant can release the lock
between the two. A mutant overrides one seam and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cogsync.emulator import inputs
from cogsync.emulator.backend import CognitoSyncBackend, record_body
from cogsync.emulator.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceConflictException,
)
from cogsync.emulator.inputs import Patch, UpdateInput
from cogsync.emulator.state import DatasetState, RecordState
from cogsync.emulator.storage import Transaction


@dataclass(frozen=True)
class Plan:
    """What a checked write will store: the records and the dataset row after it."""

    request: UpdateInput
    written: tuple[RecordState, ...]
    dataset: DatasetState | None  # None: nothing to write (no patches)


class SeamedBackend(CognitoSyncBackend):
    """The reference backend; ``update_records`` goes through the seams below."""

    # -- seams -----------------------------------------------------------------------------
    def held_count(self, held: RecordState | None, dataset: DatasetState | None) -> int:
        """The count a patch must present for a key (0 for a key never written)."""
        return held.sync_count if held is not None else 0

    def is_stale(self, patch: Patch, server_count: int) -> bool:
        return patch.sync_count != server_count

    def conflict(self, patch: Patch, server_count: int) -> ResourceConflictException:
        """The 409 for a stale patch (CONF-5's observed message)."""
        return ResourceConflictException(
            f"Current SyncCount for: {patch.key} is: {server_count} not: {patch.sync_count}"
        )

    def record_counts(self, dataset_count: int, patches: tuple[Patch, ...]) -> list[int]:
        """The sync count each patched record gets; the dataset takes the highest."""
        return [dataset_count + 1] * len(patches)

    def stored_size(self, record: RecordState) -> int:
        """What a record adds to DataStorage (and to the byte limit)."""
        return record.stored_bytes

    def records_added(self, record: RecordState, old: RecordState | None) -> int:
        """What writing ``record`` over ``old`` adds to NumRecords."""
        return int(record.is_live) - int(old is not None and old.is_live)

    # -- UpdateRecords ---------------------------------------------------------------------
    def update_records(self, **params: Any) -> dict[str, Any]:
        request = self.parse(params)
        with self.storage.write() as tx:
            plan = self.check(tx, request)
            self.commit(tx, plan)
        return self.answer(plan)

    def parse(self, params: dict[str, Any]) -> UpdateInput:
        """The request, validated (VAL-1, VAL-3): the reference's own parser."""
        return inputs.update_input({name: params.get(name) for name in _UPDATE_MEMBERS})

    def answer(self, plan: Plan) -> dict[str, Any]:
        return {"Records": [record_body(r) for r in plan.written]}

    def check(self, tx: Transaction, request: UpdateInput) -> Plan:
        """Token, conflicts and limits; raises a ServiceError or returns what to store."""
        scope = request.scope
        if self._usable_token(tx, request.token, scope) is None:
            raise InvalidParameterException("SyncSessionToken not valid for these inputs")
        if not request.patches:
            return Plan(request, (), None)
        dataset = tx.dataset(scope)
        alive = dataset is not None and dataset.exists
        current = tx.records(scope, [p.key for p in request.patches]) if alive else {}
        for patch in request.patches:
            server_count = self.held_count(current.get(patch.key), dataset if alive else None)
            if self.is_stale(patch, server_count):
                raise self.conflict(patch, server_count)
        limits = self.limits
        if not alive and tx.count_datasets(scope.pool, scope.identity) >= (
            limits.max_datasets_per_identity
        ):
            raise LimitExceededException(
                f"Identity {scope.identity} already has the maximum of"
                f" {limits.max_datasets_per_identity} datasets"
            )
        now = self.clock()
        author = request.device_id if request.device_id is not None else scope.identity
        counts = self.record_counts(dataset.sync_count if dataset is not None else 0,
                                    request.patches)
        written = tuple(
            RecordState(p.key, p.value, count, now, author, p.device_last_modified_date)
            for p, count in zip(request.patches, counts, strict=True)
        )
        num_records = dataset.num_records if alive and dataset is not None else 0
        data_storage = dataset.data_storage if alive and dataset is not None else 0
        for record in written:
            old = current.get(record.key)
            num_records += self.records_added(record, old)
            data_storage += self.stored_size(record) - (self.stored_size(old) if old else 0)
        if num_records > limits.max_records_per_dataset:
            raise LimitExceededException(
                f"Dataset {scope.name} would hold {num_records} records; the limit is"
                f" {limits.max_records_per_dataset}"
            )
        if data_storage > limits.max_dataset_bytes:
            raise LimitExceededException(
                f"Dataset {scope.name} would hold {data_storage} bytes; the limit is"
                f" {limits.max_dataset_bytes}"
            )
        row = DatasetState(
            scope=scope,
            sync_count=max(counts),
            exists=True,
            creation_date=dataset.creation_date if alive and dataset is not None else now,
            last_modified_date=now,
            last_modified_by=author,
            num_records=num_records,
            data_storage=data_storage,
            deleted_at_count=dataset.deleted_at_count if dataset is not None else None,
        )
        return Plan(request, written, row)

    def commit(self, tx: Transaction, plan: Plan, *, spend_token: bool = True) -> None:
        """Store a checked write and (normally) spend its token."""
        if plan.dataset is not None:
            tx.put_records(plan.request.scope, plan.written)
            tx.put_dataset(plan.dataset)
        if spend_token:
            tx.drop_token(plan.request.token)


_UPDATE_MEMBERS = ("IdentityPoolId", "IdentityId", "DatasetName", "SyncSessionToken", "DeviceId",
                   "RecordPatches", "ClientContext")
