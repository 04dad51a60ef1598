"""Reads of service certificates: the volunteer's own, the PDF (audited when staff read it),
the public verification, and the digest they all check (see
:mod:`rongxin.volunteering.services.certificates` for the design)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from rongxin.accounts.models import User
from rongxin.core.audit import audit_record
from rongxin.core.models import AuditEvent
from rongxin.volunteering.domain import certificates as rules
from rongxin.volunteering.domain.certificate_pdf import render_certificate
from rongxin.volunteering.domain.days import local_date
from rongxin.volunteering.domain.hours import hours_text
from rongxin.volunteering.models import Certificate, ServiceRecord, Team
from rongxin.volunteering.permissions import (
    access_certificate_for_pdf,
    access_own_certificate,
    own_person,
    own_volunteer,
)


def _with_facts() -> Any:
    return Certificate.objects.select_related("volunteer__subject__village", "team")


def certificate_facts(cert: Certificate) -> rules.CertificateFacts:
    """What ``cert`` states (its volunteer and the volunteer's person loaded)."""
    return rules.CertificateFacts(
        number=cert.number,
        volunteer_number=cert.volunteer.number,
        name=cert.volunteer.subject.name,
        issuer=cert.issuer,
        team_id=cert.team_id,
        period_from=cert.period_from,
        period_to=cert.period_to,
        minutes=cert.minutes,
        records=cert.records,
        content=cert.content,
        issued_at=cert.issued_at,
    )


def certificate_digest(cert: Certificate) -> str:
    """The HMAC-SHA256 (hex) over the certificate's facts, under the platform's certificate key
    (derived from ``settings.RONGXIN_PII_KEY``)."""
    return rules.certificate_digest(certificate_facts(cert), master_key=bytes(settings.RONGXIN_PII_KEY))


def verify_path(cert: Certificate) -> str:
    """The public verification page of ``cert`` with its digest (what the QR code encodes)."""
    return rules.verify_path(number=cert.number, digest=cert.digest)


def certificate_issued(cert: Certificate) -> Certificate | None:
    """The certificate already issued with ``cert``'s key (volunteer, issuer, period, totals),
    as the constraints ``certificate_once_per_team`` and ``certificate_once_per_committee``
    define it."""
    same = _with_facts().filter(
        volunteer=cert.volunteer,
        period_from=cert.period_from,
        period_to=cert.period_to,
        minutes=cert.minutes,
        records=cert.records,
        repeat_of__isnull=True,
    )
    same = same.filter(team=cert.team) if cert.team is not None else same.filter(team__isnull=True, issuer=cert.issuer)
    return same.first()


def certificate_list(*, actor: User) -> list[Certificate]:
    """The actor's own certificates, newest first. NotFound for an account without a person."""
    person = own_person(actor)
    return list(_with_facts().filter(volunteer_id=person.pk).order_by("-issued_at", "-id"))


def certificate_get(*, actor: User, number: str) -> Certificate:
    """One of the actor's own certificates. NotFound otherwise."""
    return access_own_certificate(actor, number=number)


def certificate_for_pdf(*, actor: User | AnonymousUser, number: str) -> Certificate:
    """A certificate for its PDF: the volunteer's own (or their representative's), or staff
    with a file-reading grant over the volunteer's village, whose read is audited
    (``certificate.read``) and shown to the person. NotFound otherwise."""
    cert, access = access_certificate_for_pdf(actor, number=number)
    if not access.own:
        audit_record(
            actor=actor,
            role=access.role,
            kind=AuditEvent.Kind.READ,
            action="certificate.read",
            object_type="certificate",
            object_id=cert.number,
            subject_id=cert.volunteer_id,
            purpose="service",
            details={"purpose_code": "service"},
        )
    return cert


def certificate_pdf(*, actor: User | AnonymousUser, number: str, base_url: str | None = None) -> bytes:
    """The PDF of a certificate for the volunteer themself, or for staff reading files in the
    volunteer's village (the read is audited; see :func:`certificate_for_pdf`). ``base_url``
    (e.g. ``request.build_absolute_uri("/")``) prefixes the QR code's URL; without it,
    ``settings.RONGXIN_BASE_URL``. Raises NotFound."""
    cert = certificate_for_pdf(actor=actor, number=number)
    base = base_url or str(getattr(settings, "RONGXIN_BASE_URL", "") or "")
    if not base:
        raise ImproperlyConfigured("certificate_pdf needs base_url or settings.RONGXIN_BASE_URL")
    url = rules.verify_url(number=cert.number, digest=cert.digest, base_url=base)
    return render_certificate(certificate_facts(cert), url=url)


def certificate_teams(*, actor: User) -> list[Team]:
    """Teams that organised the actor's current service records (to choose an issuer)."""
    volunteer = own_volunteer(actor)
    ids = ServiceRecord.objects.filter(volunteer=volunteer, current=True).values("team_id")
    return list(Team.objects.filter(pk__in=ids).order_by("name"))


@dataclass(frozen=True)
class CertificateCheck:
    """What the public verification shows: the facts only when the certificate is genuine."""

    status: str  # "ok", "altered" or "unknown"
    number: str
    volunteer_number: str = ""
    name: str = ""  # masked
    issuer: str = ""
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    minutes: int = 0
    records: int = 0
    content: str = ""
    issued_on: dt.date | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)


def certificate_verify(*, number: str, digest: str) -> CertificateCheck:
    """Check a certificate by its number and the digest from its QR code. Public.

    ``unknown``: no certificate has the number. ``altered``: the digest differs from the stored
    one, or the stored row no longer matches its own digest. ``ok``: genuine, with its facts.
    """
    number = rules.normalise_number(number)
    cert = _with_facts().filter(number=number).first() if rules.NUMBER_PATTERN.match(number) else None
    if cert is None:
        return CertificateCheck(status="unknown", number=number[:24])
    if not rules.digest_matches(digest, cert.digest, certificate_digest(cert)):
        return CertificateCheck(status="altered", number=number)
    return CertificateCheck(
        status="ok",
        number=number,
        volunteer_number=cert.volunteer.number,
        name=rules.mask_name(cert.volunteer.subject.name),
        issuer=cert.issuer,
        period_from=cert.period_from,
        period_to=cert.period_to,
        minutes=cert.minutes,
        records=cert.records,
        content=cert.content,
        issued_on=local_date(cert.issued_at),
    )
