"""Service errors on pages, in one place.

A view calls a service inside ``with errors_on(form) as outcome:``. An error the user can act on
(invalid input, a conflict, a refusal of something they can see, such as revoking their own
last administrator grant) lands on the form, on the named fields when the error names them, and
``outcome.status`` is the status to render the form with (422, 409, 403, 429). ``NotFound`` is
not the form's business: it passes through to the page error middleware
(``rongxin.web.middleware.ApplicationErrorMiddleware``), which answers the one "not found" page,
so a page never tells an outsider whether a thing exists. (``Forbidden`` is only raised to a
caller who may see the object, so its message tells them nothing new; a ``Forbidden`` that no
form takes is answered with the same "not found" page by the middleware.)

For actions that redirect (a button, not a form), ``with flash_errors(request):`` turns the same
errors into a message shown on the next page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest

from rongxin.core.errors import ApplicationError, NotFound


def apply_error(form: Form, exc: ApplicationError) -> None:
    """Put a service error on the form: on its fields when it names them, else on the form."""
    placed = False
    for err in exc.errors:
        field = err.get("field")
        if field in form.fields:
            form.add_error(field, err["message"])
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


@dataclass
class Outcome:
    """What happened inside an ``errors_on`` block: ``failed`` and the status to answer with."""

    status: int = 200
    error: ApplicationError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def _passes_through(exc: ApplicationError) -> bool:
    return isinstance(exc, NotFound)


@contextmanager
def errors_on(form: Form) -> Iterator[Outcome]:
    outcome = Outcome()
    try:
        yield outcome
    except ApplicationError as exc:
        if _passes_through(exc):
            raise
        apply_error(form, exc)
        outcome.status, outcome.error = exc.status, exc


@contextmanager
def flash_errors(request: HttpRequest) -> Iterator[Outcome]:
    outcome = Outcome()
    try:
        yield outcome
    except ApplicationError as exc:
        if _passes_through(exc):
            raise
        messages.error(request, str(exc.message))
        outcome.status, outcome.error = exc.status, exc


def form_status(form: Form, outcome: Outcome | None = None) -> int:
    """The status to render a form with: the service error's, else 422 when it has errors."""
    if outcome is not None and outcome.failed:
        return outcome.status
    return 422 if form.errors else 200
