"""Pledges (认领): an organisation or a person claims a published project for an amount, the whole
budget (title sponsorship, 冠名) or a share, and may withdraw it while nothing has been paid.

Who may pledge: whoever speaks for the sponsor (a resident for themselves, an enterprise
representative for their enterprise; :func:`~rongxin.projects.permissions.common.speaks_for`), or
the county centre recording a pledge made on paper or at the ceremony for a credit file it may
find by search. What is still needed (budget − pledged) is read under the project marketplace
fund's row lock and then the project's, so two pledges at once never promise more than the
budget: the second waits for the first and is measured against what is left after it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.funds.domain.money import yuan
from rongxin.funds.services.books import fund_locked
from rongxin.funds.services.movements import amount_parse
from rongxin.projects.domain import states
from rongxin.projects.models import Ceremony, Pledge, Project
from rongxin.projects.permissions.common import (
    access_project,
    is_centre,
    publisher_role,
    signed_in,
    sponsor_subjects,
)
from rongxin.projects.services.common import project_locked, projects_fund, require_allowed, transition
from rongxin.subjects.models import Subject
from rongxin.subjects.permissions import readable_subjects_q

DUPLICATE_WINDOW = dt.timedelta(minutes=2)
MAX_TITLE_NAME = 160
MAX_REASON = 200


@dataclass(frozen=True)
class PledgeResult:
    pledge: Pledge
    created: bool  # False: the same pledge submitted again within two minutes, nothing added


def _subject_id(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit() and len(raw.strip()) < 12:
        return int(raw.strip())
    return None


def speaker_role(subject: Subject) -> str:
    """The role under which one speaks for ``subject``: a resident for their own file, an
    enterprise representative for an organisation."""
    return str(Role.RESIDENT if subject.kind == Subject.Kind.PERSON else Role.ENTERPRISE_REP)


def pledging_as(actor: User | None, raw_subject_id: Any) -> tuple[Subject, str]:
    """The sponsor the actor pledges for and the role they act in: a subject they speak for
    (as a resident or enterprise representative), or, for the county centre, any credit file it
    may find by search (as department recorder).
    NotFound for anyone else; a field error when the centre names no file it may find."""
    if not signed_in(actor):
        raise NotFound()
    own = sponsor_subjects(actor)
    centre = is_centre(actor)
    if not own and not centre:
        raise NotFound()
    subject_id = _subject_id(raw_subject_id)
    for subject in own:
        if subject.pk == subject_id:
            return subject, speaker_role(subject)
    if centre:
        chosen = (
            Subject.objects.filter(readable_subjects_q(actor), pk=subject_id).first()
            if subject_id is not None
            else None
        )
        if chosen is None:
            raise field_error(
                "sponsor_subject_id", _("Choose the sponsor's credit file from the search."), code="sponsor_unknown"
            )
        return chosen, str(Role.DEPARTMENT_RECORDER)
    raise NotFound()


def _code() -> str:
    while True:
        code = secrets.token_urlsafe(12)
        if not Pledge.objects.filter(certificate_code=code).exists():
            return code


def _live_ceremony(project: Project, now: dt.datetime) -> Ceremony | None:
    if project.ceremony_id is None:
        return None
    ceremony = Ceremony.objects.filter(pk=project.ceremony_id).first()
    if ceremony is not None and ceremony.starts_at <= now < ceremony.ends_at:
        return ceremony
    return None


def pledge_create(
    *, actor: User, project_id: int, sponsor_subject_id: Any, amount: Any, title: bool, anonymous: bool
) -> PledgeResult:
    """Pledge ``amount`` yuan to a published project for the sponsor ``sponsor_subject_id`` (see
    :func:`pledging_as` for who may). ``title``: a title sponsorship, for the whole budget while
    no other pledge stands, not anonymous; the project then carries 「<sponsor>·<title>」.
    ``anonymous``: the public sees 「爱心人士（匿名）」. A pledge made while the project's ceremony is
    on belongs to the ceremony. The same pledge again by the same actor within two minutes
    returns the first (``created=False``).

    Writes the pledge, the project's ``pledged`` (and state: claimed once the budget is fully
    pledged, its title when a title sponsorship) and the audit row ``pledge.create``, in one
    transaction under the fund's and the project's row locks. Raises NotFound (a project the actor
    may not see, a sponsor they do not speak for), Conflict (not open for pledges, title rules),
    InvalidInput (the amount: not positive, 3 decimals, more than the project still needs)."""
    sponsor, role = pledging_as(actor, sponsor_subject_id)
    project = access_project(actor, project_id)
    value = amount_parse(amount)
    title, anonymous = bool(title), bool(anonymous)
    if title and anonymous:
        raise field_error(
            "anonymous", _("A title sponsor's name is carried by the project; it cannot stay anonymous."),
            code="title_anonymous",
        )  # fmt: skip
    fund = projects_fund()
    with transaction.atomic():
        fund_locked(fund.pk)
        project = project_locked(project.pk)
        now = clock.now()
        same = (
            Pledge.objects.filter(
                project=project,
                sponsor=sponsor,
                amount=value,
                title=title,
                anonymous=anonymous,
                pledged_by=actor,
                pledged_at__gte=now - DUPLICATE_WINDOW,
            )
            .exclude(state=Pledge.State.WITHDRAWN)
            .order_by("id")
            .first()
        )
        if same is not None:
            return PledgeResult(pledge=same, created=False)
        require_allowed(project, "pledge")
        need = project.budget - project.pledged
        if value > need:
            raise field_error(
                "amount",
                _("The project still needs %(need)s; the pledge cannot be more than that.") % {"need": yuan(need)},
                code="over_need",
            )
        if title:
            if project.pledged != 0 or project.title_sponsor_id is not None:
                raise Conflict(
                    _("Title sponsorship is for the whole budget; the project already has other pledges."),
                    code="title_taken",
                )
            if value != project.budget:
                raise field_error(
                    "amount",
                    _("A title sponsorship pledges the whole budget, %(budget)s.") % {"budget": yuan(project.budget)},
                    code="title_whole_budget",
                )
        project.pledged = project.pledged + value
        new_state = transition(project, "pledged")
        pledge = Pledge.objects.create(
            project=project,
            sponsor=sponsor,
            sponsor_name=sponsor.name[:100],
            anonymous=anonymous,
            title=title,
            amount=value,
            ceremony=_live_ceremony(project, now),
            certificate_code=_code(),
            pledged_at=now,
            pledged_by=actor,
        )
        fields = ["pledged", "state"]
        if new_state != project.state and new_state == states.CLAIMED:
            project.claimed_at = now
            fields.append("claimed_at")
        project.state = new_state
        if title:
            project.title_sponsor = sponsor
            project.title_name = f"{sponsor.name}·{project.title}"[:MAX_TITLE_NAME]
            fields += ["title_sponsor", "title_name"]
        project.save(update_fields=fields)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="pledge.create",
            role=role,
            object_type="pledge",
            object_id=pledge.pk,
            subject_id=sponsor.pk,
            details={
                "project": project.pk,
                "amount": str(value),
                "title": title,
                "anonymous": anonymous,
                "state": new_state,
                "ceremony": pledge.ceremony_id,
            },
        )
    return PledgeResult(pledge=pledge, created=True)


def withdrawing_as(actor: User | None, pledge: Pledge) -> str:
    """The role under which the actor may withdraw ``pledge`` (its sponsor's speaker, a publisher
    of the project, the county centre), or ""."""
    if not signed_in(actor):
        return ""
    for subject in sponsor_subjects(actor):
        if subject.pk == pledge.sponsor_id:
            return speaker_role(subject)
    return publisher_role(actor, pledge.project)


def pledge_withdraw(*, actor: User, pledge_id: int, reason: Any) -> Pledge:
    """Withdraw a pledge on which nothing has been paid (its sponsor's speaker or a publisher of
    the project). The project's ``pledged`` goes down (a claimed project not yet started is open
    for pledges again) and a title sponsor's name leaves the project.

    Writes the pledge, the project and the audit row ``pledge.withdraw`` in one transaction.
    Raises NotFound (not the actor's to withdraw), InvalidInput (the reason), Conflict (already
    withdrawn, money paid on it)."""
    pledge = Pledge.objects.select_related("project").filter(pk=pledge_id).first()
    if pledge is None:
        raise NotFound()
    role = withdrawing_as(actor, pledge)
    if not role:
        raise NotFound()
    why = clean_text(reason, field="reason", required=True, max_length=MAX_REASON, multiline=False)
    fund = projects_fund()
    with transaction.atomic():
        fund_locked(fund.pk)
        project = project_locked(pledge.project_id)
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if pledge.state == Pledge.State.WITHDRAWN:
            raise Conflict(_("This pledge has already been withdrawn."), code="already_withdrawn")
        if pledge.paid > 0:
            raise Conflict(_("Money has been paid on this pledge; it can no longer be withdrawn."), code="pledge_paid")
        now = clock.now()
        project.pledged = project.pledged - pledge.amount
        new_state = transition(project, "unpledged")
        fields = ["pledged", "state"]
        if project.state == states.CLAIMED and new_state == states.PUBLISHED:
            project.claimed_at = None
            fields.append("claimed_at")
        project.state = new_state
        if pledge.title:
            project.title_sponsor = None
            project.title_name = ""
            fields += ["title_sponsor", "title_name"]
        project.save(update_fields=fields)
        pledge.state = Pledge.State.WITHDRAWN
        pledge.withdrawn_at = now
        pledge.withdraw_reason = why
        pledge.save(update_fields=["state", "withdrawn_at", "withdraw_reason"])
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="pledge.withdraw",
            role=role,
            object_type="pledge",
            object_id=pledge.pk,
            subject_id=pledge.sponsor_id,
            details={"project": project.pk, "amount": str(pledge.amount), "state": new_state},
        )
    return pledge
