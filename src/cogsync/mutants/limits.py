"""Mutants of the service limits (LIM-1..3)."""

from __future__ import annotations

from typing import Any

from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.emulator.errors import LimitExceededException
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve
from cogsync.mutants._seams import SeamedBackend

_UNLIMITED = 2**40


def no_dataset_limit() -> CognitoSyncApp:
    """The per-identity dataset limit was never written."""
    return serve(limits=Limits(max_datasets_per_identity=_UNLIMITED))


def record_limit_off_by_one() -> CognitoSyncApp:
    """The record limit compares with >= where > was meant: the 1024th record is refused."""
    return serve(limits=Limits(
        max_records_per_dataset=DEFAULT_LIMITS.max_records_per_dataset - 1))


class _RequestSizeLimit(SeamedBackend):
    """Measures the byte limit against this request's patches, not the dataset's total."""

    def update_records(self, **params: Any) -> dict[str, Any]:
        request = self.parse(params)
        size = sum(len(p.key.encode()) + len((p.value or "").encode()) for p in request.patches)
        if size > DEFAULT_LIMITS.max_dataset_bytes:
            raise LimitExceededException(f"Request of {size} bytes is over the 1 MB limit")
        return super().update_records(**params)


def byte_limit_per_request() -> CognitoSyncApp:
    return serve(_RequestSizeLimit, limits=Limits(max_dataset_bytes=_UNLIMITED))
