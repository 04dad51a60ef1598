"""Warm-heart canteens (暖心食堂): free lunches for village elders.

Built on the machinery that exists:

- a canteen stands in a village (:class:`rongxin.regions.models.Region`); its place is a
  :class:`~rongxin.regions.models.Venue` of kind ``canteen`` (coordinates);
- its cooks are volunteers on the canteen's volunteering :class:`~rongxin.volunteering.models.Team`
  (kind ``canteen``); the weekly rota is made of volunteering activities (types
  ``canteen_cooking`` and ``meal_delivery``), so hours and credit (rule ``P-PRA-03``) flow as for
  any activity;
- elders are person subjects (age from the credit file's birth date);
- donors earn credit through :func:`rongxin.credit.services.awards.awards_record` (rules
  ``P-DON-01`` for persons and ``E-DON-01`` for organisations, source ``canteen``);
- a pre-meal quarter hour (餐前一刻钟) is a lecture :class:`~rongxin.lectures.models.Session` of
  format ``pre_meal`` held at the canteen's venue.

Facts are appended: a day's service is a list of revisions (the latest is current), status
changes are events, donations and stock use are never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.regions.models import Region, Venue
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Activity, Team, Volunteer


# --- Canteens and the coverage plan ---------------------------------------------------------------
class Canteen(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        BUILDING = "building", _("Being built")
        OPEN = "open", pgettext_lazy("canteen status", "Open")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", pgettext_lazy("canteen status", "Closed")

    class Operator(models.TextChoices):
        VILLAGE_COMMITTEE = "committee", _("Village committee")
        PARTY_BRANCH = "party_branch", _("Party branch")

    name = models.CharField(_("name"), max_length=100)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    town = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("town"))
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("venue")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    operator = models.CharField(_("operator"), max_length=12, choices=Operator.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    planned_year = models.PositiveSmallIntegerField(_("planned to open in"), null=True, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    seats = models.PositiveIntegerField(_("seats"))
    # Weekdays lunch is served, Monday = 0 … Sunday = 6; the programme asks for at least five.
    meal_weekdays = models.JSONField(_("meal days"), default=list)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("cook team")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    elder_count = models.PositiveIntegerField(_("enrolled elders"), default=0)  # cache, under the canteen's lock

    class Meta:
        verbose_name = _("canteen")
        verbose_name_plural = _("canteens")
        ordering = ["village__code", "name"]
        indexes = [
            models.Index(fields=["town", "status"], name="canteen_town_status"),
            models.Index(fields=["village", "status"], name="canteen_village_status"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(seats__gt=0), name="canteen_seats_positive")]

    def __str__(self) -> str:
        return self.name


class CanteenEvent(models.Model):
    """One change of a canteen's status (or its creation), appended."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(_("status"), max_length=10, choices=Canteen.Status.choices)
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("canteen status change")
        verbose_name_plural = _("canteen status changes")
        ordering = ["canteen", "at", "id"]

    def __str__(self) -> str:
        return f"{self.canteen_id}: {self.status} {self.on}"


class Cost(models.Model):
    """Money that built or runs a canteen and where it came from (about ¥90,000 to build, of which
    the county pays about ¥20,000)."""

    class Kind(models.TextChoices):
        BUILD = "build", _("Building")
        RUNNING = "running", pgettext_lazy("canteen cost", "Running")

    class Source(models.TextChoices):
        COUNTY = "county", _("County fund")
        TOWN = "town", _("Town")
        VILLAGE = "village", _("Village collective")
        DONATION = "donation", _("Donations")
        OTHER = "other", _("Other")

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="costs")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("paid by"), max_length=10, choices=Source.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("canteen cost")
        verbose_name_plural = _("canteen costs")
        ordering = ["canteen", "year", "kind", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="canteen_cost_positive")]

    def __str__(self) -> str:
        return f"{self.canteen_id}: {self.kind} {self.year} ¥{self.amount}"


class CoveragePolicy(models.Model):
    """The county's coverage target: the share of villages with an open canteen to reach."""

    county = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    target_percent = models.PositiveSmallIntegerField(_("target share of villages (%)"), default=80)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("coverage target")
        verbose_name_plural = _("coverage targets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_percent__gte=1, target_percent__lte=100), name="coverage_target_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_percent}%"


