"""Typed service errors: what the backend raises, what the wire turns into an AWS error.

Each class is named after its AWS error type (as moto does), so ``except
ResourceConflictException`` reads like the service's documentation. The HTTP status
comes from :data:`cogsync.contracts.calls.ERROR_STATUS`, the contract's one table, so
the emulator cannot answer a type with the wrong status (WIRE-2).
"""

from __future__ import annotations

from typing import ClassVar

from cogsync.contracts.calls import ERROR_STATUS
from cogsync.errors import CogsyncError


class ServiceError(CogsyncError):
    """An error answer of the Cognito Sync service: an AWS error type, a status, a message."""

    error_type: ClassVar[str] = "InternalErrorException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def status(self) -> int:
        return ERROR_STATUS[self.error_type]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class InvalidParameterException(ServiceError):
    """400: the request breaks an input constraint, or carries a bad token or cursor."""

    error_type = "InvalidParameterException"


class LimitExceededException(ServiceError):
    """400: the write would take an identity or dataset past a service limit."""

    error_type = "LimitExceededException"


class NotAuthorizedException(ServiceError):
    """403: the credentials may not touch this identity's data."""

    error_type = "NotAuthorizedException"


class ResourceNotFoundException(ServiceError):
    """404: the dataset does not exist."""

    error_type = "ResourceNotFoundException"


class ResourceConflictException(ServiceError):
    """409: a patch presented a stale sync count."""

    error_type = "ResourceConflictException"


class TooManyRequestsException(ServiceError):
    """429: the server is too busy to take the request now."""

    error_type = "TooManyRequestsException"


class InternalErrorException(ServiceError):
    """500: a bug in the emulator; bad input never ends here."""

    error_type = "InternalErrorException"


class InvalidSignatureException(ServiceError):
    """403: the SigV4 signature does not match the request."""

    error_type = "InvalidSignatureException"


class UnrecognizedClientException(ServiceError):
    """403: the access key is not one the server knows."""

    error_type = "UnrecognizedClientException"


class MissingAuthenticationTokenException(ServiceError):
    """403: the request carries no (readable) SigV4 Authorization header."""

    error_type = "MissingAuthenticationTokenException"


ERROR_CLASSES: dict[str, type[ServiceError]] = {
    cls.error_type: cls
    for cls in (
        InvalidParameterException,
        LimitExceededException,
        NotAuthorizedException,
        ResourceNotFoundException,
        ResourceConflictException,
        TooManyRequestsException,
        InternalErrorException,
        InvalidSignatureException,
        UnrecognizedClientException,
        MissingAuthenticationTokenException,
    )
}
