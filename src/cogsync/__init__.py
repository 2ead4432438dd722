"""cogsync: contract testing, fuzzing and a reference emulator for Cognito Sync records."""

from __future__ import annotations

from cogsync.errors import CogsyncError, ContractViolation, InfrastructureError, UsageError

__version__ = "0.1.0"

__all__ = [
    "CogsyncError",
    "ContractViolation",
    "InfrastructureError",
    "UsageError",
    "__version__",
]
