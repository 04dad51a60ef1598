"""Reads for cooks: the canteen's cooks with their latest health certificate and trainings, the
certificates expiring soon, and the week's rota."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant
from rongxin.canteens.domain.cooks import NOTICE_DAYS, certificate_state
from rongxin.canteens.models import Canteen, HealthCertificate, RotaSlot, Training
from rongxin.core.errors import field_error
from rongxin.subjects.models import SubjectAccount
from rongxin.volunteering.models import Membership, Volunteer


@dataclass
class CookRow:
    volunteer: Volunteer
    certificate: HealthCertificate | None
    state: str
    trainings: list[Training] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.volunteer.subject.name


def _cook_memberships(canteen: Canteen) -> Q:
    return Q(
        memberships__team_id=canteen.team_id,
        memberships__status=Membership.Status.ACCEPTED,
        status=Volunteer.Status.ACTIVE,
    )


def cook_volunteers(canteen: Canteen) -> list[Volunteer]:
    """The active volunteers who are accepted members of the canteen's team, by number."""
    if canteen.team_id is None:
        return []
    return list(Volunteer.objects.select_related("subject").filter(_cook_memberships(canteen)).order_by("number"))


def cook_by_number(canteen: Canteen, number: object) -> Volunteer:
    """The canteen's cook with this volunteer number. Raises InvalidInput (``volunteer_number``)
    when no active member of the canteen's team has it."""
    # Full-width letters and digits (ＲＸ０１…) are folded to ASCII, as typed on a phone.
    text = unicodedata.normalize("NFKC", str(number or "")).strip().upper()
    found = (
        Volunteer.objects.select_related("subject").filter(_cook_memberships(canteen), number=text).first()
        if canteen.team_id is not None and text and len(text) <= 12
        else None
    )
    if found is None:
        raise field_error(
            "volunteer_number",
            _("No cook of this canteen has this volunteer number; they join the canteen's team first."),
            code="not_a_cook",
        )
    return found


def latest_certificates(volunteer_ids: list[int]) -> dict[int, HealthCertificate]:
    """Each volunteer's latest certificate (the one that expires last)."""
    out: dict[int, HealthCertificate] = {}
    for cert in HealthCertificate.objects.filter(volunteer_id__in=volunteer_ids).order_by(
        "volunteer_id", "-expires_on", "-id"
    ):
        out.setdefault(cert.volunteer_id, cert)
    return out


def latest_certificate(volunteer_id: int) -> HealthCertificate | None:
    return HealthCertificate.objects.filter(volunteer_id=volunteer_id).order_by("-expires_on", "-id").first()


def cooks_of(canteen: Canteen, *, today: dt.date) -> list[CookRow]:
    """The canteen's cooks, each with the state of their latest certificate today and their
    trainings (latest first)."""
    cooks = cook_volunteers(canteen)
    ids = [v.pk for v in cooks]
    certs = latest_certificates(ids)
    trainings: dict[int, list[Training]] = {}
    for t in Training.objects.filter(volunteer_id__in=ids).order_by("volunteer_id", "-on", "-id"):
        trainings.setdefault(t.volunteer_id, []).append(t)
    rows = []
    for v in cooks:
        cert = certs.get(v.pk)
        rows.append(
            CookRow(
                volunteer=v,
                certificate=cert,
                state=certificate_state(cert.expires_on if cert else None, today),
                trainings=trainings.get(v.pk, []),
            )
        )
    return rows


def expiring_rows(rows: list[CookRow]) -> list[CookRow]:
    """The rows whose latest certificate expires within the notice period or has expired."""
    return [r for r in rows if r.state in ("expiring", "expired")]


def certificates_to_remind(*, today: dt.date) -> list[tuple[HealthCertificate, list[Canteen]]]:
    """Latest certificates of active cooks that expire within :data:`NOTICE_DAYS` from ``today``
    (and not before today) and have not been reminded, each with the canteens whose team the
    cook is on."""
    until = today + dt.timedelta(days=NOTICE_DAYS)
    candidates = list(
        HealthCertificate.objects.filter(
            reminded_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=until,
            volunteer__status=Volunteer.Status.ACTIVE,
        ).order_by("volunteer_id", "id")
    )
    if not candidates:
        return []
    latest = latest_certificates(sorted({c.volunteer_id for c in candidates}))
    out: list[tuple[HealthCertificate, list[Canteen]]] = []
    for cert in candidates:
        if latest[cert.volunteer_id].pk != cert.pk:
            continue  # a newer certificate counts
        team_ids = Membership.objects.filter(
            volunteer_id=cert.volunteer_id, status=Membership.Status.ACCEPTED
        ).values_list("team_id", flat=True)
        canteens = list(Canteen.objects.filter(team_id__in=list(team_ids)).order_by("id"))
        if canteens:
            out.append((cert, canteens))
    return out


def manager_subject_ids(canteen: Canteen) -> list[int]:
    """The person files linked (as their own) to the accounts of the canteen's managers: canteen
    managers granted on its village. Staff get notices through their own file only."""
    users = Grant.objects.filter(
        role=Role.CANTEEN_MANAGER, region_id=canteen.village_id, revoked_at__isnull=True
    ).values_list("user_id", flat=True)
    return sorted(
        set(
            SubjectAccount.objects.filter(
                user_id__in=list(users), relation=SubjectAccount.Relation.SELF, subject__kind="person"
            ).values_list("subject_id", flat=True)
        )
    )


# --- The rota -------------------------------------------------------------------------------------
@dataclass
class RotaDay:
    day: dt.date
    meal_day: bool
    slots: dict[str, list[RotaSlot]]

    @property
    def cells(self) -> list[list[RotaSlot]]:
        """The places by duty, in the order of :class:`RotaSlot.Duty`."""
        return [self.slots[d] for d in RotaSlot.Duty.values]


def rota_week(canteen: Canteen, monday: dt.date) -> list[RotaDay]:
    """The seven days from ``monday``, each with its current places by duty."""
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    slots = (
        RotaSlot.objects.select_related("volunteer__subject")
        .filter(canteen=canteen, date__gte=days[0], date__lte=days[-1], removed_at__isnull=True)
        .order_by("date", "duty", "id")
    )
    by_day: dict[dt.date, dict[str, list[RotaSlot]]] = {d: {k: [] for k in RotaSlot.Duty.values} for d in days}
    for s in slots:
        by_day[s.date][s.duty].append(s)
    weekdays = set(canteen.meal_weekdays or [])
    return [RotaDay(day=d, meal_day=d.weekday() in weekdays, slots=by_day[d]) for d in days]
