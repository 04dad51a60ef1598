"""Credit pages: the credit panel of a file page, record an entry, object, apply for repair, the
review queue, imports, catalogues and the policy simulation.

Each view asks the actor's right (``rongxin.credit.permissions``, or the service or selector it
calls asks it), validates the form's shape, calls one service or selector and renders. Service
errors go back on the form (``errors_on``) or into a message (``flash_errors``); a missing or
forbidden object becomes the one "not found" page in the page error middleware.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rongxin.accounts.models import User
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.forms import errors_on, flash_errors, form_keep, form_kept
from rongxin.core.registry import code_label
from rongxin.credit.domain.import_template import template_csv, template_xlsx
from rongxin.credit.models import PROGRAMMES, Direction, Severity
from rongxin.credit.pages.forms import (
    CatalogueUploadForm,
    DecisionReasonForm,
    EntryForm,
    ImportForm,
    ObjectionForm,
    RepairForm,
)
from rongxin.credit.pages.score_chart import score_chart
from rongxin.credit.permissions import (
    access_import,
    import_departments,
    may_edit_catalogues,
    require_catalogue_reader,
    require_import_viewer,
    require_reviewer,
)
from rongxin.credit.selectors.catalogues import (
    RuleChange,
    catalogue_compared,
    catalogue_get,
    catalogues_in_force,
    catalogues_listed,
    department_names,
)
from rongxin.credit.selectors.explanation import credit_explanation
from rongxin.credit.selectors.imports import import_progress, import_size_limit, max_rows
from rongxin.credit.selectors.queues import imports_visible, recordable_rules, review_queue
from rongxin.credit.selectors.score_history import score_history
from rongxin.credit.selectors.simulation import simulation_get, simulation_latest
from rongxin.credit.services import due_process
from rongxin.credit.services.catalogue import (
    catalogue_document_from_upload,
    catalogue_draft_create,
    catalogue_publish,
)
from rongxin.credit.services.entries import entry_record as record_entry
from rongxin.credit.services.imports import import_create_from_upload
from rongxin.credit.services.simulations import simulation_request
from rongxin.subjects.models import Subject
from rongxin.subjects.permissions import SubjectAccess, access_subject_for_read
from rongxin.subjects.selectors import SubjectFile


def file_panel(request: SignedInRequest, file: SubjectFile, *, own: bool) -> dict[str, Any]:
    """The credit panel of a file page (registered in ``CreditConfig.file_panels``): the score
    explained and, for staff who may record for this subject, the recording form."""
    return {
        "credit": credit_explanation(access=file.access),
        "history": score_chart(score_history(access=file.access)),
        "own": own,
        "entry_form": None if own else _entry_form_shown(request, file.access),
        "reason_form": ObjectionForm() if own else None,
        "repair_form": RepairForm() if own else None,
        "kept_objection": _own_form_shown(request, ObjectionForm, "objection") if own else None,
        "kept_repair": _own_form_shown(request, RepairForm, "repair") if own else None,
    }


def _entry_form_shown(request: SignedInRequest, access: SubjectAccess) -> EntryForm | None:
    """The recording form: as the recorder last sent it, errors beside their fields, when
    recording failed; otherwise empty."""
    kept = form_kept(
        request, key=f"credit.entry:{access.subject.pk}", build=lambda data: entry_form_for(request.user, access, data)
    )
    return kept or entry_form_for(request.user, access)


def entry_form_for(actor: User, access: SubjectAccess, data: Any = None) -> EntryForm | None:
    """The recording form for the subject the actor reads through ``access``, with the rules the
    actor may record for it; None when they may record nothing (or it is their own record)."""
    if access.own:
        return None
    rules = recordable_rules(actor=actor, subject=access.subject)
    if not rules:
        return None
    form = EntryForm(data, initial={"source_key": f"web-{uuid.uuid4()}"})
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
def entry_record(request: SignedInRequest, subject_id: int) -> HttpResponse:
    access = access_subject_for_read(actor=request.user, subject_id=subject_id)
    form = entry_form_for(request.user, access, request.POST)
    if form is None:
        raise NotFound()
    back = reverse("subjects:subject_detail", args=[subject_id]) + "?purpose=record"
    if form.is_valid():
        with errors_on(form) as outcome:
            entry, created = record_entry(actor=request.user, subject_id=subject_id, **form.cleaned_data)
        if not outcome.failed:
            if created:
                messages.success(
                    request,
                    _("Recorded: %(rule)s, %(points)+d points.") % {"rule": entry.rule.name_zh, "points": entry.points},
                )
            else:
                messages.info(request, _("This record was already saved; nothing was added."))
            return redirect(back)
    form_keep(request, form, key=f"credit.entry:{subject_id}")
    messages.error(request, _("Not recorded: correct the fields marked in the form below."))
    return redirect(back + "#record")


def _own_action(
    request: SignedInRequest, form: ObjectionForm | RepairForm, run: Any, done: str, *, kind: str, entry_id: int
) -> HttpResponse:
    """An objection or a repair application from the subject's own file page. A form that fails
    comes back open under its record with each error beside its field."""
    if form.is_valid():
        with errors_on(form) as outcome:
            run(**form.cleaned_data)
        if not outcome.failed:
            messages.success(request, done)
            return redirect(reverse("subjects:my_file") + "#credit")
    form_keep(request, form, key=f"credit.{kind}", about=entry_id)
    messages.error(request, _("Not sent: correct the fields marked in the form below."))
    return redirect(reverse("subjects:my_file") + f"#{kind}-{entry_id}")


def _own_form_shown(request: SignedInRequest, form_class: type[ObjectionForm | RepairForm], kind: str) -> Any:
    """The objection or repair form kept after a failure (ids of its own, so its labels and
    error descriptions point at it alone), or None."""
    return form_kept(request, key=f"credit.{kind}", build=lambda data: form_class(data, auto_id=f"id_{kind}_kept_%s"))


@login_required
@require_POST
def entry_object(request: SignedInRequest, entry_id: int) -> HttpResponse:
    return _own_action(
        request,
        ObjectionForm(request.POST),
        lambda reason, evidence: due_process.entry_object(
            actor=request.user, entry_id=entry_id, reason=reason, evidence=evidence
        ),
        _("Your objection was received. The record does not count until it is decided."),
        kind="objection",
        entry_id=entry_id,
    )


@login_required
@require_POST
def repair_apply(request: SignedInRequest, entry_id: int) -> HttpResponse:
    return _own_action(
        request,
        RepairForm(request.POST),
        lambda commitment, evidence: due_process.repair_apply(
            actor=request.user, entry_id=entry_id, commitment=commitment, evidence=evidence
        ),
        _("Your repair application was received and will be reviewed."),
        kind="repair",
        entry_id=entry_id,
    )


# --- Review queue ------------------------------------------------------------------------------
def _decide(actor: User, *, action: str, entry_id: int, reason: str) -> None:
    if action in ("approve", "reject"):
        due_process.entry_review(actor=actor, entry_id=entry_id, approve=action == "approve", reason=reason)
    elif action in ("uphold", "revoke"):
        due_process.objection_decide(actor=actor, entry_id=entry_id, uphold=action == "uphold", reason=reason)
    elif action in ("repair_approve", "repair_refuse"):
        due_process.repair_decide(actor=actor, entry_id=entry_id, approve=action == "repair_approve", reason=reason)
    else:
        raise InvalidInput()


@login_required
@require_http_methods(["GET", "POST"])
def review(request: SignedInRequest) -> HttpResponse:
    if request.method == "POST":
        require_reviewer(request.user)
        try:
            entry_id = int(request.POST.get("entry_id", "0"))
        except ValueError:
            raise NotFound() from None
        form = DecisionReasonForm(request.POST)
        if form.is_valid():
            with errors_on(form) as outcome:
                _decide(
                    request.user,
                    action=request.POST.get("action", ""),
                    entry_id=entry_id,
                    reason=form.cleaned_data["reason"],
                )
            if not outcome.failed:
                messages.success(request, _("Decision recorded."))
                return redirect("credit:credit_review")
        # The reason typed and what is wrong with it, beside the field of that record.
        form_keep(request, form, key="credit.review", about=entry_id)
        messages.error(request, _("Not decided: correct the fields marked in the form below."))
        return redirect(reverse("credit:credit_review") + f"#review-{entry_id}")
    kept = form_kept(
        request, key="credit.review", build=lambda data: DecisionReasonForm(data, auto_id="review-kept-%s")
    )
    return render(
        request, "credit/credit_review.html", {"queue": review_queue(actor=request.user), "kept_review": kept}
    )


# --- Catalogues ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def catalogues(request: SignedInRequest) -> HttpResponse:
    require_catalogue_reader(request.user)
    can_edit = may_edit_catalogues(request.user)
    form = CatalogueUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and can_edit and form.is_valid():
        upload = form.cleaned_data["file"]
        with errors_on(form) as outcome:
            document = catalogue_document_from_upload(name=upload.name, data=upload.read())
            created = catalogue_draft_create(actor=request.user, document=document)
        if outcome.error is None:
            messages.success(request, _("Draft version %(v)d created.") % {"v": created.version})
            return redirect("credit:catalogue", created.pk)
        for e in outcome.error.errors:  # every problem of the document, each on its own line
            form.add_error(None, _("%(field)s: %(message)s") % {"field": _where(e["field"]), "message": e["message"]})
    context = {"catalogues": catalogues_listed(), "form": form, "can_edit": can_edit, "in_force": catalogues_in_force()}
    return render(request, "credit/catalogues.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: SignedInRequest, catalogue_id: int) -> HttpResponse:
    require_catalogue_reader(request.user)
    if request.method == "POST":
        c = catalogue_get(catalogue_id)
        with flash_errors(request) as outcome:
            catalogue_publish(actor=request.user, catalogue_id=c.pk)
        if not outcome.failed:
            messages.success(
                request, _("Published. It takes effect on %(date)s.") % {"date": c.effective_from.isoformat()}
            )
        return redirect("credit:catalogue", c.pk)
    compare_id = request.GET.get("compare", "")
    shown = catalogue_compared(catalogue_id=catalogue_id, compare_id=int(compare_id) if compare_id.isdigit() else None)
    c = shown.catalogue
    return render(
        request,
        "credit/catalogue.html",
        {
            "c": c,
            "rules": shown.rules,
            "others": shown.others,
            "compare": shown.compare,
            "diff": shown.diff,
            "changes": _rule_changes_shown(shown.diff["rules"]) if shown.diff else [],
        },
    )


WHERE = re.compile(r"^(rules|grades)\[(\d+)\]\s*(.*)$")


def _where(where: str) -> str:
    """Where in an uploaded catalogue a problem is, in words: ``rules[3] P-CIV-01`` is the 4th
    rule, ``grades[0]`` the 1st grade band, a header key by its label."""
    found = WHERE.match(where)
    if found is None:
        return code_label("credit.catalogue_field", where)
    part, index, code = found.groups()
    n = int(index) + 1
    if part == "grades":
        return _("grade band %(n)d") % {"n": n}
    return (_("rule %(n)d (%(code)s)") % {"n": n, "code": code}) if code else _("rule %(n)d") % {"n": n}


def _rule_changes_shown(changes: list[RuleChange]) -> list[dict[str, Any]]:
    """The diff's rule changes in words: each field by its label, each value as a person reads it
    (a direction, severity or programme by its name, a yes/no, departments by name)."""
    departments = department_names()
    choices = {
        "direction": dict(Direction.choices),
        "severity": dict(Severity.choices),
        "programme": dict(PROGRAMMES),
    }

    def value(field: str, v: Any) -> str:
        if v is None or v == "":
            return "—"
        if isinstance(v, bool):
            return _("yes") if v else _("no")
        if field in choices:
            return str(choices[field].get(v, v))
        if field == "departments":
            return "、".join(departments.get(code, code) for code in str(v).split(","))
        return str(v)

    return [
        {
            "code": ch.code,
            "change": ch.change,
            "fields": [
                (code_label("credit.rule_field", f), value(f, old), value(f, new))
                for f, (old, new) in ch.fields.items()
            ],
        }
        for ch in changes
    ]


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_simulate(request: SignedInRequest, catalogue_id: int) -> HttpResponse:
    """GET: the latest simulation of the catalogue and a button to run one; POST: queue one (or
    find the one already queued or running) and follow it."""
    latest = simulation_latest(actor=request.user, catalogue_id=catalogue_id)
    if request.method == "POST":
        simulation, created = simulation_request(actor=request.user, catalogue_id=catalogue_id)
        if not created:
            messages.info(request, _("This draft is already being simulated; here is that run."))
        return redirect("credit:simulation", simulation.pk)
    c = catalogue_get(catalogue_id)
    return render(request, "credit/simulation_start.html", {"c": c, "latest": latest})


def _simulation_tables(summary: dict[str, Any]) -> dict[str, Any]:
    """The figures of a stored simulation result as the page's tables."""
    grades: list[str] = summary["grades"]
    kind_labels = dict(Subject.Kind.choices)

    def cells(before: dict[str, int], after: dict[str, int]) -> list[tuple[int, int]]:
        return [(before.get(g, 0), after.get(g, 0)) for g in grades]

    overall = [(str(_("All")), cells(summary["before"], summary["after"]))]
    overall += [
        (str(kind_labels.get(k, k)), cells(v["before"], v["after"])) for k, v in sorted(summary["by_kind"].items())
    ]
    towns = [(name, cells(v["before"], v["after"])) for name, v in sorted(summary["by_town"].items())]
    moves = [((m["from"], m["to"]), m["subjects"]) for m in summary["moves"]]
    return {"grades": grades, "overall": overall, "towns": towns, "moves": moves}