class BuildPlan(models.Model):
    """How many canteens the county plans to open in a year (about 100)."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    year = models.PositiveSmallIntegerField(_("year"))
    planned = models.PositiveIntegerField(_("canteens to open"))
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("build plan")
        verbose_name_plural = _("build plans")
        ordering = ["county", "year"]
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="build_plan_year_unique")]

    def __str__(self) -> str:
        return f"{self.year}: {self.planned}"


# --- Elders -------------------------------------------------------------------------------------------
class Elder(models.Model):
    """A resident enrolled in a canteen. Only what lunch needs: dietary notes and whether the meal
    is delivered, never a medical record. Leaving sets ``left_on``; a later return is a new row."""

    class ConsentBy(models.TextChoices):
        SELF = "self", _("The elder")
        FAMILY = "family", _("A family member")

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="elders")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")  # the canteen's
    enrolled_on = models.DateField(_("enrolled on"))
    consent_by = models.CharField(_("consent given by"), max_length=8, choices=ConsentBy.choices)
    consent_name = models.CharField(_("family member"), max_length=60, blank=True)
    consent_relation = models.CharField(_("relation"), max_length=20, blank=True)
    consent_at = models.DateTimeField(_("consented at"))
    dietary_note = models.CharField(_("dietary notes"), max_length=200, blank=True)
    needs_delivery = models.BooleanField(_("needs delivery"), default=False)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("enrolled elder")
        verbose_name_plural = _("enrolled elders")
        ordering = ["canteen", "id"]
        indexes = [models.Index(fields=["canteen", "left_on"], name="elder_canteen_left")]
        constraints = [
            # One canteen at a time per elder.
            models.UniqueConstraint(
                fields=["subject"], condition=models.Q(left_on__isnull=True), name="elder_one_current_canteen"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.canteen_id}: {self.subject_id}"


# --- Daily service -----------------------------------------------------------------------------------
class ServiceDay(models.Model):
    """One revision of a canteen's lunch on one day: counts of elders who ate in, who got a
    delivery and walk-ins. A correction appends the next revision; ``current`` marks the latest
    (a cache kept under the canteen's lock). A day with no row is *missing*, not zero."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="days")
    town = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")  # the canteen's, for figures
    date = models.DateField(_("date"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    eat_in = models.PositiveIntegerField(_("ate in"))
    delivered = models.PositiveIntegerField(_("delivered"))
    walk_ins = models.PositiveIntegerField(_("walk-ins"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    current = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("day of service")
        verbose_name_plural = _("days of service")
        ordering = ["canteen", "date", "revision"]
        indexes = [
            models.Index(fields=["date", "town"], name="serviceday_date_town", condition=models.Q(current=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["canteen", "date", "revision"], name="serviceday_revision_unique"),
            models.UniqueConstraint(
                fields=["canteen", "date"], condition=models.Q(current=True), name="serviceday_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.canteen_id} {self.date} r{self.revision}"


class Meal(models.Model):
    """One enrolled elder's lunch on one day, part of a :class:`ServiceDay` revision. Only the
    current revision's meals are ``current``; one elder has at most one current meal a day, so two
    canteens cannot both claim them."""

    class Kind(models.TextChoices):
        EAT_IN = "eat_in", _("Ate in")
        DELIVERED = "delivered", _("Delivered")

    day = models.ForeignKey(ServiceDay, on_delete=models.PROTECT, related_name="meals")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", db_index=False)
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    current = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("meal")
        verbose_name_plural = _("meals")
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["day", "subject"], name="meal_one_per_revision"),
            models.UniqueConstraint(
                fields=["subject", "date"], condition=models.Q(current=True), name="meal_one_current_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.date} {self.kind}"


# --- Cooks ---------------------------------------------------------------------------------------------
class HealthCertificate(models.Model):
    """A cook's health certificate (健康证). A volunteer whose latest certificate has expired cannot
    be put on a canteen rota; the cook and the canteen's managers get a notice 30 days before."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("certificate number"), max_length=40)
    issuer = models.CharField(_("issued by"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reminded_at = models.DateTimeField(_("expiry notice sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("health certificate")
        verbose_name_plural = _("health certificates")
        ordering = ["volunteer", "-expires_on"]
        indexes = [models.Index(fields=["expires_on"], name="healthcert_expires")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("issued_on")), name="healthcert_expires_after_issue"
            ),
            models.UniqueConstraint(fields=["volunteer", "number"], name="healthcert_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class Training(models.Model):
    """A food-safety training a cook attended."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="+")
    course = models.CharField(_("course"), max_length=100)
    provider = models.CharField(_("given by"), max_length=100)
    on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("food-safety training")
        verbose_name_plural = _("food-safety trainings")
        ordering = ["volunteer", "-on"]
        constraints = [models.CheckConstraint(condition=models.Q(hours__gt=0), name="training_hours_positive")]

    def __str__(self) -> str:
        return f"{self.course} {self.on}"


class RotaSlot(models.Model):
    """A cook placed on a canteen's rota for one day and duty. The day's work is a volunteering
    :class:`Activity` of the canteen's team; the cook is invited to it (sign-up stays voluntary)."""

    class Duty(models.TextChoices):
        COOK = "cook", _("Cooking")
        SERVE = "serve", _("Serving")
        DELIVER = "deliver", _("Delivering")

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="rota")
    date = models.DateField(_("date"))
    duty = models.CharField(_("duty"), max_length=8, choices=Duty.choices)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rota place")
        verbose_name_plural = _("rota places")
        ordering = ["canteen", "date", "duty", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["canteen", "date", "volunteer"],
                condition=models.Q(removed_at__isnull=True),
                name="rota_one_place_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.canteen_id} {self.date} {self.duty} {self.volunteer_id}"


# --- Donations and supplies ----------------------------------------------------------------------
class Donation(models.Model):
    """Money or goods a person or organisation gave a canteen. Shown on the canteen's public
    notice (公示) under the donor's name unless they asked to stay anonymous. A donor who is a
    subject earns credit once (``credit_key``)."""

    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        GOODS = "goods", _("Goods")

    class DonorKind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="donations")
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    donor_kind = models.CharField(_("donor is"), max_length=12, choices=DonorKind.choices)
    donor = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    donor_name = models.CharField(_("donor"), max_length=100)
    anonymous = models.BooleanField(_("stay anonymous"), default=False)
    item = models.CharField(_("item"), max_length=60, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    # Money given, or the value of goods as assessed on receipt (yuan).
    value = models.DecimalField(_("value (yuan)"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    credit_key = models.CharField(_("credit entry key"), max_length=120, blank=True)
    credit_points = models.PositiveIntegerField(_("credit points"), null=True, blank=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["canteen", "-received_on", "-id"]
        indexes = [models.Index(fields=["canteen", "received_on"], name="donation_canteen_day")]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="donation_value_not_negative"),
            models.CheckConstraint(
                condition=models.Q(quantity__isnull=True) | models.Q(quantity__gt=0), name="donation_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor_name} ¥{self.value}"


class StockUse(models.Model):
    """Donated goods used, for the public notice (e.g. 50 kg of rice used in March)."""

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="stock_uses")
    item = models.CharField(_("item"), max_length=60)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10)
    used_on = models.DateField(_("used on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("stock used")
        verbose_name_plural = _("stock used")
        ordering = ["canteen", "-used_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="stockuse_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity}{self.unit}"


# --- Clinics -------------------------------------------------------------------------------------------
class ClinicVisit(models.Model):
    """A visit by a hospital or a department (health, civil affairs) to hold a clinic at a canteen."""

    class ProviderKind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        HEALTH = "health", _("Health department")
        CIVIL_AFFAIRS = "civil_affairs", _("Civil-affairs department")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    canteen = models.ForeignKey(Canteen, on_delete=models.PROTECT, related_name="clinics")
    provider_kind = models.CharField(_("provider"), max_length=14, choices=ProviderKind.choices)
    provider_name = models.CharField(_("hospital or department"), max_length=100)
    services = models.CharField(_("services"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    staff = models.CharField(_("who came"), max_length=300, blank=True)
    elders_seen = models.PositiveIntegerField(_("elders seen"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("clinic visit")
        verbose_name_plural = _("clinic visits")
        ordering = ["canteen", "-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="clinic_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_name} {self.starts_at:%Y-%m-%d}"
