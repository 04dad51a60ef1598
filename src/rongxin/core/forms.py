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

A form that lives on another page (a panel of the file page, a form per row of a list) posts to
its own view, which redirects back. When it fails, :func:`form_keep` keeps what was typed and
each error on its field in the session, and the page's view rebuilds the form with
:func:`form_kept`: the errors show beside their fields, never as one banner without names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, QueryDict

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


F = TypeVar("F", bound=Form)
_KEPT = "rongxin.kept_forms"


def form_keep(request: HttpRequest, form: Form, *, key: str, about: int | None = None) -> None:
    """Keep a failed form (what was typed, and its errors by field) for the next page of this
    session to show; ``key`` names the form and the page it shows on (``credit.entry:42``),
    ``about`` the row of a list it belongs to (the kept form's ``kept_about``)."""
    source: Any = form.data
    data = {name: source.getlist(name) for name in source if name != "csrfmiddlewaretoken"}
    errors = {field: [e["message"] for e in errs] for field, errs in form.errors.get_json_data().items()}
    kept = dict(request.session.get(_KEPT, {}))
    kept[key] = {"data": data, "errors": errors, "about": about}
    request.session[_KEPT] = kept


def form_kept(request: HttpRequest, *, key: str, build: Callable[[Any], F | None]) -> F | None:
    """The form kept under ``key`` by :func:`form_keep`, once: bound to what was typed, with its
    errors on its fields (``build(data)`` makes the form); None when nothing was kept."""
    kept = dict(request.session.get(_KEPT, {}))
    saved = kept.pop(key, None)
    if saved is None:
        return None
    request.session[_KEPT] = kept
    data = QueryDict(mutable=True)
    for name, values in saved["data"].items():
        data.setlist(name, values)
    form = build(data)
    if form is None:
        return None
    errors = ErrorDict()
    for field, texts in saved["errors"].items():
        name = field if field == "__all__" or field in form.fields else "__all__"
        errors.setdefault(name, ErrorList(error_class="nonfield" if name == "__all__" else None))
        errors[name].extend(ValidationError(t) for t in texts)
    form._errors = errors  # type: ignore[attr-defined]
    form.kept_about = saved.get("about")  # type: ignore[attr-defined]
    return form
