"""Canteens as places: create and change them, their status (appended as events), their costs,
and the county's coverage target and yearly build plan.

Who may: administrators (civil affairs, county) anywhere, town officers in their town; village
staff of the canteen's village change its day-to-day details (seats, meal days, venue, address,
operator, note) and pause or reopen it. Everyone else gets :class:`NotFound` before their input is
read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.canteens.domain.weekdays import WeekdaysError, parse_weekdays
from rongxin.canteens.models import Canteen, CanteenEvent, Cost
from rongxin.canteens.permissions.common import (
    acting_role,
    admin_grants,
    is_village_staff,
    manages_region,
    signed_in,
)
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.regions.models import Region, Venue
from rongxin.regions.selectors import town_of
from rongxin.volunteering.models import Team
from rongxin.volunteering.permissions import administers
from rongxin.volunteering.services import team_create

KEEP: Any = object()  # canteen_update: leave this field as it is
MAX_SEATS = 10_000
FIRST_YEAR = 2000
MAX_AMOUNT = Decimal("9999999999.99")

# Status changes a canteen may go through; "closed" ends it (a reopened canteen is a new one).
TRANSITIONS: dict[str, frozenset[str]] = {
    Canteen.Status.PLANNED: frozenset({Canteen.Status.BUILDING, Canteen.Status.CLOSED}),
    Canteen.Status.BUILDING: frozenset({Canteen.Status.OPEN, Canteen.Status.CLOSED}),
    Canteen.Status.OPEN: frozenset({Canteen.Status.PAUSED, Canteen.Status.CLOSED}),
    Canteen.Status.PAUSED: frozenset({Canteen.Status.OPEN, Canteen.Status.CLOSED}),
    Canteen.Status.CLOSED: frozenset(),
}
# Village staff may pause and reopen their canteen; the rest is for its town or the county.
STAFF_TRANSITIONS = frozenset(
    {(Canteen.Status.OPEN, Canteen.Status.PAUSED), (Canteen.Status.PAUSED, Canteen.Status.OPEN)}
)
STAFF_FIELDS = frozenset({"seats", "meal_weekdays", "venue", "address", "operator", "note"})


# --- Who ---------------------------------------------------------------------------------------------
def _require_planner(actor: Any) -> None:
    """Administrators and town officers create canteens; anyone else: NotFound."""
    if not signed_in(actor) or not (admin_grants(actor) or grants_with_roles(actor, [Role.TOWN_OFFICER])):
        raise NotFound()


def _locked(actor: Any, canteen_id: Any) -> tuple[Canteen, bool]:
    """The canteen, locked, and whether the actor manages it (town or county) rather than only
    runs it as village staff; NotFound when neither."""
    if not signed_in(actor) or not isinstance(canteen_id, int) or isinstance(canteen_id, bool):
        raise NotFound()
    canteen = Canteen.objects.select_for_update().select_related("village", "town").filter(pk=canteen_id).first()
    if canteen is None:
        raise NotFound()
    if manages_region(actor, canteen.village):
        return canteen, True
    if is_village_staff(actor, canteen):
        return canteen, False
    raise NotFound()


# --- Input -------------------------------------------------------------------------------------------
def _line(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    return clean_text(value, field=field, required=required, max_length=max_length, multiline=False)


def whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or value is None:
        raise field_error(field, _("Give a whole number."), code="invalid")
    if not isinstance(value, int):
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):  # int() would read "１２" as 12
            raise field_error(field, _("Give a whole number."), code="invalid")
        value = int(text)
    if not low <= value <= high:
        raise field_error(
            field, _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}, code="out_of_range"
        )
    return int(value)


def _choice(value: Any, field: str, choices: list[str], message: Any) -> str:
    if value not in choices:
        raise field_error(field, message, code="invalid_choice")
    return str(value)


def _weekdays(value: Any) -> list[int]:
    try:
        return parse_weekdays(value)
    except WeekdaysError as exc:
        if exc.code == "empty":
            raise field_error("meal_weekdays", _("Choose the days lunch is served."), code="required") from None
        raise field_error(
            "meal_weekdays", _("Meal days are weekdays 0 (Monday) to 6 (Sunday)."), code="invalid"
        ) from None


def _coordinate(value: Any, field: str, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isascii():
        raise field_error(field, _("Use the digits 0–9."), code="invalid")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise field_error(field, _("Give a number."), code="invalid") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise field_error(field, _("Give a number from %(low)d to %(high)d.") % {"low": -limit, "high": limit})
    return number.quantize(Decimal("0.000001"))


def _amount(value: Any) -> Decimal:
    if isinstance(value, (float, bool)) or value is None:
        raise field_error("amount", _("Give an amount in yuan, e.g. 90000.00."), code="invalid")
    text = str(value).strip()
    if not text.isascii():
        raise field_error("amount", _("Use the digits 0–9."), code="invalid")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise field_error("amount", _("Give an amount in yuan, e.g. 90000.00."), code="invalid") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise field_error("amount", _("Give an amount in yuan with at most two decimals."), code="invalid")
    if amount <= 0:
        raise field_error("amount", _("The amount must be more than zero."), code="not_positive")
    if amount > MAX_AMOUNT:
        raise field_error("amount", _("The amount is too large."), code="out_of_range")
    return amount.quantize(Decimal("0.01"))


def _village(actor: User, code: Any) -> Region:
    text = str(code or "").strip()
    village = Region.objects.select_related("parent").filter(code=text).first() if text.isascii() else None
    if village is None or not manages_region(actor, village):
        raise field_error("village_code", _("No village in your area has this code."), code="unknown_region")
    if village.level != Region.Level.VILLAGE:
        raise field_error("village_code", _("A canteen stands in a village or community."), code="wrong_region_level")
    return village


def _id(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise field_error(field, _("Give a number."), code="invalid")
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()):
            raise field_error(field, _("Give a number."), code="invalid")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise field_error(field, _("Give a number."), code="invalid") from None
    if not 0 < number < 2**31:
        raise field_error(field, _("Give a number."), code="invalid")
    return number


def _venue(village: Region, venue_id: Any) -> Venue:
    venue = Venue.objects.filter(pk=_id(venue_id, "venue_id"), kind=Venue.Kind.CANTEEN, region=village).first()
    if venue is None:
        raise field_error("venue_id", _("No canteen site in this village has this number."), code="unknown_venue")
    return venue


def _team(canteen_village: Region, team_id: Any) -> Team | None:
    if team_id in (None, ""):
        return None
    team = Team.objects.filter(
        pk=_id(team_id, "team_id"),
        kind=Team.Kind.CANTEEN,
        active=True,
        region__in=[canteen_village.pk, canteen_village.parent_id],
    ).first()
    if team is None:
        raise field_error(
            "team_id", _("No active canteen team of this village or its town has this number."), code="unknown_team"
        )
    return team


def _place(
    village: Region, *, name: str, address: str, seats: int, venue_id: Any, latitude: Any, longitude: Any
) -> Venue | None:
    """The canteen's venue: the one chosen, or a new canteen site at the coordinates given."""
    lat = _coordinate(latitude, "latitude", 90)
    lon = _coordinate(longitude, "longitude", 180)
    if venue_id not in (None, ""):
        if lat is not None or lon is not None:
            raise field_error("venue_id", _("Choose a venue or give coordinates, not both."), code="venue_and_point")
        return _venue(village, venue_id)
    if (lat is None) != (lon is None):
        field = "longitude" if lon is None else "latitude"
        raise field_error(field, _("Give both latitude and longitude."), code="required")
    if lat is None or lon is None:
        return None
    return Venue.objects.create(
        region=village, kind=Venue.Kind.CANTEEN, name=name, address=address, latitude=lat, longitude=lon, capacity=seats
    )


