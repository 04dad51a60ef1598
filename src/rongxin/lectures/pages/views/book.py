"""Pages of the sayings book: the reader (the current book with search and topics, each saying on
its own page), the list of versions, and the publicity office's editor (start the next version,
change its title and preface, add, change and remove sayings, publish after confirming).

Everyone signed in reads published versions; drafts and the editor are for lecture
administrators only (for anyone else they are the one "not found" page). Every change goes
through :mod:`rongxin.lectures.services.book`; its errors land on the form or in a message.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.lectures.models import Book
from rongxin.lectures.permissions.common import is_lecture_admin, require_lecture_admin
from rongxin.lectures.selectors.book import (
    QUERY_MAX,
    book_detail,
    book_tags,
    book_versions,
    draft_book,
    saying_detail,
    sayings_search,
)
from rongxin.lectures.selectors.common import current_book
from rongxin.lectures.services import book as services
from rongxin.lectures.services.book import (
    CASES_MAX,
    CHANGE_NOTE_MAX,
    INTERPRETATION_MAX,
    PREFACE_MAX,
    PUBLISHED_MESSAGE,
    TEXT_MAX,
    TITLE_MAX,
)


# --- Forms -------------------------------------------------------------------------------------
class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search the sayings"), required=False, max_length=QUERY_MAX)
    tag = forms.CharField(label=gettext_lazy("Topic"), required=False, max_length=40)


class DraftStartForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        required=False,
        max_length=TITLE_MAX,
        help_text=gettext_lazy("Leave blank to keep the current book's title."),
    )


class BookForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX)
    preface = forms.CharField(
        label=gettext_lazy("Preface"), required=False, max_length=PREFACE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    change_note = forms.CharField(
        label=gettext_lazy("What changed in this version"), required=False, max_length=CHANGE_NOTE_MAX
    )


class SayingForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Saying"), max_length=TEXT_MAX)
    interpretation = forms.CharField(
        label=gettext_lazy("Interpretation in plain words"),
        max_length=INTERPRETATION_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    tags = forms.CharField(
        label=gettext_lazy("Topics"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Up to 8 short topics, separated by commas or 、."),
    )
    cases = forms.CharField(
        label=gettext_lazy("Local cases"),
        required=False,
        max_length=CASES_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked this version; once published it can no longer be changed."),
        required=True,
    )


# --- Reading -----------------------------------------------------------------------------------
@login_required
@require_safe
def book(request: SignedInRequest) -> HttpResponse:
    """The current published book: search (``?q=``), topics (``?tag=``), each saying a link."""
    current = current_book()
    form = SearchForm(request.GET or None)
    q = tag = ""
    if form.is_valid():
        q, tag = form.cleaned_data["q"].strip(), form.cleaned_data["tag"].strip()
    found = sayings_search(book=current, q=q, tag=tag) if form.is_valid() or not request.GET else []
    return render(
        request,
        "lectures/book.html",
        {
            "book": current,
            "form": form,
            "q": q,
            "tag": tag,
            "sayings": found,
            "searching": bool(q or tag),
            "tags": book_tags(book=current),
            "admin": is_lecture_admin(request.user),
        },
        status=form_status(form) if request.GET else 200,
    )


@login_required
@require_safe
def book_version(request: SignedInRequest, book_id: int) -> HttpResponse:
    """One version in full (a draft only for lecture administrators)."""
    b = book_detail(actor=request.user, book_id=book_id)
    current = current_book()
    return render(
        request,
        "lectures/book_version.html",
        {"book": b, "is_current": current is not None and current.pk == b.pk, "admin": is_lecture_admin(request.user)},
    )


@login_required
@require_safe
def saying(request: SignedInRequest, saying_id: int) -> HttpResponse:
    """One saying with its interpretation, topics and local cases."""
    s = saying_detail(actor=request.user, saying_id=saying_id)
    current = current_book()
    return render(
        request,
        "lectures/saying.html",
        {"s": s, "book": s.book, "is_current": current is not None and current.pk == s.book_id},
    )


@login_required
@require_safe
def versions(request: SignedInRequest) -> HttpResponse:
    """Every version readable by the user, newest first (drafts for administrators)."""
    current = current_book()
    return render(
        request,
        "lectures/book_versions.html",
        {
            "books": book_versions(actor=request.user),
            "current_id": current.pk if current else None,
            "admin": is_lecture_admin(request.user),
        },
    )


# --- Editing (lecture administrators) ----------------------------------------------------------
def _draft_for_editing(request: SignedInRequest, book_id: int) -> Book | None:
    """The draft ``book_id`` for an editor page; None (with the reason in a message) when it was
    published meanwhile. Not an administrator, or no such book: not found."""
    require_lecture_admin(request.user)
    b = book_detail(actor=request.user, book_id=book_id)
    if b.status != Book.Status.DRAFT:
        messages.error(request, str(PUBLISHED_MESSAGE))
        return None
    return b


@login_required
@require_http_methods(["GET", "POST"])
def book_edit(request: SignedInRequest) -> HttpResponse:
    """The editor: the open draft with its title, preface and sayings; or a button to start the
    next version when there is none."""
    require_lecture_admin(request.user)
    draft = draft_book()
    if draft is None:
        return render(
            request, "lectures/book_edit.html", {"draft": None, "start_form": DraftStartForm(), "base": current_book()}
        )
    outcome = None
    if request.method == "POST":
        form = BookForm(request.POST)
        if form.is_valid():
            with errors_on(form) as outcome:
                services.book_update(actor=request.user, book_id=draft.pk, **form.cleaned_data)
            if not outcome.failed:
                messages.success(request, _("The draft is saved."))
                return redirect("lectures:book_edit")
    else:
        form = BookForm(initial={"title": draft.title, "preface": draft.preface, "change_note": draft.change_note})
    draft = book_detail(actor=request.user, book_id=draft.pk)
    return render(
        request,
        "lectures/book_edit.html",
        {"draft": draft, "form": form, "base": draft.based_on},
        status=form_status(form, outcome),
    )


@login_required
@require_POST
def book_draft_start(request: SignedInRequest) -> HttpResponse:
    """Start the next version as a copy of the current book."""
    require_lecture_admin(request.user)
    form = DraftStartForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "lectures/book_edit.html",
            {"draft": None, "start_form": form, "base": current_book()},
            status=form_status(form),
        )
    with errors_on(form) as outcome:
        services.book_draft_start(actor=request.user, title=form.cleaned_data["title"] or None)
    if outcome.failed:
        if outcome.error is not None and outcome.error.code == "draft_exists":
            messages.error(request, str(outcome.error.message))
            return redirect("lectures:book_edit")
        return render(
            request,
            "lectures/book_edit.html",
            {"draft": None, "start_form": form, "base": current_book()},
            status=form_status(form, outcome),
        )
    messages.success(request, _("The next version is open as a draft."))
    return redirect("lectures:book_edit")


@login_required
@require_http_methods(["GET", "POST"])
def saying_new(request: SignedInRequest, book_id: int) -> HttpResponse:
    """Add a saying at the end of the draft."""
    draft = _draft_for_editing(request, book_id)
    if draft is None:
        return redirect("lectures:book_edit")
    form = SayingForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            s = services.saying_add(actor=request.user, book_id=draft.pk, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Saying %(key)s added.") % {"key": s.key})
            return redirect("lectures:book_edit")
    return render(
        request,
        "lectures/saying_form.html",
        {"form": form, "draft": draft, "s": None},
        status=form_status(form, outcome),
    )


@login_required
@require_http_methods(["GET", "POST"])
def saying_edit(request: SignedInRequest, book_id: int, saying_id: int) -> HttpResponse:
    """Change a saying of the draft."""
    draft = _draft_for_editing(request, book_id)
    if draft is None:
        return redirect("lectures:book_edit")
    s = next((x for x in draft.saying_list if x.pk == saying_id), None)  # type: ignore[attr-defined]
    if s is None:
        raise NotFound()
    initial = {"text": s.text, "interpretation": s.interpretation, "tags": "、".join(s.tags), "cases": s.cases}
    form = SayingForm(request.POST if request.method == "POST" else None, initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.saying_update(actor=request.user, book_id=draft.pk, saying_id=s.pk, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Saying %(key)s saved.") % {"key": s.key})
            return redirect("lectures:book_edit")
    return render(
        request,
        "lectures/saying_form.html",
        {"form": form, "draft": draft, "s": s},
        status=form_status(form, outcome),
    )


@login_required
@require_POST
def saying_delete(request: SignedInRequest, book_id: int, saying_id: int) -> HttpResponse:
    """Remove a saying from the draft; the later ones move up."""
    require_lecture_admin(request.user)
    with flash_errors(request) as outcome:
        services.saying_delete(actor=request.user, book_id=book_id, saying_id=saying_id)
    if not outcome.failed:
        messages.success(request, _("The saying is removed from the draft."))
    return redirect("lectures:book_edit")


@login_required
@require_http_methods(["GET", "POST"])
def book_publish(request: SignedInRequest, book_id: int) -> HttpResponse:
    """Confirm, then publish the draft: it becomes the current book and is frozen."""
    draft = _draft_for_editing(request, book_id)
    if draft is None:
        return redirect("lectures:book_versions")
    form = PublishForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            published = services.book_publish(actor=request.user, book_id=draft.pk)
        if not outcome.failed:
            messages.success(
                request, _("Version %(v)d is published and is now the current book.") % {"v": published.version}
            )
            return redirect("lectures:book_version", published.pk)
    return render(
        request, "lectures/book_publish.html", {"form": form, "draft": draft}, status=form_status(form, outcome)
    )


urls: list[URLPattern] = [
    path("lectures/book/", book, name="book"),
    path("lectures/book/sayings/<int:saying_id>/", saying, name="saying"),
    path("lectures/book/versions/", versions, name="book_versions"),
    path("lectures/book/versions/<int:book_id>/", book_version, name="book_version"),
    path("lectures/book/edit/", book_edit, name="book_edit"),
    path("lectures/book/edit/start/", book_draft_start, name="book_draft_start"),
    path("lectures/book/edit/<int:book_id>/sayings/new/", saying_new, name="saying_new"),
    path("lectures/book/edit/<int:book_id>/sayings/<int:saying_id>/", saying_edit, name="saying_edit"),
    path("lectures/book/edit/<int:book_id>/sayings/<int:saying_id>/delete/", saying_delete, name="saying_delete"),
    path("lectures/book/edit/<int:book_id>/publish/", book_publish, name="book_publish"),
]
