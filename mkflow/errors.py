"""Exceptions the domain raises; views turn them into messages and status codes."""


class DomainError(Exception):
    """A rule refused the request; ``message`` is shown to the user (4xx)."""

    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404
