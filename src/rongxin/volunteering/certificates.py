"""Service certificates (志愿服务证明): issuing, reading and public verification.

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
- :func:`certificate_verify` (public, no sign-in): ``unknown`` when no certificate has the
  number; ``altered`` when the digest from the QR code differs from the stored one, or the
  digest recomputed over the stored row differs from the stored digest (the row or the
  person's name was changed behind the services' back); ``ok`` otherwise, with the facts a
  verifier compares with the paper: volunteer number, name with the given name masked
  (``张*``), issuer, period, hours, records, content, issue date. Never the ID number. The page
  and the API share one rate limit per client address (:data:`VERIFY_RATE_GROUP`,
  ``settings.RONGXIN_VERIFY_RATE``, default 30 a minute).
- The QR code on the PDF encodes the absolute URL ``<base>/v/cert/<number>/?d=<digest>``
  (:func:`verify_path`); the base URL comes from the request that renders the PDF
  (``request.build_absolute_uri``, checked against ``ALLOWED_HOSTS``) or from
  ``settings.RONGXIN_BASE_URL`` when rendered elsewhere.
- Reading: the volunteer sees their own certificates (:func:`certificate_list`,
  :func:`certificate_get`). The PDF (:func:`certificate_for_pdf`) is for the volunteer or
  whoever speaks for them, and for staff with a file-reading grant over the volunteer's
  village; a staff read is audited (``certificate.read``, purpose "handling the person's own
  request") and the person sees it under "who viewed my file". Missing and forbidden look the
  same (:class:`NotFound`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.subjects.permissions import access_subject_for_read
from rongxin.subjects.selectors import PURPOSES
from rongxin.volunteering.models import Certificate, ServiceRecord, Team
from rongxin.volunteering.permissions import own_person, own_volunteer
from rongxin.volunteering.selectors import hours_text

DIGEST_VERSION = 1
KEY_INFO = b"rongxin/volunteering/certificate/v1"
NUMBER_PREFIX = "RXC"
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
NUMBER_RANDOM = 8
NUMBER_PATTERN = re.compile(rf"^{NUMBER_PREFIX}\d{{8}}[{NUMBER_ALPHABET}]{{{NUMBER_RANDOM}}}$")
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{64}$")
MAX_PERIOD_YEARS = 5
CONTENT_MAX = 300
TITLES_PER_TYPE = 3
VERIFY_RATE_GROUP = "certificate.verify"
DEFAULT_VERIFY_RATE = "30/m"


def verify_rate(group: str = "", request: Any = None) -> str:
    """The public verification rate per client address (django-ratelimit's rate callable)."""
    return str(getattr(settings, "RONGXIN_VERIFY_RATE", DEFAULT_VERIFY_RATE))


# --- Digest -----------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _key(master: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(master)


def _canonical(cert: Certificate) -> bytes:
    volunteer = cert.volunteer
    facts = {
        "v": DIGEST_VERSION,
        "number": cert.number,
        "volunteer": volunteer.number,
        "name": volunteer.subject.name,
        "issuer": cert.issuer,
        "team": cert.team_id,
        "from": cert.period_from.isoformat(),
        "to": cert.period_to.isoformat(),
        "minutes": cert.minutes,
        "records": cert.records,
        "content": cert.content,
        "issued_at": cert.issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def certificate_digest(cert: Certificate) -> str:
    """The HMAC-SHA256 (hex) over the certificate's canonical facts."""
    return hmac.new(_key(bytes(settings.RONGXIN_PII_KEY)), _canonical(cert), hashlib.sha256).hexdigest()


def verify_path(cert: Certificate) -> str:
    """The public verification page of ``cert`` with its digest (what the QR code encodes,
    relative to the site's base URL)."""
    return f"/v/cert/{cert.number}/?d={cert.digest}"


def verify_url(cert: Certificate, *, base_url: str) -> str:
    return base_url.rstrip("/") + verify_path(cert)


# --- Small rules ------------------------------------------------------------------------------
def village_committee(village_name: str) -> str:
    """The committee that speaks for a village or urban community."""
    name = village_name.strip()
    suffix = "居民委员会" if name.endswith(("社区", "居委会")) else "村民委员会"
    if name.endswith("居委会"):
        name = name[: -len("居委会")]
    return (name + suffix)[:100]


def mask_name(name: str) -> str:
    """``张三`` → ``张*``: the family name stays, the given name is masked."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _new_number(on: dt.date) -> str:
    tail = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM))
    return f"{NUMBER_PREFIX}{on:%Y%m%d}{tail}"


def normalise_number(number: str) -> str:
    return "".join(str(number or "").split()).upper()


def _check_period(period_from: dt.date, period_to: dt.date) -> None:
    if period_from > period_to:
        raise field_error("period_to", _("The end of the period is before its start."), code="period_reversed")
    if period_to > clock.today_local():
        raise field_error("period_to", _("The period cannot end after today."), code="period_in_future")
    if period_to >= _add_years(period_from, MAX_PERIOD_YEARS):
        raise field_error(
            "period_from",
            _("A certificate covers less than %(n)d years.") % {"n": MAX_PERIOD_YEARS},
            code="period_too_long",
        )


def _summary(records: Any) -> str:
    """``养老助老（2次，6小时）：敬老院陪伴、重阳节慰问；环境整治（1次，2小时）：海滩清洁``,
    types with the most hours first; only the types when the titles do not fit in 300
    characters, cut with an ellipsis when even those do not fit."""
    rows = records.values("activity__type__name_zh", "activity__title").annotate(n=Count("id"), m=Sum("minutes"))
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    titles: dict[str, list[str]] = defaultdict(list)
    for row in rows.order_by("activity__type__name_zh", "-m", "activity__title"):
        name = row["activity__type__name_zh"]
        by_type[name][0] += row["n"]
        by_type[name][1] += row["m"] or 0
        if row["activity__title"] not in titles[name]:
            titles[name].append(row["activity__title"])
    order = sorted(by_type, key=lambda name: (-by_type[name][1], name))
    heads = [f"{name}（{by_type[name][0]}次，{hours_text(by_type[name][1])}小时）" for name in order]
    full = []
    for head, name in zip(heads, order, strict=True):
        shown = titles[name][:TITLES_PER_TYPE]
        more = "等" if len(titles[name]) > TITLES_PER_TYPE else ""
        full.append(f"{head}：{'、'.join(shown)}{more}")
    for text in ("；".join(full), "；".join(heads)):
        if len(text) <= CONTENT_MAX:
            return text
    return "；".join(heads)[: CONTENT_MAX - 1] + "…"


# --- Writes -----------------------------------------------------------------------------------
def certificate_issue(
    *, actor: Any, period_from: dt.date, period_to: dt.date, team_id: int | None = None
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
    existing = _same_certificate(cert)
    if existing is not None:
        return existing, False
    with transaction.atomic():
        for _attempt in range(5):
            cert.number = _new_number(now.astimezone(clock.LOCAL_TZ).date())
            cert.digest = certificate_digest(cert)
            try:
                with transaction.atomic():
                    cert.save(force_insert=True)
            except IntegrityError:
                # A concurrent request for the same certificate committed first (the unique
                # index waited for it): answer with that one.
                existing = _same_certificate(cert)
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


def _same_certificate(cert: Certificate) -> Certificate | None:
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


# --- Reads ------------------------------------------------------------------------------------
def _with_facts() -> Any:
    return Certificate.objects.select_related("volunteer__subject__village", "team")


def certificate_list(*, actor: Any) -> list[Certificate]:
    """The actor's own certificates, newest first. NotFound for an account without a person."""
    person = own_person(actor)
    return list(_with_facts().filter(volunteer_id=person.pk).order_by("-issued_at", "-id"))


def certificate_get(*, actor: Any, number: str) -> Certificate:
    """One of the actor's own certificates. NotFound otherwise."""
    person = own_person(actor)
    cert = _with_facts().filter(number=normalise_number(number), volunteer_id=person.pk).first()
    if cert is None:
        raise NotFound()
    return cert


def certificate_for_pdf(*, actor: Any, number: str) -> Certificate:
    """A certificate for its PDF: the volunteer's own (or their representative's), or staff
    with a file-reading grant over the volunteer's village, whose read is audited
    (``certificate.read``) and shown to the person. NotFound otherwise."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound()
    cert = _with_facts().filter(number=normalise_number(number)).first()
    if cert is None:
        raise NotFound()
    access = access_subject_for_read(actor=actor, subject_id=cert.volunteer_id)
    if not access.own:
        audit_record(
            actor=actor,
            role=access.role,
            kind=AuditEvent.Kind.READ,
            action="certificate.read",
            object_type="certificate",
            object_id=cert.number,
            subject_id=cert.volunteer_id,
            purpose=str(PURPOSES["service"]),
            details={"purpose_code": "service"},
        )
    return cert


def certificate_teams(*, actor: Any) -> list[Team]:
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
    number = normalise_number(number)
    cert = _with_facts().filter(number=number).first() if NUMBER_PATTERN.match(number) else None
    if cert is None:
        return CertificateCheck(status="unknown", number=number[:24])
    given = str(digest or "").strip().lower()
    genuine = (
        DIGEST_PATTERN.match(given) is not None
        and hmac.compare_digest(given, cert.digest)
        and hmac.compare_digest(certificate_digest(cert), cert.digest)
    )
    if not genuine:
        return CertificateCheck(status="altered", number=number)
    return CertificateCheck(
        status="ok",
        number=number,
        volunteer_number=cert.volunteer.number,
        name=mask_name(cert.volunteer.subject.name),
        issuer=cert.issuer,
        period_from=cert.period_from,
        period_to=cert.period_to,
        minutes=cert.minutes,
        records=cert.records,
        content=cert.content,
        issued_on=cert.issued_at.astimezone(clock.LOCAL_TZ).date(),
    )
