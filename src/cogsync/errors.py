"""The exceptions cogsync raises, all under one root.

Each subclass also derives from the nearest builtin, so callers who know nothing
of cogsync can still catch a ``ValueError`` or an ``AssertionError``.
"""

from __future__ import annotations


class CogsyncError(Exception):
    """Root of every error cogsync raises on purpose."""


class UsageError(CogsyncError, ValueError):
    """A caller passed an argument cogsync cannot use.

    The message names the argument, shows the value and says what is allowed.
    """

    @classmethod
    def bad_argument(cls, name: str, value: object, allowed: str) -> UsageError:
        return cls(f"{name}={value!r} is not allowed: {name} must be {allowed}.")


class WrongTypeError(UsageError, TypeError):
    """An argument, or what a function given as one returned, is not of a usable type.

    Also a ``TypeError``, what Python raises for the same mistake; the message names
    the argument, shows what was passed and says what to pass instead.
    """


class ContractViolation(CogsyncError, AssertionError):
    """A target's answer broke a property of the contract.

    ``property_id`` is the contract id (SYNC-1, CONF-4, ...); ``expected`` and
    ``received`` say what the model allowed and what the target did.
    """

    def __init__(self, property_id: str, title: str, *, expected: str = "", received: str = "",
                 where: str = ""):
        self.property_id = property_id
        self.title = title
        self.expected = expected
        self.received = received
        self.where = where
        lines = [f"[{property_id}] {title}"]
        if expected:
            lines.append(f"  expected: {expected}")
        if received:
            lines.append(f"  received: {received}")
        if where:
            lines.append(f"  at: {where}")
        super().__init__("\n".join(lines))

    @property
    def dedupe_key(self) -> tuple[str, str]:
        """Failures with the same key are the same bug seen twice."""
        return (self.property_id, self.title)


class InfrastructureError(CogsyncError, RuntimeError):
    """The target could not be reached or set up (CLI exit code 3)."""


class CogsyncWarning(UserWarning):
    """The pytest plugin's warning: a SHOULD breached under the documented profile, or
    a stale baseline entry (``cogsync.pytest_plugin`` re-exports it)."""