@login_required
def simulation(request: SignedInRequest, simulation_id: int) -> HttpResponse:
    """A simulation: its progress while it runs (the htmx part refreshes itself, and the whole
    page once it is over), then its result."""
    shown = simulation_get(actor=request.user, simulation_id=simulation_id)
    if getattr(request, "htmx", False):
        if shown.finished:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "credit/_simulation_status.html", {"s": shown})
    context: dict[str, Any] = {"s": shown, "c": shown.simulation.catalogue}
    result = shown.simulation.result
    if result is not None and not shown.failed:
        context |= {"r": result} | _simulation_tables(result)
    return render(request, "credit/simulation.html", context)


# --- Imports ---------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def imports(request: SignedInRequest) -> HttpResponse:
    require_import_viewer(request.user)
    departments = import_departments(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    form.fields["department"].choices = [(d.code, d.name) for d in departments]  # type: ignore[attr-defined]
    if request.method == "POST" and departments and form.is_valid():
        with errors_on(form) as outcome:
            batch = import_create_from_upload(
                actor=request.user,
                department_code=form.cleaned_data["department"],
                upload=form.cleaned_data["file"],
                partial=form.cleaned_data["partial"],
            )
        if not outcome.failed:
            messages.success(request, _("The file was received and is being checked."))
            return redirect("credit:import_detail", batch.pk)
    limits = {"size": import_size_limit(), "rows": max_rows()}
    batches = imports_visible(actor=request.user)[:50]
    context = {"form": form if departments else None, "batches": batches, "limits": limits}
    return render(request, "credit/imports.html", context)


@login_required
def import_detail(request: SignedInRequest, batch_id: int) -> HttpResponse:
    batch = access_import(request.user, batch_id=batch_id)
    batch.rows_done, batch.rows_total = import_progress(batch)
    template = "credit/_import_status.html" if getattr(request, "htmx", False) else "credit/import_detail.html"
    return render(request, template, {"b": batch})


@login_required
def import_template(request: SignedInRequest, fmt: str) -> HttpResponse:
    """The import's template (``csv`` or ``xlsx``): the exact header row, and in the workbook a
    second sheet explaining each column, for whoever may see the imports page."""
    require_import_viewer(request.user)
    if fmt == "xlsx":
        content, mime = template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, mime = template_csv(), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=mime)
    name = _("credit-import-template") + "." + fmt
    response["Content-Disposition"] = (
        f"attachment; filename=\"credit-import-template.{fmt}\"; filename*=UTF-8''{quote(name)}"
    )
    return response
