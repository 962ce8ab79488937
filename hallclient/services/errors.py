"""Errors a person meets in a use case; ``message`` is what the UI shows (Chinese)."""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LoginError(ServiceError):
    pass


class QueueError(ServiceError):
    pass


class CaseError(ServiceError):
    pass
