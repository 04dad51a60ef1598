"""Reads of clinic visits and pre-meal sessions at canteens."""

from __future__ import annotations

from django.db.models import Q

from rongxin.canteens.models import Canteen, ClinicVisit
from rongxin.core import clock
from rongxin.lectures.models import Session
from rongxin.regions.models import Region

LIMIT = 50


def clinics_of(canteen: Canteen) -> tuple[list[ClinicVisit], list[ClinicVisit]]:
    """The canteen's scheduled clinics still to come (soonest first) and the others (latest
    first, at most :data:`LIMIT`)."""
    now = clock.now()
    qs = ClinicVisit.objects.filter(canteen=canteen)
    upcoming = list(qs.filter(status=ClinicVisit.Status.SCHEDULED, ends_at__gt=now).order_by("starts_at", "id"))
    done = {c.pk for c in upcoming}
    rest = [c for c in qs.order_by("-starts_at", "-id")[: LIMIT + len(done)] if c.pk not in done][:LIMIT]
    return upcoming, rest


def upcoming_clinics(regions: list[Region]) -> list[ClinicVisit]:
    """Scheduled clinics not yet over at canteens inside ``regions``, soonest first."""
    q = Q()
    for r in regions:
        q |= Q(canteen__village__prefix__startswith=r.prefix)
    return list(
        ClinicVisit.objects.select_related("canteen__village", "canteen__town")
        .filter(q, status=ClinicVisit.Status.SCHEDULED, ends_at__gt=clock.now())
        .order_by("starts_at", "id")[:200]
    )


def premeal_sessions(canteen: Canteen) -> tuple[list[Session], list[Session]]:
    """Pre-meal sessions (lecture sessions of format ``pre_meal``) at the canteen's venue: those
    planned and to come (soonest first), and the recent ones (latest first, at most
    :data:`LIMIT`)."""
    if canteen.venue_id is None:
        return [], []
    now = clock.now()
    qs = Session.objects.filter(venue_id=canteen.venue_id, format=Session.Format.PRE_MEAL)
    upcoming = list(qs.filter(status=Session.Status.PLANNED, ends_at__gt=now).order_by("starts_at", "id"))
    seen = {s.pk for s in upcoming}
    recent = [s for s in qs.order_by("-starts_at", "-id")[: LIMIT + len(seen)] if s.pk not in seen][:LIMIT]
    return upcoming, recent
