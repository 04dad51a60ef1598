"""Lecture sessions: recording one (for a team, for speakers, or for an accepted order), changing
it before it closes, and cancelling it.

Who may record a session: a lecture administrator anywhere; a town officer in their town; a
lecture team's leader for their team, in the team's home region; a speaker for a session they
speak at; and, for an accepted order, its dispatched speaker or the leader of its dispatched team
(the order gives the region and the team; one session per order). Changing and cancelling are
for whoever runs the session (:mod:`rongxin.lectures.permissions.sessions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.rotating import new_secret
from rongxin.core.text import clean_text
from rongxin.lectures.models import Book, Order, Saying, Session, SessionSaying, SessionSpeaker, Speaker
from rongxin.lectures.permissions.common import is_lecture_admin, own_speaker, signed_in, town_officer_covering
from rongxin.lectures.permissions.sessions import access_session_for_running, leads_team
from rongxin.lectures.services.order_events import order_locked
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.volunteering.models import Team

MAX_HOURS = 12
MAX_AUDIENCE = 100_000
MAX_SPEAKERS = 20
MAX_SAYINGS = 20
MOBILE_PLACES = frozenset({Session.PlaceKind.FIELD, Session.PlaceKind.FISHING_FARM, Session.PlaceKind.MARKET})
# Coordinates of a mobile place must lie within China's mainland and islands (a sane range that
# catches swapped or zero coordinates).
LATITUDE_RANGE = (Decimal("3"), Decimal("54"))
LONGITUDE_RANGE = (Decimal("73"), Decimal("136"))


@dataclass
class _Place:
    place_kind: str
    site: PracticeSite | None
    venue: Venue | None
    place: str
    latitude: Decimal | None
    longitude: Decimal | None


def _aware(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise field_error(field, _("Enter a date and time."), code="required")
    if value.tzinfo is None:
        raise field_error(field, _("The time needs a time zone."), code="naive_time")
    return value


def _times(starts_at: Any, ends_at: Any) -> tuple[dt.datetime, dt.datetime]:
    starts, ends = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if ends <= starts:
        raise field_error("ends_at", _("The end must be after the start."), code="ends_before_start")
    if ends - starts > dt.timedelta(hours=MAX_HOURS):
        raise field_error(
            "ends_at", _("A lecture lasts at most %(n)d hours.") % {"n": MAX_HOURS}, code="too_long_session"
        )
    return starts, ends


def _coordinate(value: Any, field: str, bounds: tuple[Decimal, Decimal]) -> Decimal:
    if value is None or value == "":
        raise field_error(field, _("A mobile place needs its coordinates."), code="coordinates_required")
    text = str(value).strip()
    if not text.isascii():  # Decimal() reads any script's digits; coordinates are typed in ASCII
        raise field_error(field, _("These are not valid coordinates."), code="coordinates")
    try:
        d = Decimal(text).quantize(Decimal("0.000001"))
    except (InvalidOperation, ArithmeticError, ValueError):
        raise field_error(field, _("These are not valid coordinates."), code="coordinates") from None
    if not d.is_finite() or not (bounds[0] <= d <= bounds[1]):
        raise field_error(field, _("These are not valid coordinates."), code="coordinates")
    return d


def _place(
    *, region: Region, place_kind: Any, site_id: Any, venue_id: Any, place: Any, latitude: Any, longitude: Any
) -> _Place:
    if place_kind not in Session.PlaceKind.values:
        raise field_error("place_kind", _("Choose the kind of place."), code="invalid_choice")
    text = clean_text(place, field="place", required=False, max_length=200, multiline=False)
    site = venue = None
    lat = lon = None
    if place_kind == Session.PlaceKind.SITE:
        site = PracticeSite.objects.select_related("region").filter(pk=site_id).first() if site_id else None
        if site is None or not region.contains(site.region):
            raise field_error("site_id", _("Choose a practice site in the session's region."), code="site_outside")
        text = text or site.name
    elif place_kind == Session.PlaceKind.VENUE:
        venue = Venue.objects.select_related("region").filter(pk=venue_id).first() if venue_id else None
        if venue is None or not region.contains(venue.region):
            raise field_error("venue_id", _("Choose a venue in the session's region."), code="venue_outside")
        text = text or venue.name
    elif place_kind in MOBILE_PLACES:
        lat = _coordinate(latitude, "latitude", LATITUDE_RANGE)
        lon = _coordinate(longitude, "longitude", LONGITUDE_RANGE)
    if not text:
        raise field_error("place", _("Say where the lecture takes place."), code="required")
    return _Place(place_kind, site, venue, text, lat, lon)


def _format(value: Any) -> str:
    if value not in Session.Format.values:
        raise field_error("format", _("Choose the format."), code="invalid_choice")
    return str(value)


def audience_checked(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not (0 <= value <= MAX_AUDIENCE):
        raise field_error(
            "audience_count",
            _("The audience count is a whole number from 0 to %(n)d.") % {"n": MAX_AUDIENCE},
            code="audience_out_of_range",
        )
    return value


def _ids(values: Iterable[Any] | None, field: str, limit: int) -> list[int]:
    out: list[int] = []
    for v in values or ():
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise field_error(field, _("This choice is not valid."), code="invalid_choice")
        if v not in out:
            out.append(v)
    if len(out) > limit:
        raise field_error(field, _("At most %(n)d.") % {"n": limit}, code="too_many")
    return out


def _speakers(ids: list[int]) -> list[Speaker]:
    found = {s.pk: s for s in Speaker.objects.select_related("area").filter(pk__in=ids, active=True)}
    if len(found) != len(ids):
        raise field_error("speaker_ids", _("Choose active speakers."), code="unknown_speaker")
    return [found[i] for i in ids]


def _sayings(ids: list[int]) -> list[Saying]:
    found = {
        s.pk: s for s in Saying.objects.filter(pk__in=ids, book__status=Book.Status.PUBLISHED).select_related("book")
    }
    if len(found) != len(ids):
        raise field_error("saying_ids", _("Choose sayings of a published book."), code="unknown_saying")
    keys = [found[i].key for i in ids]
    if len(set(keys)) != len(keys):
        raise field_error("saying_ids", _("The same saying is chosen twice."), code="duplicate_saying")
    return [found[i] for i in ids]


def _lecture_team(team_id: Any) -> Team:
    team = (
        Team.objects.select_related("region").filter(pk=team_id, kind=Team.Kind.LECTURE, active=True).first()
        if isinstance(team_id, int) and not isinstance(team_id, bool)
        else None
    )
    if team is None:
        raise field_error("team_id", _("Choose an active lecture team."), code="unknown_team")
    return team


def _town(region: Region) -> Region:
    if region.level == Region.Level.VILLAGE and region.parent is not None:
        return region.parent
    if region.level == Region.Level.TOWN:
        return region
    raise field_error("region_code", _("Choose a town or a village."), code="region_level")


def _could_record(actor: User, speaker: Speaker | None) -> bool:
    """Whether the actor may record sessions anywhere at all (asked before any input is read)."""
    return (
        is_lecture_admin(actor)
        or speaker is not None
        or bool(grants_with_roles(actor, [Role.TOWN_OFFICER, Role.TEAM_LEADER]))
    )


def _region(code: Any) -> Region:
    region = Region.objects.select_related("parent").filter(code=str(code or "").strip()).first()
    if region is None:
        raise field_error(
            "region_code", _("No region has the code “%(code)s”.") % {"code": str(code)[:20]}, code="unknown_region"
        )
    return region


def _write_children(session: Session, speakers: list[Speaker], sayings: list[Saying]) -> None:
    SessionSpeaker.objects.bulk_create([SessionSpeaker(session=session, speaker=s) for s in speakers])
    SessionSaying.objects.bulk_create([SessionSaying(session=session, saying=s, saying_key=s.key) for s in sayings])


@transaction.atomic
def session_create(
    *,
    actor: User,
    title: str,
    region_code: str,
    place_kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    format: str,
    site_id: int | None = None,
    venue_id: int | None = None,
    place: str = "",
    latitude: Any = None,
    longitude: Any = None,
    team_id: int | None = None,
    speaker_ids: Iterable[int] = (),
    saying_ids: Iterable[int] = (),
    order_id: int | None = None,
    audience_count: int | None = None,
) -> Session:
    """Record a planned lecture session (see the module for who may). With ``order_id`` the
    session is the accepted order's: its region and team come from the order and its dispatched
    speaker speaks. Raises NotFound (no right, unknown order), InvalidInput, Conflict (the order
    is not accepted, or has its session already)."""
    if not signed_in(actor):
        raise NotFound()
    me = own_speaker(actor)
    role: str | None = None
    order: Order | None = None
    if order_id is not None:
        order = order_locked(order_id) if isinstance(order_id, int) and not isinstance(order_id, bool) else None
        if order is None:
            raise NotFound()
        region = Region.objects.select_related("parent").get(pk=order.region_id)
        team = Team.objects.select_related("region").filter(pk=order.team_id).first() if order.team_id else None
        if is_lecture_admin(actor):
            role = Role.DEPARTMENT_RECORDER
        elif town_officer_covering(actor, region) is not None:
            role = Role.TOWN_OFFICER
        elif team is not None and leads_team(actor, team):
            role = Role.TEAM_LEADER
        elif me is not None and order.speaker_id == me.pk:
            role = Role.LECTURER
        if role is None:
            raise NotFound()
        if order.state != Order.State.ACCEPTED:
            raise Conflict(_("Only an accepted order can be held as a session."), code="order_not_accepted")
        if Session.objects.filter(order=order).exists():
            raise Conflict(_("This order has its session already."), code="order_has_session")
        wanted = _ids(speaker_ids, "speaker_ids", MAX_SPEAKERS)
        if order.speaker_id is not None and order.speaker_id not in wanted:
            wanted.insert(0, order.speaker_id)
    else:
        if not _could_record(actor, me):
            raise NotFound()
        region = _region(region_code)
        team = _lecture_team(team_id) if team_id is not None else None
        wanted = _ids(speaker_ids, "speaker_ids", MAX_SPEAKERS)
        if is_lecture_admin(actor):
            role = Role.DEPARTMENT_RECORDER
        elif town_officer_covering(actor, region) is not None:
            role = Role.TOWN_OFFICER
        elif team is not None and leads_team(actor, team) and team.region.contains(region):
            role = Role.TEAM_LEADER
        elif me is not None and me.pk in wanted:
            role = Role.LECTURER
        if role is None:
            raise NotFound()
    town = _town(region)
    title = clean_text(title, field="title", required=True, max_length=120, multiline=False)
    starts, ends = _times(starts_at, ends_at)
    where = _place(
        region=region,
        place_kind=place_kind,
        site_id=site_id,
        venue_id=venue_id,
        place=place,
        latitude=latitude,
        longitude=longitude,
    )
    fmt = _format(format)
    audience = audience_checked(audience_count)
    speakers = _speakers(wanted)
    sayings = _sayings(_ids(saying_ids, "saying_ids", MAX_SAYINGS))
    if not speakers and team is None:
        raise field_error("speaker_ids", _("Name a speaker or a lecture team."), code="no_speaker")
    if Session.objects.filter(
        created_by=actor, title=title, region=region, starts_at=starts, status=Session.Status.PLANNED
    ).exists():
        # A form sent twice: the same person recording the same lecture again.
        raise Conflict(_("You have recorded this lecture already."), code="duplicate_session")
    session = Session.objects.create(
        title=title,
        team=team,
        order=order,
        region=region,
        town=town,
        place_kind=where.place_kind,
        site=where.site,
        venue=where.venue,
        place=where.place,
        latitude=where.latitude,
        longitude=where.longitude,
        format=fmt,
        starts_at=starts,
        ends_at=ends,
        audience_count=audience,
        qr_secret=new_secret(),
        created_at=clock.now(),
        created_by=actor,
    )
    _write_children(session, speakers, sayings)
    audit_record(
        actor=actor,
        role=role,
        kind=AuditEvent.Kind.WRITE,
        action="session.create",
        object_type="lecture_session",
        object_id=session.pk,
        details={
            "region": region.code,
            "team": team.pk if team else None,
            "order": order.pk if order else None,
            "speakers": [s.pk for s in speakers],
            "sayings": [s.key for s in sayings],
        },
    )
    return session


_UNSET: Any = object()


@transaction.atomic
def session_update(
    *,
    actor: User,
    session_id: int,
    title: Any = _UNSET,
    place_kind: Any = _UNSET,
    site_id: Any = _UNSET,
    venue_id: Any = _UNSET,
    place: Any = _UNSET,
    latitude: Any = _UNSET,
    longitude: Any = _UNSET,
    starts_at: Any = _UNSET,
    ends_at: Any = _UNSET,
    format: Any = _UNSET,
    speaker_ids: Any = _UNSET,
    saying_ids: Any = _UNSET,
    audience_count: Any = _UNSET,
) -> Session:
    """Change a planned session (whoever runs it). The times cannot move once a listener has
    checked in. Raises NotFound, Conflict (closed or cancelled, times after check-ins),
    InvalidInput."""
    access = access_session_for_running(actor, session_id=session_id, lock=True, no_key=True)
    s = access.session
    if s.status != Session.Status.PLANNED:
        raise Conflict(_("A closed or cancelled lecture cannot be changed."), code="session_closed")
    changed: list[str] = []
    if title is not _UNSET:
        s.title = clean_text(title, field="title", required=True, max_length=120, multiline=False)
        changed.append("title")
    if starts_at is not _UNSET or ends_at is not _UNSET:
        starts, ends = _times(
            s.starts_at if starts_at is _UNSET else starts_at, s.ends_at if ends_at is _UNSET else ends_at
        )
        if (starts, ends) != (s.starts_at, s.ends_at):
            if s.attendances.exists():
                raise Conflict(
                    _("Listeners have checked in; the time can no longer change."), code="session_has_listeners"
                )
            s.starts_at, s.ends_at = starts, ends
            changed += ["starts_at", "ends_at"]
    place_args = (place_kind, site_id, venue_id, place, latitude, longitude)
    if any(v is not _UNSET for v in place_args):
        where = _place(
            region=s.region,
            place_kind=s.place_kind if place_kind is _UNSET else place_kind,
            site_id=s.site_id if site_id is _UNSET else site_id,
            venue_id=s.venue_id if venue_id is _UNSET else venue_id,
            place=s.place if place is _UNSET else place,
            latitude=s.latitude if latitude is _UNSET else latitude,
            longitude=s.longitude if longitude is _UNSET else longitude,
        )
        s.place_kind, s.site, s.venue, s.place = where.place_kind, where.site, where.venue, where.place
        s.latitude, s.longitude = where.latitude, where.longitude
        changed += ["place_kind", "site", "venue", "place", "latitude", "longitude"]
    if format is not _UNSET:
        s.format = _format(format)
        changed.append("format")
    if audience_count is not _UNSET:
        s.audience_count = audience_checked(audience_count)
        changed.append("audience_count")
    details: dict[str, Any] = {"fields": sorted(set(changed))}
    if speaker_ids is not _UNSET:
        speakers = _speakers(_ids(speaker_ids, "speaker_ids", MAX_SPEAKERS))
        if s.order is not None and s.order.speaker_id and s.order.speaker_id not in {x.pk for x in speakers}:
            raise field_error(
                "speaker_ids", _("The order's dispatched speaker stays a speaker."), code="order_speaker_kept"
            )
        if not speakers and s.team_id is None:
            raise field_error("speaker_ids", _("Name a speaker or a lecture team."), code="no_speaker")
        SessionSpeaker.objects.filter(session=s).delete()
        SessionSpeaker.objects.bulk_create([SessionSpeaker(session=s, speaker=x) for x in speakers])
        details["speakers"] = [x.pk for x in speakers]
    if saying_ids is not _UNSET:
        sayings = _sayings(_ids(saying_ids, "saying_ids", MAX_SAYINGS))
        SessionSaying.objects.filter(session=s).delete()
        SessionSaying.objects.bulk_create([SessionSaying(session=s, saying=x, saying_key=x.key) for x in sayings])
        details["sayings"] = [x.key for x in sayings]
    if changed:
        s.save(update_fields=sorted(set(changed)))
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="session.update",
        object_type="lecture_session",
        object_id=s.pk,
        details=details,
    )
    return s


@transaction.atomic
def session_cancel(*, actor: User, session_id: int, reason: str) -> Session:
    """Cancel a planned session (whoever runs it), with a reason. Check-ins recorded stay, but
    earn nothing. Raises NotFound, Conflict (closed or cancelled already), InvalidInput."""
    access = access_session_for_running(actor, session_id=session_id, lock=True)
    s = access.session
    reason = clean_text(reason, field="reason", required=True, max_length=200, multiline=False)
    if s.status != Session.Status.PLANNED:
        raise Conflict(_("A closed or cancelled lecture cannot be changed."), code="session_closed")
    s.status, s.cancelled_at, s.cancel_reason = Session.Status.CANCELLED, clock.now(), reason
    s.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="session.cancel",
        object_type="lecture_session",
        object_id=s.pk,
        details={"reason": reason},
    )
    return s
