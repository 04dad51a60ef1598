"""Service errors on pages (``rongxin.core.forms``): what lands on the form or in a message, with
which status, and what passes through to the one "not found" page."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from rongxin.core.errors import Conflict, Forbidden, NotFound, TooManyRequests, field_error
from rongxin.core.forms import errors_on, flash_errors, form_status


class NameForm(forms.Form):
    name = forms.CharField()


def _form() -> NameForm:
    form = NameForm({"name": "王五"})
    assert form.is_valid()
    return form


def test_a_field_error_lands_on_its_field_with_422() -> None:
    # given
    form = _form()
    # when
    with errors_on(form) as outcome:
        raise field_error("name", "名字不对。")
    # then
    assert (outcome.failed, outcome.status, form_status(form, outcome)) == (True, 422, 422)
    assert form.errors == {"name": ["名字不对。"]}


@pytest.mark.parametrize(
    ("error", "status"),
    [(Conflict("已登记。"), 409), (Forbidden("不能处理本人记录。"), 403), (TooManyRequests("太多。"), 429)],
)
def test_an_error_naming_no_field_lands_on_the_form_with_its_status(error: Exception, status: int) -> None:
    # given
    form = _form()
    # when
    with errors_on(form) as outcome:
        raise error
    # then
    assert form.non_field_errors() == [str(error)]
    assert form_status(form, outcome) == status


def test_not_found_passes_through_to_the_error_page() -> None:
    # given
    form = _form()
    # when / then
    with pytest.raises(NotFound), errors_on(form):
        raise NotFound()
    assert form.errors == {}


def test_a_block_without_error_leaves_the_form_as_it_was() -> None:
    # given
    form = _form()
    # when
    with errors_on(form) as outcome:
        pass
    # then
    assert (outcome.failed, form_status(form, outcome), form.errors) == (False, 200, {})


def test_flash_errors_puts_the_message_on_the_next_page_and_lets_not_found_through() -> None:
    # given
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    # when
    with flash_errors(request) as outcome:
        raise Forbidden("这是您最后一项管理员授权。")
    # then
    assert (outcome.failed, outcome.status) == (True, 403)
    assert [str(m) for m in get_messages(request)] == ["这是您最后一项管理员授权。"]
    with pytest.raises(NotFound), flash_errors(request):
        raise NotFound()
