"""Where a service error lands when a page's form names its fields differently from the service.

``errors_on`` (:mod:`rongxin.core.forms`) puts a service error on the form field of the same
name. Three volunteering forms name theirs differently, so the error is renamed on its way
there: the volunteer number (the services say ``volunteer``), the roster (``lines.<number>.<field>``
is the form's ``<number>-<field>``) and a call-out's shifts (``shifts.<i>.<field>`` is the i-th
shift filled in, a form of its own in a formset).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.forms import BaseFormSet, Form

from rongxin.core.errors import ApplicationError
from rongxin.core.forms import Outcome, errors_on


@contextmanager
def service_fields(rename: Callable[[str], str]) -> Iterator[None]:
    """Inside ``errors_on(form)``: the fields a service error names, renamed to the form's."""
    try:
        yield
    except ApplicationError as exc:
        for err in exc.errors:
            err["field"] = rename(str(err.get("field", "")))
        raise


def volunteer_number_field(name: str) -> str:
    return "volunteer_number" if name == "volunteer" else name


def roster_field(name: str) -> str:
    """``lines.<number>.<field>`` → ``<number>-<field>``; ``lines.<number>`` → its minutes."""
    parts = name.split(".")
    if len(parts) >= 2 and parts[0] == "lines":
        return f"{parts[1]}-{parts[2] if len(parts) > 2 else 'minutes'}"
    return name


@contextmanager
def errors_on_shifts(form: Form, shifts: BaseFormSet) -> Iterator[Outcome]:
    """``errors_on(form)`` for a form with a formset of shifts: an error naming
    ``shifts.<i>.<field>`` lands on that field of the i-th shift filled in; the rest as
    ``errors_on`` places them."""
    with errors_on(form) as outcome:
        try:
            yield outcome
        except ApplicationError as exc:
            if not _place_on_shifts(shifts, exc):
                raise
            outcome.status, outcome.error = exc.status, exc


def _place_on_shifts(shifts: BaseFormSet, exc: ApplicationError) -> bool:
    filled = [f for f in shifts.forms if f.has_changed()]
    placed = False
    for err in exc.errors:
        parts = str(err.get("field", "")).split(".")
        if len(parts) == 3 and parts[0] == "shifts" and parts[1].isdigit():
            index, name = int(parts[1]), parts[2]
            if index < len(filled) and name in filled[index].fields:
                filled[index].add_error(name, err["message"])
                placed = True
    return placed
