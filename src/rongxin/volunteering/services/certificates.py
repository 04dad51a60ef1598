"""Service certificates (志愿服务证明): issuing. The design of issuing, reading and public
verification is here; reads are in :mod:`rongxin.volunteering.selectors.certificates`, the pure
rules (numbers, digest, texts) in :mod:`rongxin.volunteering.domain.certificates` and the PDF in
:mod:`rongxin.volunteering.domain.certificate_pdf`.

Design
------
- :func:`certificate_issue`: the volunteer themself (their own active volunteer record) asks
  for a certificate over their *current* service records (``ServiceRecord.current``: the
  latest revision after corrections) whose service date lies in ``[period_from, period_to]``,
  optionally only the records organised by one team. The issuer is then that team's name;
  otherwise the committee of the volunteer's home village (``东山社区`` → ``东山社区居民委员会``,
  ``烟墩角村`` → ``烟墩角村村民委员会``). Refused (422, per field): ``from`` after ``to``, a period
  ending after today (Beijing time), a period of 5 years or more, and a period without records.
  The minutes and record count are summed in the database; the content summarises the activity
  types with their counts and hours and some titles, at most 300 characters.
- Idempotent: one certificate per volunteer, issuer (the team, or the committee when no team),
  period and totals (minutes, record count), enforced by two partial unique constraints. A
  re-submitted form (the browser's back button) or a retried API call returns the certificate
  already issued; the page redirects to it and the API answers 200 instead of 201. When the
  period's records changed since (a correction, a later close), the totals differ and a new
  certificate is issued. Copies issued before this rule are kept valid and point to the
  original (``repeat_of``, set by migration 0003).
- Number: ``RXC`` + the issue date (``yyyymmdd``, Beijing time) + 8 random Crockford base32
  characters (no I, L, O, U, so it reads out and types without confusion): 19 characters,
  unique (the column's unique index; a collision draws again).
- Digest: HMAC-SHA256, hex, under a key derived with HKDF from the platform's master key
  (``settings.RONGXIN_PII_KEY``, loaded by :mod:`rongxin.core.secrets` from the environment or
  the git-ignored development key file) with the purpose-specific info
  ``rongxin/volunteering/certificate/v1``, so the key is useless for anything else and the
  PII keys are not exposed by it. The message is a canonical JSON (sorted keys, no spaces,
  UTF-8) of: the format version, number, public volunteer number, the volunteer's full name
  (the certificate is the volunteer's own and names them), issuer, team id, period, minutes,
  record count, content and the issue time (UTC, whole seconds). A change of the person's
  registered name therefore makes earlier certificates fail verification: issue a new one.
- ``certificate_verify`` (public, no sign-in): ``unknown`` when no certificate has the
  number; ``altered`` when the digest from the QR code differs from the stored one, or the
  digest recomputed over the stored row differs from the stored digest (the row or the
  person's name was changed behind the services' back); ``ok`` otherwise, with the facts a
  verifier compares with the paper: volunteer number, name with the given name masked
  (``张*``), issuer, period, hours, records, content, issue date. Never the ID number. The page
  and the API share one rate limit per client address (``permissions.VERIFY_RATE_GROUP``,
  ``settings.RONGXIN_VERIFY_RATE``, default 30 a minute).
- The QR code on the PDF encodes the absolute URL ``<base>/v/cert/<number>/?d=<digest>``
  (``verify_path``); the base URL comes from the request that renders the PDF
  (``request.build_absolute_uri``, checked against ``ALLOWED_HOSTS``) or from
  ``settings.RONGXIN_BASE_URL`` when rendered elsewhere.
- Reading: the volunteer sees their own certificates (``certificate_list``,
  ``certificate_get``). The PDF (``certificate_for_pdf``) is for the volunteer or
  whoever speaks for them, and for staff with a file-reading grant over the volunteer's
  village; a staff read is audited (``certificate.read``, purpose "handling the person's own
  request") and the person sees it under "who viewed my file". Missing and forbidden look the
  same (:class:`NotFound`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import field_error
from rongxin.core.models import AuditEvent
from rongxin.volunteering.domain.certificates import (
    MAX_PERIOD_YEARS,
    ServiceRow,
    content_summary,
    new_number,
    village_committee,
)
from rongxin.volunteering.domain.days import add_years
from rongxin.volunteering.models import Certificate, ServiceRecord, Team
from rongxin.volunteering.permissions import own_volunteer
from rongxin.volunteering.selectors.certificates import certificate_digest, certificate_issued


def _check_period(period_from: dt.date, period_to: dt.date) -> None:
    if period_from > period_to:
        raise field_error("period_to", _("The end of the period is before its start."), code="period_reversed")
    if period_to > clock.today_local():
        raise field_error("period_to", _("The period cannot end after today."), code="period_in_future")
    if period_to >= add_years(period_from, MAX_PERIOD_YEARS):
        raise field_error(
            "period_from",
            _("A certificate covers less than %(n)d years.") % {"n": MAX_PERIOD_YEARS},
            code="period_too_long",
        )


def _summary(records: Any) -> str:
    """The certificate's content: the records' activity types with counts and hours, and some
    titles (:func:`~rongxin.volunteering.domain.certificates.content_summary`)."""
    rows = records.values("activity__type__name_zh", "activity__title").annotate(n=Count("id"), m=Sum("minutes"))
    return content_summary(
        ServiceRow(
            type_name=row["activity__type__name_zh"],
            title=row["activity__title"],
            records=row["n"],
            minutes=row["m"] or 0,
        )
        for row in rows.order_by("activity__type__name_zh", "-m", "activity__title")
    )


def certificate_issue(
    *, actor: User, period_from: dt.date, period_to: dt.date, team_id: int | None = None
) -> tuple[Certificate, bool]:
    """Issue a certificate to the actor (a volunteer) over their current service records in
    the period, optionally only one team's. Returns ``(certificate, created)``.

    Idempotent: asking again for the same period and issuer while the records give the same
    totals returns the certificate already issued (``created`` false, nothing written), also
    when two requests race (the unique constraints decide). Otherwise writes the certificate
    and an audit event (``certificate.issue``). Raises NotFound (no own active volunteer
    record), InvalidInput (``period_reversed``, ``period_in_future``, ``period_too_long``,
    ``no_records``).
    """
    volunteer = own_volunteer(actor)
    _check_period(period_from, period_to)
    records = ServiceRecord.objects.filter(
        volunteer=volunteer, current=True, service_date__gte=period_from, service_date__lte=period_to
    )
    team: Team | None = None
    if team_id is not None:
        team = Team.objects.filter(pk=team_id).first()
        records = records.filter(team_id=team.pk) if team else records.none()
    totals = records.aggregate(n=Count("id"), m=Sum("minutes"))
    if not totals["n"]:
        if team_id is not None:
            raise field_error(
                "team_id", _("You have no verified service with this team in the period."), code="no_records"
            )
        raise field_error("period_from", _("You have no verified service in the period."), code="no_records")
    issuer = (team.name if team else village_committee(volunteer.subject.village.name))[:100]
    now = clock.now().replace(microsecond=0)
    cert = Certificate(
        volunteer=volunteer,
        issuer=issuer,
        team=team,
        period_from=period_from,
        period_to=period_to,
        minutes=totals["m"] or 0,
        records=totals["n"],
        content=_summary(records),
        issued_at=now,
    )
    existing = certificate_issued(cert)
    if existing is not None:
        return existing, False
    with transaction.atomic():
        for _attempt in range(5):
            cert.number = new_number(now.astimezone(clock.LOCAL_TZ).date())
            cert.digest = certificate_digest(cert)
            try:
                with transaction.atomic():
                    cert.save(force_insert=True)
            except IntegrityError:
                # A concurrent request for the same certificate committed first (the unique
                # index waited for it): answer with that one.
                existing = certificate_issued(cert)
                if existing is not None:
                    return existing, False
                if Certificate.objects.filter(number=cert.number).exists():
                    cert.pk = None
                    continue
                raise
            break
        else:  # pragma: no cover - 5 collisions in 32**8 numbers a day
            raise RuntimeError("could not draw a free certificate number")
        audit_record(
            actor=actor,
            role=Role.RESIDENT,
            kind=AuditEvent.Kind.WRITE,
            action="certificate.issue",
            object_type="certificate",
            object_id=cert.number,
            subject_id=volunteer.pk,
            details={
                "from": period_from.isoformat(),
                "to": period_to.isoformat(),
                "team_id": team.pk if team else None,
                "minutes": cert.minutes,
                "records": cert.records,
            },
        )
    return cert, True
