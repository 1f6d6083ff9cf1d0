"""Exceptions the domain raises; views turn them into messages and status codes."""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule refused the request; ``message`` is shown to the user (4xx)."""

    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    status = 403


class NeedsConfirmation(DomainError):
    """The request would do what the person may not mean (accept a task whose checklist is
    not done); the page asks, and the same request with its confirmation does it."""

    status = 409


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """Someone changed the row first (its version moved on): the loser sees the current state."""

    status = 409

    def __init__(self, message=None):
        super().__init__(
            message
            or _l("This item has moved on: someone acted on it first. Here is its current state.")
        )
