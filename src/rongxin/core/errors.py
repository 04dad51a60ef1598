"""One family of application errors.

Every error a service raises is an :class:`ApplicationError` with a stable ``code`` (for
clients), an HTTP ``status`` and a human message (translated; Chinese by default). The API
renders them as RFC 7807 problem+json; pages show the message in the form.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code = "error"
    status = 400
    default_message: Any = _("The request could not be processed.")

    def __init__(self, message: Any = None, *, code: str | None = None, errors: list[dict[str, Any]] | None = None):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.errors = errors or []
        super().__init__(str(self.message))


class NotFound(ApplicationError):
    """Missing, or not yours to see: callers cannot tell the two apart."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Forbidden(ApplicationError):
    """The caller may see the object but not do this to it (e.g. act on their own record)."""

    code = "forbidden"
    status = 403
    default_message = _("You are not allowed to do this.")


class InvalidInput(ApplicationError):
    """Input that is well-formed but wrong: a bad checksum, an unknown code, a malformed query."""

    code = "invalid"
    status = 422
    default_message = _("The input is not valid.")


class Conflict(ApplicationError):
    """The request conflicts with what is stored (a duplicate, a second load)."""

    code = "conflict"
    status = 409
    default_message = _("This conflicts with an existing record.")


class TooManyRequests(ApplicationError):
    """Too many attempts in the current window: wait, then try again (not "fix the input")."""

    code = "rate_limited"
    status = 429
    default_message = _("Too many attempts. Wait a minute and try again.")


def field_error(field: str, message: Any, *, code: str = "invalid") -> InvalidInput:
    """An :class:`InvalidInput` about one field, for forms and problem+json alike."""
    return InvalidInput(message, code=code, errors=[{"field": field, "message": str(message), "code": code}])
