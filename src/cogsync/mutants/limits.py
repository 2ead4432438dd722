"""Mutants of the service limits (LIM-1..3)."""

from __future__ import annotations

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.plans import WritePlan
from cogsync.emulator.storage import Transaction
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve


class _NoDatasetLimit(CognitoSyncBackend):
    def dataset_limit_reached(self, datasets: int) -> bool:
        """The per-identity dataset limit was never written."""
        return False


def no_dataset_limit() -> CognitoSyncApp:
    return serve(_NoDatasetLimit)


class _RecordLimitOffByOne(CognitoSyncBackend):
    def over_record_limit(self, records: int) -> bool:
        """Compares with >= where > was meant: the 1024th record is refused."""
        return records >= self.limits.max_records_per_dataset


def record_limit_off_by_one() -> CognitoSyncApp:
    return serve(_RecordLimitOffByOne)


class _RequestSizeLimit(CognitoSyncBackend):
    def limited_totals(self, tx: Transaction, plan: WritePlan) -> tuple[int, int]:
        """Weighs the byte limit against this request's records, not the dataset's total."""
        records, _dataset_bytes = super().limited_totals(tx, plan)
        return records, sum(len(r.key.encode()) + len((r.value or "").encode())
                            for r in plan.written)


def byte_limit_per_request() -> CognitoSyncApp:
    return serve(_RequestSizeLimit)


class _IdentitySizeLimit(CognitoSyncBackend):
    def limited_totals(self, tx: Transaction, plan: WritePlan) -> tuple[int, int]:
        """Weighs the 1 MB limit against all the identity's datasets together (a per-user
        quota), where the limit is per dataset."""
        records, size = super().limited_totals(tx, plan)
        others = sum(d.data_storage for d in tx.datasets(plan.key.pool, plan.key.identity)
                     if d.scope != plan.key)
        return records, size + others


def byte_limit_per_identity() -> CognitoSyncApp:
    return serve(_IdentitySizeLimit)


class _LimitsWeighADeletedLife(CognitoSyncBackend):
    def limited_totals(self, tx: Transaction, plan: WritePlan) -> tuple[int, int]:
        """Adds the write to the dataset's row as stored without looking at its deleted
        flag: the first write into a deleted dataset is weighed with the records and bytes
        of its previous life (the row keeps them), so a write up to the limits is refused."""
        records, size = super().limited_totals(tx, plan)
        stored = tx.dataset(plan.key)
        if stored is not None and not stored.exists:
            return records + stored.num_records, size + stored.data_storage
        return records, size


def limits_weigh_a_deleted_life() -> CognitoSyncApp:
    return serve(_LimitsWeighADeletedLife)
