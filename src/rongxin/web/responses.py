"""Shared page responses: the one "not found" page, and putting service errors on forms."""

from __future__ import annotations

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from rongxin.core.errors import ApplicationError


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


def not_found(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": _("Not found"), "message": _("This page does not exist or is not yours to see.")},
        status=404,
    )
