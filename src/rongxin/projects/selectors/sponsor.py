"""Reads of the sponsor side: a sponsor's own pledges, the fund keeper's desk of pledges still to
be paid, and the certificates (the public verification and the PDF).

A certificate exists once something has been paid on its pledge. The public verification shows
what the certificate says (the sponsor as the public sees them: 「爱心人士（匿名）」 for a sponsor
who asked), never an ID number or a score; the PDF is for the sponsor's speakers, the project's
publishers and the county centre (a read by anyone but the sponsor's own speaker is audited).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, QuerySet

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.domain.donation_points import public_donor
from rongxin.projects.domain import states
from rongxin.projects.domain.certificate_pdf import SponsorCertificate, render_sponsor_certificate, shown_sponsor
from rongxin.projects.models import Pledge
from rongxin.projects.permissions.common import keeps_project_fund, publisher_role, signed_in, sponsor_subjects

CODE = re.compile(r"[A-Za-z0-9_-]{8,32}")
DESK_LIMIT = 200


def certificate_path(code: str) -> str:
    return f"/projects/certificates/{code}/"


def pledges_mine(*, actor: User | AnonymousUser) -> list[Pledge]:
    """The pledges of every subject the actor speaks for, newest first (withdrawn ones too)."""
    ids = [s.pk for s in sponsor_subjects(actor)]
    if not ids:
        return []
    return list(
        Pledge.objects.filter(sponsor_id__in=ids).select_related("project", "sponsor").order_by("-pledged_at", "-id")
    )


def open_pledges(*, actor: User | AnonymousUser, number: str = "", audit: bool = True) -> QuerySet[Pledge]:
    """The keeper's desk: pledges with money still to come on projects that take payments, oldest
    first, optionally of one project (its number, e.g. ``XM2026-0001``). NotFound for anyone but
    the keeper of the project marketplace fund. The desk names the sponsors, persons too: the read
    is audited (``project.read``, purpose ``payment_desk``) unless ``audit`` is False (a lookup
    of one row for a form, not a list shown)."""
    if not keeps_project_fund(actor):
        raise NotFound()
    if audit:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.READ,
            action="project.read",
            role="department_recorder",
            object_type="pledge",
            purpose="payment_desk",
            details={"number": number.strip()[:16]},
        )
    qs = (
        Pledge.objects.filter(state=Pledge.State.OPEN, project__state__in=states.PAYABLE, paid__lt=F("amount"))
        .select_related("project", "sponsor")
        .order_by("pledged_at", "id")
    )
    wanted = number.strip().upper()
    if wanted:
        qs = qs.filter(project__number=wanted)
    return qs


@dataclass(frozen=True)
class CertificateView:
    """What the public verification page shows."""

    code: str
    sponsor: str  # as the public sees them
    anonymous: bool
    title_sponsor: bool
    project_id: int
    project_number: str
    project_title: str
    pledged: Decimal
    paid: Decimal
    pledged_at: dt.datetime
    withdrawn: bool


def _issued(code: str) -> Pledge:
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise NotFound()
    pledge = Pledge.objects.select_related("project").filter(certificate_code=code, paid__gt=0).first()
    if pledge is None:
        raise NotFound()
    return pledge


def certificate_verify(*, code: str) -> CertificateView:
    """The public facts of the certificate ``code``; NotFound when there is none (or nothing has
    been paid on its pledge yet)."""
    p = _issued(code)
    return CertificateView(
        code=p.certificate_code,
        sponsor=public_donor(p.sponsor_name, anonymous=p.anonymous),
        anonymous=p.anonymous,
        title_sponsor=p.title,
        project_id=p.project_id,
        project_number=p.project.number,
        project_title=p.project.title,
        pledged=p.amount,
        paid=p.paid,
        pledged_at=p.pledged_at,
        withdrawn=p.state == Pledge.State.WITHDRAWN,
    )


def certificate_pdf(*, actor: User | AnonymousUser, code: str, base_url: str) -> bytes:
    """The certificate's PDF for the sponsor's speakers, the project's publishers and the county
    centre (whose read is audited, ``project.read``); NotFound for anyone else or no certificate.
    ``base_url`` is the site's absolute root (``https://host/``) for the QR code."""
    if not signed_in(actor):
        raise NotFound()
    p = _issued(code)
    own = p.sponsor_id in {s.pk for s in sponsor_subjects(actor)}
    role = "" if own else publisher_role(actor, p.project)
    if not own and not role:
        raise NotFound()
    if not own:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.READ,
            action="project.read",
            role=role,
            object_type="pledge",
            object_id=p.pk,
            subject_id=p.sponsor_id,
            purpose="sponsor_certificate",
            details={"project": p.project_id},
        )
    cert = SponsorCertificate(
        code=p.certificate_code,
        sponsor=shown_sponsor(p.sponsor_name, anonymous=p.anonymous),
        title_sponsor=p.title,
        project_number=p.project.number,
        project_title=p.project.title,
        pledged=p.amount,
        paid=p.paid,
        pledged_on=p.pledged_at.astimezone(clock.LOCAL_TZ).date(),
        issued_on=clock.today_local(),
    )
    url = base_url.rstrip("/") + certificate_path(p.certificate_code)
    return render_sponsor_certificate(cert, url=url)
