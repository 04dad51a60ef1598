"""Credit pages: record an entry, object, apply for repair, the review queue, catalogues."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rongxin.accounts.permissions import grants_with_roles, require_role
from rongxin.accounts.roles import STAFF_ROLES, Role
from rongxin.core.errors import ApplicationError, InvalidInput, NotFound
from rongxin.core.forms import apply_error
from rongxin.credit import catalogue as cat
from rongxin.credit import services
from rongxin.credit.imports import import_create_from_upload, import_progress, import_size_limit, max_rows
from rongxin.credit.models import Catalogue
from rongxin.credit.selectors import credit_explanation, imports_visible, recordable_rules, review_queue
from rongxin.credit.simulation import credit_simulate
from rongxin.subjects.models import Subject
from rongxin.subjects.permissions import SubjectAccess, access_subject_for_read
from rongxin.subjects.selectors import SubjectFile
from rongxin.web.forms import CatalogueUploadForm, EntryForm, ImportForm, ObjectionForm, RepairForm
from rongxin.web.responses import not_found


def file_panel(request: HttpRequest, file: SubjectFile, *, own: bool) -> dict[str, Any]:
    """The credit panel of a file page: the score explained and, for staff who may record for
    this subject, the recording form."""
    return {
        "credit": credit_explanation(access=file.access),
        "own": own,
        "entry_form": None if own else entry_form_for(request, file.subject.pk, access=file.access),
        "reason_form": ObjectionForm() if own else None,
        "repair_form": RepairForm() if own else None,
    }


def entry_form_for(
    request: HttpRequest, subject_id: int, data: object = None, *, access: SubjectAccess | None = None
) -> EntryForm | None:
    """The recording form for this subject, or None if the user may record nothing for it.
    ``access``: the caller's read access to the subject when the page already checked it."""
    if access is None or access.subject.pk != subject_id:
        try:
            access = access_subject_for_read(actor=request.user, subject_id=subject_id)
        except NotFound:
            return None
    if access.own:
        return None
    rules = recordable_rules(actor=request.user, subject=access.subject)
    if not rules:
        return None
    form = EntryForm(data, initial={"source_key": f"web-{uuid.uuid4()}"})  # type: ignore[arg-type]
    form.fields["rule_code"].choices = [  # type: ignore[attr-defined]
        (
            r.code,
            f"{r.code} {r.name_zh}（{'+' if r.direction == 'award' else '-'}"
            f"{r.points_min if r.points_min == r.points_max else f'{r.points_min}~{r.points_max}'}）",
        )
        for r in rules
    ]
    return form


@login_required
@require_POST
def entry_record(request: HttpRequest, subject_id: int) -> HttpResponse:
    form = entry_form_for(request, subject_id, request.POST)
    back = reverse("web:subject_detail", args=[subject_id]) + "?purpose=record"
    if form is None:
        return not_found(request)
    if form.is_valid():
        try:
            entry, created = services.entry_record(actor=request.user, subject_id=subject_id, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("Recorded: %(rule)s, %(points)+d points.") % {"rule": entry.rule.name_zh, "points": entry.points},
                )
            else:
                messages.info(request, _("This record was already saved; nothing was added."))
            return redirect(back)
    errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    messages.error(request, _("Not recorded: %(errors)s") % {"errors": errors})
    return redirect(back)


def _own_action(
    request: HttpRequest, entry_id: int, form: ObjectionForm | RepairForm, run: object, done: str
) -> HttpResponse:
    if form.is_valid():
        try:
            run(**form.cleaned_data)  # type: ignore[operator]
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            messages.error(request, str(exc.message) + "".join(f" {e['message']}" for e in exc.errors))
        else:
            messages.success(request, done)
    else:
        messages.error(request, _("Please fill in every field."))
    return redirect(reverse("web:my_file") + "#credit")


@login_required
@require_POST
def entry_object(request: HttpRequest, entry_id: int) -> HttpResponse:
    form = ObjectionForm(request.POST)
    return _own_action(
        request,
        entry_id,
        form,
        lambda reason, evidence: services.entry_object(
            actor=request.user, entry_id=entry_id, reason=reason, evidence=evidence
        ),
        _("Your objection was received. The record does not count until it is decided."),
    )


@login_required
@require_POST
def repair_apply(request: HttpRequest, entry_id: int) -> HttpResponse:
    form = RepairForm(request.POST)
    return _own_action(
        request,
        entry_id,
        form,
        lambda commitment, evidence: services.repair_apply(
            actor=request.user, entry_id=entry_id, commitment=commitment, evidence=evidence
        ),
        _("Your repair application was received and will be reviewed."),
    )


