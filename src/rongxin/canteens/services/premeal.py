"""Pre-meal sessions (餐前一刻钟): a lecture session of format ``pre_meal`` at the canteen's venue
in its village, recorded through the lectures module's own service, under its own rules.

Lectures lets a lecture administrator, the town officer, the leader of a lecture team (in the
team's region) and a speaker (for a session they speak at) record sessions; a canteen manager
or village officer is none of these, so they see the canteen's pre-meal sessions but ask the
town (or a speaker) to schedule one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.models import Canteen
from rongxin.canteens.permissions.common import access_canteen
from rongxin.core.errors import Conflict, field_error
from rongxin.lectures.models import Session
from rongxin.lectures.services.sessions import session_create

MAX_MINUTES = 60


@transaction.atomic
def premeal_schedule(
    *,
    actor: User,
    canteen_id: int,
    title: str,
    starts_at: Any,
    ends_at: Any,
    speaker_ids: Iterable[int] = (),
    team_id: int | None = None,
) -> Session:
    """Schedule a pre-meal session at the canteen: a planned lecture session (format
    ``pre_meal``, place the canteen's venue, region its village) recorded by
    :func:`rongxin.lectures.services.sessions.session_create`, which writes it and its audit
    row. Raises NotFound (no right over the canteen, or lectures' own refusal), InvalidInput
    (longer than an hour, and lectures' checks), Conflict (no venue, a closed canteen)."""
    canteen = access_canteen(actor, canteen_id)
    if canteen.venue_id is None:
        raise Conflict(_("This canteen has no venue on the map yet."), code="no_venue")
    if canteen.status == Canteen.Status.CLOSED:
        raise Conflict(_("This canteen is closed."), code="canteen_closed")
    if (
        isinstance(starts_at, dt.datetime)
        and isinstance(ends_at, dt.datetime)
        and ends_at - starts_at > dt.timedelta(minutes=MAX_MINUTES)
    ):
        raise field_error(
            "ends_at", _("A pre-meal session lasts at most %(n)d minutes.") % {"n": MAX_MINUTES}, code="too_long"
        )
    return session_create(
        actor=actor,
        title=title,
        region_code=canteen.village.code,
        place_kind=Session.PlaceKind.VENUE,
        venue_id=canteen.venue_id,
        starts_at=starts_at,
        ends_at=ends_at,
        format=Session.Format.PRE_MEAL,
        speaker_ids=speaker_ids,
        team_id=team_id,
    )