def _new_team(actor: User, village: Region) -> Team:
    """The village's canteen cook team, created by the volunteering service."""
    if not administers(actor, village):
        raise field_error(
            "create_team", _("Only a town or village officer creates volunteer teams."), code="not_team_admin"
        )
    name = f"{village.name}暖心食堂志愿服务队"
    if Team.objects.filter(region=village, name=name).exists():
        raise field_error("create_team", _("The village already has this team; choose it instead."), code="team_exists")
    return team_create(
        actor=actor, name=name, tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.CANTEEN, region_code=village.code
    )


def _day(value: Any, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise field_error(field, _("Give a date."), code="required")
    if value > clock.today_local():
        raise field_error(field, _("This date is in the future."), code="in_the_future")
    if value.year < FIRST_YEAR:
        raise field_error(field, _("This date is too far in the past."), code="too_early")
    return value


def _audit(actor: User, canteen: Canteen, action: str, details: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        role=acting_role(actor, canteen.village),
        kind=AuditEvent.Kind.WRITE,
        action=action,
        object_type="canteen",
        object_id=canteen.pk,
        details=details,
    )


# --- Canteens ----------------------------------------------------------------------------------------
@transaction.atomic
def canteen_create(
    *,
    actor: User,
    village_code: str,
    name: str,
    operator: str,
    seats: int,
    meal_weekdays: Any,
    address: str = "",
    status: str = Canteen.Status.PLANNED,
    opened_on: dt.date | None = None,
    planned_year: int | None = None,
    venue_id: int | None = None,
    latitude: Any = None,
    longitude: Any = None,
    team_id: int | None = None,
    create_team: bool = False,
    note: str = "",
) -> Canteen:
    """An administrator (anywhere) or a town officer (in their town) adds a canteen in a village.
    It starts as ``planned`` (or ``building``, or ``open`` with ``opened_on`` for a canteen that
    already runs). With coordinates and no venue, a canteen site (Venue of kind ``canteen``) is
    created in the village. ``create_team`` (instead of ``team_id``) creates its cook team, a
    town-and-village team of kind ``canteen`` in the village named after it, through the
    volunteering service (for those who may create teams there: town and village officers).
    Writes the canteen, its first :class:`CanteenEvent`, perhaps a venue and a team, and the
    audit row ``canteen.create``. Raises NotFound (not a planner), InvalidInput,
    Conflict (the village has a canteen of that name that is not closed: a double submit)."""
    _require_planner(actor)
    village = _village(actor, village_code)
    name = _line(name, "name", 100, required=True)
    operator = _choice(operator, "operator", Canteen.Operator.values, _("Choose who runs the canteen."))
    seats = whole(seats, "seats", 1, MAX_SEATS)
    days = _weekdays(meal_weekdays)
    address = _line(address, "address", 200)
    note = _line(note, "note", 300)
    status = _choice(
        status,
        "status",
        [Canteen.Status.PLANNED, Canteen.Status.BUILDING, Canteen.Status.OPEN],
        _("A new canteen is planned, being built or open."),
    )
    today = clock.today_local()
    year = None if planned_year in (None, "") else whole(planned_year, "planned_year", FIRST_YEAR, today.year + 20)
    if status == Canteen.Status.OPEN:
        opened_on = _day(opened_on, "opened_on")
    elif opened_on is not None:
        raise field_error("opened_on", _("Only an open canteen has an opening date."), code="not_open")
    if create_team and team_id not in (None, ""):
        raise field_error("team_id", _("Choose a team or create one, not both."), code="team_and_new")
    team = _team(village, team_id)
    # The village's row serialises canteens added to it: a double submit finds the first one.
    Region.objects.select_for_update().filter(pk=village.pk).first()
    if Canteen.objects.filter(village=village, name=name).exclude(status=Canteen.Status.CLOSED).exists():
        raise Conflict(_("This village already has a canteen of this name."), code="duplicate_canteen")
    venue = _place(
        village, name=name, address=address, seats=seats, venue_id=venue_id, latitude=latitude, longitude=longitude
    )
    if create_team:
        team = _new_team(actor, village)
    now = clock.now()
    canteen = Canteen.objects.create(
        name=name,
        village=village,
        town=town_of(village),
        venue=venue,
        address=address,
        operator=operator,
        status=status,
        planned_year=year,
        opened_on=opened_on,
        seats=seats,
        meal_weekdays=days,
        team=team,
        note=note,
        created_at=now,
        created_by=actor,
    )
    CanteenEvent.objects.create(canteen=canteen, status=status, on=opened_on or today, at=now, actor=actor)
    _audit(actor, canteen, "canteen.create", {"village": village.code, "status": status, "venue": venue and venue.pk})
    return canteen


@transaction.atomic
def canteen_update(
    *,
    actor: User,
    canteen_id: int,
    name: Any = KEEP,
    seats: Any = KEEP,
    meal_weekdays: Any = KEEP,
    address: Any = KEEP,
    operator: Any = KEEP,
    note: Any = KEEP,
    planned_year: Any = KEEP,
    team_id: Any = KEEP,
    venue_id: Any = KEEP,
    latitude: Any = None,
    longitude: Any = None,
) -> Canteen:
    """Change a canteen's details; fields left as ``KEEP`` stay. Village staff of its village
    change seats, meal days, venue (``venue_id``, or ``venue_id=None`` with coordinates for a new
    site), address, operator and note; its town officer and administrators also the name, the
    planned year and the cook team. Writes the canteen (locked) and the audit row
    ``canteen.update`` with the fields changed. Raises NotFound, InvalidInput (also for a field
    village staff may not change)."""
    canteen, manager = _locked(actor, canteen_id)
    asked = {
        key
        for key, value in {
            "name": name,
            "seats": seats,
            "meal_weekdays": meal_weekdays,
            "address": address,
            "operator": operator,
            "note": note,
            "planned_year": planned_year,
            "team": team_id,
            "venue": venue_id,
        }.items()
        if value is not KEEP
    }
    if not manager and asked - STAFF_FIELDS:
        field = sorted(asked - STAFF_FIELDS)[0]
        raise field_error(
            "team_id" if field == "team" else field,
            _("Only the town or the county changes this."),
            code="not_village_field",
        )
    changed: list[str] = []

    def put(field: str, value: Any) -> None:
        if getattr(canteen, field) != value:
            setattr(canteen, field, value)
            changed.append(field)

    if name is not KEEP:
        put("name", _line(name, "name", 100, required=True))
    if seats is not KEEP:
        put("seats", whole(seats, "seats", 1, MAX_SEATS))
    if meal_weekdays is not KEEP:
        put("meal_weekdays", _weekdays(meal_weekdays))
    if address is not KEEP:
        put("address", _line(address, "address", 200))
    if operator is not KEEP:
        put("operator", _choice(operator, "operator", Canteen.Operator.values, _("Choose who runs the canteen.")))
    if note is not KEEP:
        put("note", _line(note, "note", 300))
    if planned_year is not KEEP:
        today = clock.today_local()
        put(
            "planned_year",
            None if planned_year in (None, "") else whole(planned_year, "planned_year", FIRST_YEAR, today.year + 20),
        )
    if team_id is not KEEP:
        team = _team(canteen.village, team_id)
        put("team_id", team.pk if team else None)
    if venue_id is not KEEP:
        venue = _place(
            canteen.village,
            name=canteen.name,
            address=canteen.address,
            seats=canteen.seats,
            venue_id=venue_id,
            latitude=latitude,
            longitude=longitude,
        )
        put("venue_id", venue.pk if venue else None)
    if changed:
        canteen.save(update_fields=changed)
        _audit(actor, canteen, "canteen.update", {"fields": sorted(changed)})
    return canteen


@transaction.atomic
def canteen_status_change(
    *, actor: User, canteen_id: int, status: str, on: dt.date | None = None, note: str = ""
) -> CanteenEvent:
    """Move a canteen along planned → building → open ⇄ paused → closed (closing is possible from
    any state but closed). ``on`` (default today) is not in the future nor before the last
    change. The first opening sets ``opened_on``. Village staff may pause and reopen; the rest is
    for its town officer and administrators. Appends a :class:`CanteenEvent`, updates the status,
    writes the audit row ``canteen.status``. Raises NotFound, InvalidInput, Conflict (a move the
    status cannot make)."""
    canteen, manager = _locked(actor, canteen_id)
    status = _choice(status, "status", Canteen.Status.values, _("Choose a status."))
    day = _day(on if on is not None else clock.today_local(), "on")
    note = _line(note, "note", 300)
    current = canteen.status
    if status not in TRANSITIONS[current]:
        raise Conflict(
            _("A canteen that is “%(current)s” cannot become “%(status)s”.")
            % {"current": Canteen.Status(current).label, "status": Canteen.Status(status).label},
            code="status_transition",
        )
    if not manager and (current, status) not in STAFF_TRANSITIONS:
        raise field_error("status", _("Only the town or the county changes this."), code="not_village_field")
    last = canteen.events.order_by("-on", "-at", "-id").values_list("on", flat=True).first()
    if last is not None and day < last:
        raise field_error(
            "on",
            _("The last change was on %(day)s; give that day or a later one.") % {"day": f"{last:%Y-%m-%d}"},
            code="before_last_change",
        )
    event = CanteenEvent.objects.create(canteen=canteen, status=status, on=day, at=clock.now(), actor=actor, note=note)
    canteen.status = status
    fields = ["status"]
    if status == Canteen.Status.OPEN and canteen.opened_on is None:
        canteen.opened_on = day
        fields.append("opened_on")
    canteen.save(update_fields=fields)
    _audit(actor, canteen, "canteen.status", {"from": current, "to": status, "on": day.isoformat()})
    return event


@transaction.atomic
def canteen_cost_add(
    *, actor: User, canteen_id: int, kind: str, year: int, source: str, amount: Any, note: str = ""
) -> Cost:
    """Record money that built or runs a canteen and where it came from (its town officer or an
    administrator). ``amount`` is yuan as a Decimal or a string (never a float), more than zero,
    at most two decimals. Writes the cost and the audit row ``canteen.cost_add``. Raises NotFound,
    InvalidInput (also for village staff)."""
    canteen, manager = _locked(actor, canteen_id)
    if not manager:
        raise field_error("amount", _("Only the town or the county records costs."), code="not_village_field")
    kind = _choice(kind, "kind", Cost.Kind.values, _("Choose building or running."))
    year = whole(year, "year", FIRST_YEAR, clock.today_local().year + 1)
    source = _choice(source, "source", Cost.Source.values, _("Choose where the money came from."))
    value = _amount(amount)
    note = _line(note, "note", 200)
    cost = Cost.objects.create(
        canteen=canteen,
        kind=kind,
        year=year,
        source=source,
        amount=value,
        note=note,
        recorded_at=clock.now(),
        recorded_by=actor,
    )
    _audit(actor, canteen, "canteen.cost_add", {"kind": kind, "year": year, "source": source, "amount": str(value)})
    return cost
