"""The one NinjaAPI at /api/v1. Errors are RFC 7807 problem+json in the caller's language."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from rongxin.accounts.api.auth import api_auth
from rongxin.core import text
from rongxin.core.errors import ApplicationError

PROBLEM = "application/problem+json"


class TextCheckingParser(Parser):
    """JSON bodies, queries and forms with every string held to the one free-text rule
    (:mod:`rongxin.core.text`): a lone surrogate, a control character or a bidi override is a
    422 naming the field, before any endpoint (or the database) sees it."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        _refuse_bad_text(data, "body")
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        _refuse_bad_text(result, "query")
        return result


class BadText(ValidationError):
    """A refused character; ninja wraps what the body parser raises in a 400, so the handler of
    that 400 unwraps this and answers 422 like any other validation error."""


def _refuse_bad_text(data: Any, where: str) -> None:
    found = text.first_problem(data)
    if found is not None:
        path, code = found
        loc = (where, "payload", *path) if where == "body" else (where, *path)
        raise BadText([{"loc": loc, "msg": str(text.problem_message(code)), "type": "invalid_text"}])


class RongxinAPI(NinjaAPI):
    """The OpenAPI document in the caller's language (:mod:`rongxin.config.openapi`)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        from rongxin.config.openapi import translate_document

        return translate_document(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = RongxinAPI(
    title="Rongxin API",
    version="1",
    description="荣信 volunteer + credit platform. Errors are RFC 7807 problem+json.",
    auth=api_auth,
    renderer=JSONRenderer(),
    parser=TextCheckingParser(),
    urls_namespace="api",
)


def problem(
    request: HttpRequest, *, status: int, code: str, title: str, detail: str = "", errors: list[Any] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"type": f"/problems/{code}", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return problem(request, status=exc.status, code=exc.code, title=str(exc.message), errors=exc.errors)


def _field_path(loc: list[Any]) -> str:
    # ("body", "payload", "id_number") → "id_number"; ("query", "q") → "q".
    parts = [str(p) for p in loc]
    parts = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return ".".join(parts) or "body"


# Pydantic's error types in the caller's language; its own messages are English only. The
# placeholders are the names pydantic gives in the error's ``ctx``.
VALIDATION_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("This field is required."),
    "missing_argument": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not allowed here."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("The value does not have the expected form."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "decimal_max_digits": gettext_lazy("Enter at most %(max_digits)s digits."),
    "decimal_max_places": gettext_lazy("Enter at most %(decimal_places)s decimal places."),
    "finite_number": gettext_lazy("Enter a finite number."),
    "greater_than": gettext_lazy("Enter a value greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a value of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a value less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a value of at most %(le)s."),
    "multiple_of": gettext_lazy("Enter a multiple of %(multiple_of)s."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_type": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "date_parsing": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_inexact": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "datetime_type": gettext_lazy("Enter a date and time (ISO 8601)."),
    "datetime_parsing": gettext_lazy("Enter a date and time (ISO 8601)."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time (ISO 8601)."),
    "timezone_aware": gettext_lazy("Enter a date and time with its time zone."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "list_type": gettext_lazy("Enter a list."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "dict_type": gettext_lazy("Enter an object."),
    "model_type": gettext_lazy("Enter an object."),
    "model_attributes_type": gettext_lazy("Enter an object."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
    "uuid_type": gettext_lazy("Enter a UUID."),
    "uuid_parsing": gettext_lazy("Enter a UUID."),
    "url_parsing": gettext_lazy("Enter a URL."),
    "url_type": gettext_lazy("Enter a URL."),
    "value_error": gettext_lazy("The value is not valid."),
}


def _ctx_value(value: Any) -> Any:
    # pydantic joins choices as "'a', 'b' or 'c'": keep the choices, drop the English "or".
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return value.replace(" or ", ", ") if isinstance(value, str) else value


def _validation_message(error: dict[str, Any]) -> str:
    """One pydantic error in the active language. Our own refusals (``invalid_text``) arrive
    already translated; an error type not listed reads as "not valid" rather than in English."""
    kind = error.get("type", "")
    if kind not in VALIDATION_MESSAGES:
        return str(error.get("msg", "")) if kind == "invalid_text" else _("The value is not valid.")
    ctx = {k: _ctx_value(v) for k, v in (error.get("ctx") or {}).items()}
    template = str(VALIDATION_MESSAGES[kind])
    try:
        return template % ctx if "%(" in template else template
    except (KeyError, TypeError, ValueError):
        return _("The value is not valid.")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 naming each field with its problem in the caller's language (Accept-Language)."""
    errors = [
        {"field": _field_path(e.get("loc", [])), "message": _validation_message(e), "code": e.get("type", "")}
        for e in exc.errors
    ]
    detail = _("; ").join(_("%(field)s: %(message)s") % {"field": e["field"], "message": e["message"]} for e in errors)
    return problem(
        request, status=422, code="invalid", title=_("The input is not valid."), detail=detail, errors=errors
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(request, status=401, code="unauthenticated", title=_("Sign in or send an API key."))


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, status=404, code="not_found", title=_("Not found."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals (an unparsable body, a missing CSRF token) in the same shape."""
    if isinstance(exc.__cause__, BadText):
        return on_validation_error(request, exc.__cause__)
    codes = {400: "bad_request", 403: "csrf_failed", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}
    titles = {
        400: _("The request body could not be read."),
        403: _("The request was refused: send the CSRF token with a signed-in session, or use an API key."),
    }
    status = exc.status_code
    return problem(
        request,
        status=status,
        code=codes.get(status, "error"),
        title=str(titles.get(status, _("The request could not be processed."))),
    )


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A number or date beyond what the calendar or the database can hold is bad input."""
    return problem(request, status=422, code="out_of_range", title=_("A number or date is out of range."))


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    return problem(request, status=422, code="out_of_range", title=_("A number or date is out of range."))


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 for a path under /api/ that no route matches: problem+json, like the API."""
    return problem(request, status=404, code="not_found", title=_("Not found."))


def mount_app_routers() -> None:
    """Every installed app's JSON API: an app with ``api/router.py`` lists its ``mounts``
    (prefix, router), added here in the order of INSTALLED_APPS. A new module adds its API
    without editing this file."""
    for config in apps.get_app_configs():
        module = f"{config.name}.api.router"
        if config.name.startswith("rongxin.") and find_spec(f"{config.name}.api") and find_spec(module):
            for prefix, router in import_module(module).mounts:
                api.add_router(prefix, router)


mount_app_routers()
