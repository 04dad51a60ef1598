"""Reads of a quarter of verified volunteer service for a region, set-based (one grouped query
however many villages). Used by the quarterly commendations of funds."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum

from rongxin.volunteering.models import ServiceRecord

# The activity types of canteen rota service (cooking and serving, meal delivery).
CANTEEN_TYPES = ("canteen_cooking", "meal_delivery")


def service_minutes(*, prefix: str, first: dt.date, last: dt.date) -> dict[int, tuple[int, int]]:
    """Per volunteer living in the region (``prefix`` of its code): the verified service minutes
    on days ``first``..``last`` (the current revision of each record) and the part of them served
    on a canteen rota: ``subject_id → (minutes, canteen_minutes)``. One grouped query."""
    rows = (
        ServiceRecord.objects.filter(
            current=True,
            service_date__gte=first,
            service_date__lte=last,
            volunteer__subject__village__code__startswith=prefix,
        )
        .values("volunteer_id")
        .annotate(
            total=Sum("minutes"),
            canteen=Sum("minutes", filter=Q(activity__type__code__in=CANTEEN_TYPES)),
        )
        .values_list("volunteer_id", "total", "canteen")
    )
    return {sid: (int(minutes or 0), int(canteen or 0)) for sid, minutes, canteen in rows}
