"""cogsync: contract testing, fuzzing and a reference emulator for Cognito Sync records.

For your own tests: ``cogsync.strategies`` (values, requests, whole programs),
``cogsync.Judge`` and ``cogsync.check`` (the contract's model as an assertion) and
``cogsync.mock_cognito_sync`` (the reference emulator in-process).
"""

from __future__ import annotations

from typing import Any

from cogsync.errors import CogsyncError, ContractViolation, InfrastructureError, UsageError, WrongTypeError

__version__ = "0.1.0"

__all__ = [
    "CogsyncError",
    "ContractViolation",
    "InfrastructureError",
    "Judge",
    "UsageError",
    "WrongTypeError",
    "__version__",
    "check",
    "mock_cognito_sync",
]


def __getattr__(name: str) -> Any:
    # Lazy, so ``import cogsync`` does not pull in botocore and the emulator.
    if name == "mock_cognito_sync":
        from cogsync.emulator.mock import mock_cognito_sync

        return mock_cognito_sync
    if name in ("Judge", "check"):
        from cogsync.contracts import judge

        return getattr(judge, name)
    raise AttributeError(f"module 'cogsync' has no attribute {name!r}")
