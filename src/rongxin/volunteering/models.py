"""Volunteering: volunteers, three-tier teams, activities, voluntary sign-up, attendance scans,
service records (appended, never overwritten), hours awards into credit, certificates and
mobilisation call-outs.

Facts are appended: scans, service records (a correction is a new revision), hours awards (a
correction supersedes an award and appends a new one). Counters such as
``Volunteer.total_minutes`` are caches that the services keep in step with the facts.
A volunteer's primary key is their subject id, so ``volunteer_id`` on every per-person table is the
subject id and the big tables can be distributed by subject.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.subjects.models import Subject


class Skill(models.TextChoices):
    MEDICAL = "medical", _("Medical care")
    NURSING = "nursing", _("Elderly care and nursing")
    LEGAL = "legal", _("Legal advice")
    TEACHING = "teaching", _("Teaching and tutoring")
    COOKING = "cooking", _("Cooking")
    DRIVING = "driving", _("Driving")
    FIRST_AID = "first_aid", _("First aid")
    RESCUE = "rescue", _("Rescue and emergency")
    ARTS = "arts", _("Arts and performance")
    SPORTS = "sports", _("Sports")
    LECTURING = "lecturing", _("Public speaking")
    IT = "it", _("Computers and phones")
    REPAIR = "repair", _("Repairs and handiwork")
    FARMING = "farming", _("Farming and fishery")


class Volunteer(models.Model):
    """A person registered as a volunteer. Identified in public by ``number``, never by the ID
    number."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", pgettext_lazy("volunteer status", "Withdrawn")

    subject = models.OneToOneField(Subject, primary_key=True, on_delete=models.PROTECT, related_name="volunteer")
    number = models.CharField(_("volunteer number"), max_length=12, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    registered_at = models.DateTimeField(_("registered at"))
    consent_at = models.DateTimeField(_("agreed to the service terms at"))
    guardian_name = models.CharField(_("guardian"), max_length=60, blank=True)
    guardian_relation = models.CharField(_("guardian's relation"), max_length=20, blank=True)
    guardian_consent_at = models.DateTimeField(_("guardian consented at"), null=True, blank=True)
    total_minutes = models.PositiveIntegerField(_("verified service minutes"), default=0)  # cache

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return self.number


class Team(models.Model):
    class Tier(models.TextChoices):
        DEPARTMENT_EXPERT = "department_expert", _("Department expert team")
        URBAN_PROFESSIONAL = "urban_professional", _("Urban professional team")
        TOWN_VILLAGE = "town_village", _("Town and village self-service team")

    class Kind(models.TextChoices):
        SERVICE = "service", _("General service")
        LECTURE = "lecture", _("Lectures")
        CANTEEN = "canteen", _("Canteen")
        EMERGENCY = "emergency", _("Emergency")
        MEDICAL = "medical", _("Medical")
        LEGAL = "legal", _("Legal aid")
        CULTURE = "culture", _("Culture and sports")
        ENVIRONMENT = "environment", _("Environment")
        EDUCATION = "education", _("Education")

    name = models.CharField(_("name"), max_length=100)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("home region"))
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="team_region_name")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    applied_at = models.DateTimeField(_("applied at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["volunteer", "team"], name="membership_unique")]
        indexes = [models.Index(fields=["team", "status"], name="membership_team_status")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} @ {self.team_id} ({self.status})"


class ActivityType(models.Model):
    """A kind of civilization-practice activity and the credit rule its verified hours earn."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=80)
    credit_rule_code = models.CharField(_("credit rule"), max_length=20)
    risky = models.BooleanField(_("needs accident insurance"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_zh

    def name(self, language: str) -> str:
        return self.name_en if language.startswith("en") else self.name_zh


class Activity(models.Model):
    """A volunteer activity. ``status`` is what people decided (draft, published, cancelled,
    closed); :meth:`phase` adds what the clock says (ongoing, finished)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")
        CLOSED = "closed", _("Closed (hours verified)")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="activities")
    type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    site = models.ForeignKey(PracticeSite, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    geofence_m = models.PositiveIntegerField(_("check-in radius (m)"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    signup_opens_at = models.DateTimeField(_("sign-up opens"))
    signup_closes_at = models.DateTimeField(_("sign-up closes"))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=0)
    skills = models.JSONField(_("skills required"), default=list, blank=True)
    insured = models.BooleanField(_("accident insurance arranged"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    confirmed_count = models.PositiveIntegerField(default=0)  # cache, kept under the activity's lock
    waitlist_count = models.PositiveIntegerField(default=0)  # cache
    qr_secret = models.BinaryField(_("check-in code secret"))
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    callout_shift = models.ForeignKey(
        "Shift", null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["status", "starts_at"], name="activity_status_start"),
            models.Index(fields=["region", "starts_at"], name="activity_region_start"),
            models.Index(fields=["team", "starts_at"], name="activity_team_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after"),
            models.CheckConstraint(
                condition=models.Q(signup_closes_at__gt=models.F("signup_opens_at")), name="activity_signup_window"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="activity_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def phase(self, now):  # type: ignore[no-untyped-def]
        """draft, published (before the start), ongoing, finished (awaiting verification),
        cancelled or closed."""
        if self.status != self.Status.PUBLISHED:
            return self.status
        if now < self.starts_at:
            return "published"
        if now < self.ends_at:
            return "ongoing"
        return "finished"


class Signup(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Invitation declined")
        DROPPED = "dropped", _("Activity cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("signed up at"))
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)  # waitlist order
    changed_at = models.DateTimeField(_("changed at"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [models.UniqueConstraint(fields=["volunteer", "activity"], name="signup_unique")]
        indexes = [models.Index(fields=["activity", "status", "queued_at"], name="signup_activity_status")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} → {self.activity_id} ({self.status})"


class Scan(models.Model):
    """One attendance event (a check-in or check-out), accepted or refused; never changed."""

    class Kind(models.TextChoices):
        IN = "in", _("Check-in")
        OUT = "out", _("Check-out")

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        ASSISTED = "assisted", _("Recorded by the organiser")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="scans")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="scans")
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    at = models.DateTimeField(_("time"))
    accepted = models.BooleanField(_("accepted"))
    problem = models.CharField(_("problem"), max_length=30, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    distance_m = models.PositiveIntegerField(null=True, blank=True)
    token_step = models.BigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # An accepted scan's place among the volunteer's accepted scans of the activity (1, 2, ...).
    # Unique with them: two taps at the same moment both read "n accepted so far", and only one
    # can write n + 1, whatever their direction or method. Refused scans have none.
    seq = models.PositiveIntegerField(_("accepted scan number"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance scan")
        verbose_name_plural = _("attendance scans")
        indexes = [
            models.Index(fields=["activity", "volunteer", "at"], name="scan_activity_volunteer"),
            models.Index(fields=["volunteer", "at"], name="scan_volunteer_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "activity", "seq"], condition=models.Q(accepted=True), name="scan_accepted_seq"
            ),
            models.CheckConstraint(
                condition=models.Q(accepted=True) | models.Q(seq__isnull=True), name="scan_refused_unnumbered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.volunteer_id} @ {self.activity_id} {self.at:%Y-%m-%d %H:%M}"


class ServiceRecord(models.Model):
    """The service record of the national volunteer-record rules, one revision per row: the
    organiser's verification is revision 1, each accepted correction appends the next."""

    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        SATISFACTORY = "satisfactory", _("Satisfactory")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="records")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records")
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser"))
    service_date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    content = models.CharField(_("content"), max_length=200)
    started_at = models.DateTimeField(_("service started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("service ended"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("service minutes"))
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorder")
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    current = models.BooleanField(default=True)  # cache: the latest revision

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "activity", "revision"], name="record_revision_unique"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "service_date"], name="record_volunteer_date"),
            models.Index(fields=["activity"], name="record_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} @ {self.activity_id} r{self.revision}: {self.minutes} min"


class Correction(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the organiser")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="corrections")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="corrections")
    requested_minutes = models.PositiveIntegerField(_("service minutes asked for"))
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("asked at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.CharField(_("reason for the decision"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(status="pending"), name="correction_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"correction of {self.record_id} ({self.status})"


class ConversionPolicy(models.Model):
    """How verified hours become credit points, per calendar year (Beijing time): brackets of
    cumulative yearly hours, each with the hours one point takes, and a yearly cap."""

    effective_year = models.PositiveSmallIntegerField(_("from year"), unique=True)
    brackets = models.JSONField(_("brackets"))  # [[upper hours or null, hours per point], ...]
    yearly_cap_points = models.PositiveIntegerField(_("yearly cap (points)"))
    rounding_minutes = models.PositiveSmallIntegerField(_("hours rounded down to (minutes)"), default=30)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("hours conversion policy")
        verbose_name_plural = _("hours conversion policies")

    def __str__(self) -> str:
        return f"from {self.effective_year}"


class HoursAward(models.Model):
    """The credit a service record earned: the volunteer's verified hours earlier in the year,
    this record's hours, the points, and the credit entry's idempotency key. A correction
    supersedes the award and appends a new one."""

    record = models.OneToOneField(ServiceRecord, on_delete=models.PROTECT, related_name="award")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="awards")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    minutes_before = models.PositiveIntegerField(_("verified minutes earlier in the year"))
    minutes = models.PositiveIntegerField(_("minutes"))
    points = models.PositiveIntegerField(_("points"))
    rule_code = models.CharField(_("credit rule"), max_length=20)
    entry_key = models.CharField(_("credit entry key"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hours award")
        verbose_name_plural = _("hours awards")
        indexes = [models.Index(fields=["volunteer", "year"], name="award_volunteer_year")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.year}: {self.points} points"


class Certificate(models.Model):
    """A service certificate for a volunteer and a period. ``digest`` signs its content; the
    public verification page recomputes it."""

    number = models.CharField(_("certificate number"), max_length=24, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    issuer = models.CharField(_("issuer"), max_length=100)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    minutes = models.PositiveIntegerField(_("service minutes"))
    records = models.PositiveIntegerField(_("service records"))
    content = models.CharField(_("content"), max_length=300)
    issued_at = models.DateTimeField(_("issued at"))
    digest = models.CharField(max_length=64)
    # Set only on copies issued before issuing was idempotent (a re-submitted form): they stay
    # valid, since they may have been printed, but the original is the one a repeat returns.
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("repeat of")
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        # One certificate per volunteer, issuer, period and the totals it certifies: asking
        # again returns it, while a period whose records changed since (a correction, a later
        # close) gets a new one with the new totals.
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "team", "period_from", "period_to", "minutes", "records"],
                condition=models.Q(team__isnull=False, repeat_of__isnull=True),
                name="certificate_once_per_team",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "issuer", "period_from", "period_to", "minutes", "records"],
                condition=models.Q(team__isnull=True, repeat_of__isnull=True),
                name="certificate_once_per_committee",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CallOut(models.Model):
    """A mobilisation: flood, epidemic checkpoint, clean-up campaign, with shifts at places."""

    class Kind(models.TextChoices):
        FLOOD = "flood", _("Flood and storm")
        EPIDEMIC = "epidemic", _("Epidemic checkpoint")
        CLEANUP = "cleanup", _("Clean-up campaign")
        FIRE = "fire", _("Forest-fire watch")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("call-out")
        verbose_name_plural = _("call-outs")

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    callout = models.ForeignKey(CallOut, on_delete=models.PROTECT, related_name="shifts")
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    needed = models.PositiveIntegerField(_("people needed"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after")
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.starts_at:%Y-%m-%d %H:%M}"


class Duty(models.Model):
    """Someone on a shift: a volunteer who responded, or staff the organiser put on duty (not a
    volunteer, so not counted as one)."""

    class Status(models.TextChoices):
        ON_DUTY = "on_duty", _("On duty")
        WITHDRAWN = "withdrawn", pgettext_lazy("duty status", "Withdrawn")

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="duties")
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="duties")
    staff_name = models.CharField(_("staff member"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ON_DUTY)
    responded_at = models.DateTimeField(_("responded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "shift"], condition=models.Q(volunteer__isnull=False), name="duty_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(volunteer__isnull=False) | ~models.Q(staff_name=""), name="duty_who"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id or self.staff_name} on {self.shift_id}"
