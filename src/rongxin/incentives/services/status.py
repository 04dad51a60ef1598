"""What offline verifiers need: a provider's signed status list, and the signed eligibility
exports of each open offer that the worker refreshes (formats in
:mod:`rongxin.incentives.domain.signing`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.credit.models import SubjectCredit
from rongxin.incentives.domain import signing
from rongxin.incentives.domain.eligibility import grades_reaching, incentive_open
from rongxin.incentives.models import Credential, EligibilityExport, Incentive, Provider, Redemption
from rongxin.incentives.permissions import access_provider
from rongxin.incentives.selectors import pseudonym_key
from rongxin.incentives.services.keys import signing_key
from rongxin.subjects.models import Subject

# --- The status list for offline verifiers ---------------------------------------------------
STATUS_HOURS = 24  # how long an offline verifier may use one status list


@dataclass(frozen=True)
class OfflineStatus:
    status: signing.StatusList
    text: str  # the signed RXS1 text


def status_list_build(*, provider: Provider, now: dt.datetime | None = None) -> OfflineStatus:
    """The provider's signed status list: its offers open now and the ids of its unexpired
    credentials an online check would refuse (withdrawn; the holder's grade below the floor or
    gone; a live code already redeemed). Offline verifiers refuse every credential without a
    list that is still good (``STATUS_HOURS``), so a fallen grade reaches them within that time.
    One query per open offer, for the refused rows only."""
    now = now or clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    open_offers = [i for i in provider.incentives.order_by("code") if provider.active and incentive_open(i, today)]
    revoked: set[str] = set()
    for incentive in open_offers:
        allowed = grades_reaching(incentive.min_grade)
        used = Redemption.objects.filter(incentive=incentive, credential_jti__gt="").values("credential_jti")
        revoked.update(
            Credential.objects.filter(incentive=incentive, expires_at__gt=now)
            .filter(
                Q(revoked_at__isnull=False)
                | Q(subject__credit__isnull=True)
                | ~Q(subject__credit__grade__in=allowed)
                | Q(kind=Credential.Kind.LIVE, jti__in=used)
            )
            .values_list("jti", flat=True)
        )
    kid, private = signing_key()
    status = signing.StatusList(
        kid=kid,
        provider=provider.code,
        generated_at=int(now.timestamp()),
        valid_until=int((now + dt.timedelta(hours=STATUS_HOURS)).timestamp()),
        incentives=frozenset(i.code for i in open_offers),
        revoked=frozenset(revoked),
    )
    return OfflineStatus(status=status, text=signing.sign_status(private, status))


def status_list_of(*, actor: User) -> OfflineStatus:
    """The status list of the provider the actor acts for. NotFound for anyone else."""
    return status_list_build(provider=access_provider(actor=actor))


# --- Exports for offline validators ---------------------------------------------------------
def export_build(*, incentive_id: int, now: dt.datetime | None = None) -> EligibilityExport:
    """The signed list of every subject eligible now for an incentive, as sorted pseudonymous
    holder ids (10 bytes each). One grouped read of the current grades; no per-subject query."""
    incentive = Incentive.objects.select_related("provider").filter(pk=incentive_id).first()
    if incentive is None:
        raise NotFound()
    now = now or clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    grades = grades_reaching(incentive.min_grade)
    kinds: list[str] = []
    if incentive.for_persons:
        kinds.append(Subject.Kind.PERSON)
    if incentive.for_organisations:
        kinds += [k for k in Subject.Kind.values if k != Subject.Kind.PERSON]
    ids: list[int] = []
    if incentive_open(incentive, today) and incentive.provider.active and grades and kinds:
        qn = connection.ops.quote_name
        credit_t, subject_t = qn(SubjectCredit._meta.db_table), qn(Subject._meta.db_table)
        g_params = ", ".join(["%s"] * len(grades))
        k_params = ", ".join(["%s"] * len(kinds))
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT c.subject_id FROM {credit_t} c JOIN {subject_t} s ON s.id = c.subject_id "  # noqa: S608
                f"WHERE c.grade IN ({g_params}) AND s.kind IN ({k_params})",
                [*grades, *kinds],
            )
            ids = [r[0] for r in cur.fetchall()]
    key = pseudonym_key()
    raw, provider_id = signing.holder_raw, incentive.provider_id
    holders = sorted(raw(key, provider_id=provider_id, subject_id=i) for i in ids)
    content = b"".join(holders)
    kid, private = signing_key()
    message = signing.export_message(incentive=incentive.code, generated_at=now, content=content)
    return EligibilityExport.objects.create(
        incentive=incentive,
        generated_at=now,
        holders=len(holders),
        kid=kid,
        content=content,
        digest=hashlib.sha256(content).hexdigest(),
        signature=signing.b64u(private.sign(message)),
    )


def exports_refresh(*, now: dt.datetime | None = None, keep: int = 3) -> int:
    """The worker's job: a fresh export for every open incentive; older exports beyond the last
    ``keep`` are deleted (they are derived data). Returns how many were built."""
    now = now or clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    built = 0
    for incentive in Incentive.objects.filter(status=Incentive.Status.APPROVED).select_related("provider"):
        if not incentive_open(incentive, today):
            continue
        export_build(incentive_id=incentive.pk, now=now)
        built += 1
        old = list(
            EligibilityExport.objects.filter(incentive=incentive)
            .order_by("-generated_at")
            .values_list("pk", flat=True)[keep:]
        )
        EligibilityExport.objects.filter(pk__in=old).delete()
    return built