# --- Review queue ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    try:
        queue = review_queue(actor=request.user)
    except NotFound:
        return not_found(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        try:
            entry_id = int(request.POST.get("entry_id", "0"))
            if action in ("approve", "reject"):
                services.entry_review(actor=request.user, entry_id=entry_id, approve=action == "approve", reason=reason)
            elif action in ("uphold", "revoke"):
                services.objection_decide(
                    actor=request.user, entry_id=entry_id, uphold=action == "uphold", reason=reason
                )
            elif action in ("repair_approve", "repair_refuse"):
                services.repair_decide(
                    actor=request.user, entry_id=entry_id, approve=action == "repair_approve", reason=reason
                )
            else:
                raise InvalidInput()
        except (ValueError, NotFound):
            return not_found(request)
        except ApplicationError as exc:
            messages.error(request, str(exc.message) + "".join(f" {e['message']}" for e in exc.errors))
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("web:credit_review")
    return render(request, "web/credit_review.html", {"queue": queue})


# --- Catalogues ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def catalogues(request: HttpRequest) -> HttpResponse:
    try:
        require_role(request.user, STAFF_ROLES)
    except NotFound:
        return not_found(request)
    can_edit = bool(grants_with_roles(request.user, [Role.COUNTY_CREDIT_OFFICE]))
    form = CatalogueUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and can_edit and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read()
            document = (
                cat.catalogue_document_from_xlsx(data)
                if upload.name.lower().endswith(".xlsx")
                else cat.catalogue_document_from_yaml(data)
            )
            created = cat.catalogue_draft_create(actor=request.user, document=document)
        except ApplicationError as exc:
            apply_error(form, exc)
            for e in exc.errors:
                form.add_error(None, f"{e['field']}: {e['message']}")
        else:
            messages.success(request, _("Draft version %(v)d created.") % {"v": created.version})
            return redirect("web:catalogue", created.pk)
    items = Catalogue.objects.prefetch_related("grades").order_by("subject_kind", "-version")
    return render(request, "web/catalogues.html", {"catalogues": items, "form": form, "can_edit": can_edit})


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest, catalogue_id: int) -> HttpResponse:
    try:
        require_role(request.user, STAFF_ROLES)
    except NotFound:
        return not_found(request)
    c = Catalogue.objects.filter(pk=catalogue_id).first()
    if c is None:
        return not_found(request)
    if request.method == "POST":
        try:
            cat.catalogue_publish(actor=request.user, catalogue_id=c.pk)
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("Published. It takes effect on %(date)s.") % {"date": c.effective_from.isoformat()}
            )
        return redirect("web:catalogue", c.pk)
    other = Catalogue.objects.filter(subject_kind=c.subject_kind).exclude(pk=c.pk).order_by("-version")
    compare_id = request.GET.get("compare", "")
    compare = other.filter(pk=int(compare_id)).first() if compare_id.isdigit() else None
    diff = cat.catalogue_diff(old=compare, new=c) if compare else None
    rules = c.rules.prefetch_related("departments").order_by("direction", "code")
    return render(
        request, "web/catalogue.html", {"c": c, "rules": rules, "others": other, "compare": compare, "diff": diff}
    )


# --- Imports ---------------------------------------------------------------------------------
def _import_departments(request: HttpRequest) -> list[tuple[str, str]]:
    grants = grants_with_roles(request.user, [Role.DEPARTMENT_RECORDER])
    seen: dict[str, str] = {}
    for g in grants:
        if g.department is not None:
            seen[g.department.code] = g.department.name
    return sorted(seen.items())


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    departments = _import_departments(request)
    visible = imports_visible(actor=request.user)
    if not departments and not grants_with_roles(request.user, [Role.COUNTY_CREDIT_OFFICE]):
        return not_found(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    form.fields["department"].choices = departments  # type: ignore[attr-defined]
    if request.method == "POST" and departments and form.is_valid():
        try:
            batch = import_create_from_upload(
                actor=request.user,
                department_code=form.cleaned_data["department"],
                upload=form.cleaned_data["file"],
                partial=form.cleaned_data["partial"],
            )
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The file was received and is being checked."))
            return redirect("web:import_detail", batch.pk)
    limits = {"size": import_size_limit(), "rows": max_rows()}
    context = {"form": form if departments else None, "batches": visible[:50], "limits": limits}
    return render(request, "web/imports.html", context)


@login_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = imports_visible(actor=request.user).filter(pk=batch_id).first()
    if batch is None:
        return not_found(request)
    batch.rows_done, batch.rows_total = import_progress(batch)
    template = "web/_import_status.html" if getattr(request, "htmx", False) else "web/import_detail.html"
    return render(request, template, {"b": batch})


@login_required
def catalogue_simulate(request: HttpRequest, catalogue_id: int) -> HttpResponse:
    try:
        require_role(request.user, [Role.COUNTY_CREDIT_OFFICE])
        result = credit_simulate(draft_id=catalogue_id)
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:catalogue", catalogue_id)
    grades = result.grades
    rows = [(str(_("All")), result.before, result.after)]
    kind_labels = dict(Subject.Kind.choices)
    rows += [(str(kind_labels.get(k, k)), a, b) for k, (a, b) in sorted(result.by_kind.items())]
    towns = [(name, a, b) for name, (a, b) in sorted(result.by_town.items())]

    def table(items: list[tuple[str, Counter[str], Counter[str]]]) -> list[tuple[str, list[tuple[int, int]]]]:
        return [(label, [(a[g], b[g]) for g in grades]) for label, a, b in items]

    return render(
        request,
        "web/simulation.html",
        {
            "r": result,
            "grades": grades,
            "overall": table(rows),
            "towns": table(towns),
            "moves": result.moves.most_common(),
        },
    )
