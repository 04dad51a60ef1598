"""Lectures (理论宣讲): the sayings book, speakers and their adoption links (联系点), the bimonthly
quota of heads, lecture-team brands, orders (点单–派单–接单–评单), sessions with photos, and
listeners' attendance.

Built on the machinery that exists: a lecture team is a volunteering :class:`Team` of kind
``lecture``; listeners check in with the same rotating QR code as volunteers
(:mod:`rongxin.core.rotating`, prefix ``l1``); closing a session turns verified attendance into
credit through :func:`rongxin.credit.services.awards.awards_record` (rules ``P-PRA-01`` for
listeners and ``P-PRA-02`` for speakers, source ``lecture``).

Facts are appended: a published book is never changed (a new version is a new book row), an
order's history is a list of events, attendance rows are never updated.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.accounts.models import Department
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Team


# --- The sayings book -----------------------------------------------------------------------------
class Book(models.Model):
    """One version of the county's sayings book. A draft is edited; publishing freezes it (its
    content hash is kept) and makes it the current book; the next version starts as a copy."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=100)
    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    preface = models.TextField(_("preface"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("based on")
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)  # set on publishing

    class Meta:
        verbose_name = _("sayings book")
        verbose_name_plural = _("sayings books")
        ordering = ["-version"]
        constraints = [
            # At most one draft at a time: the next version is prepared in one place.
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="draft"), name="book_one_draft"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False, content_hash__gt=""),
                name="book_published_frozen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Saying(models.Model):
    """A saying (金句) of one book version with its plain-language interpretation. ``key`` is the
    saying's lasting identity across versions (``S01``...), so use is counted across versions."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="sayings")
    key = models.CharField(_("key"), max_length=12)
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.CharField(_("saying"), max_length=200)
    interpretation = models.TextField(_("interpretation"))
    tags = models.JSONField(_("topics"), default=list, blank=True)
    cases = models.TextField(_("local cases"), blank=True)

    class Meta:
        verbose_name = _("saying")
        verbose_name_plural = _("sayings")
        ordering = ["book", "number"]
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="saying_book_number"),
            models.UniqueConstraint(fields=["book", "key"], name="saying_book_key"),
        ]

    def __str__(self) -> str:
        return self.text


# --- Speakers, adoption links and the quota -------------------------------------------------------
class Speaker(models.Model):
    """Someone who gives lectures: a county leader, a head of a department or town (with the
    bimonthly quota while ``quota_since`` is set), a lecture-team member or a volunteer.

    ``subject`` is the speaker's own credit file (speakers earn credit for each lecture); ``user``
    the account they sign in with to accept orders and record sessions. ``area`` is the region a
    head answers for (a town, or the county for a department head); a session counts for the
    quota only inside it."""

    class Kind(models.TextChoices):
        LEADER = "leader", _("County leader")
        HEAD = "head", _("Head of a department or town")
        TEAM_MEMBER = "team_member", _("Lecture-team member")
        VOLUNTEER = "volunteer", pgettext_lazy("speaker kind", "Volunteer")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    position = models.CharField(_("position"), max_length=100, blank=True)
    subject = models.OneToOneField(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="speaker", verbose_name=_("credit file")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="speaker",
        verbose_name=_("account"),
    )
    area = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lecture team")
    )
    topics = models.JSONField(_("topics"), default=list, blank=True)
    quota_since = models.DateField(_("quota applies from"), null=True, blank=True)
    quota_until = models.DateField(_("quota applies until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["kind", "name", "id"]
        indexes = [models.Index(fields=["kind", "area"], name="speaker_kind_area")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quota_since__isnull=True) | models.Q(kind="head"), name="speaker_quota_heads_only"
            ),
            models.CheckConstraint(
                condition=models.Q(quota_until__isnull=True)
                | models.Q(quota_since__isnull=False, quota_until__gte=models.F("quota_since")),
                name="speaker_quota_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AdoptionLink(models.Model):
    """联系点: for a term, a county leader adopts exactly one town, one village or community and
    one enterprise. A leader's terms never overlap (the service checks under the speaker's lock);
    ``ended_at`` closes a link early."""

    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="links", verbose_name=_("leader"))
    town = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village or community")
    )
    enterprise = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise"))
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    ended_at = models.DateField(_("ended early on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("adoption link")
        verbose_name_plural = _("adoption links")
        ordering = ["speaker", "-term_start"]
        constraints = [
            models.UniqueConstraint(fields=["speaker", "term_start"], name="link_speaker_term"),
            models.CheckConstraint(condition=models.Q(term_end__gt=models.F("term_start")), name="link_term_order"),
        ]
        indexes = [
            models.Index(fields=["town", "term_start"], name="link_town"),
            models.Index(fields=["village", "term_start"], name="link_village"),
        ]

    def __str__(self) -> str:
        return f"{self.speaker_id}: {self.town_id}/{self.village_id}/{self.enterprise_id}"


class QuotaPolicy(models.Model):
    """How many lectures a head owes per period, from a date on. Periods are calendar-aligned
    blocks of ``period_months`` months (2: Jan–Feb, Mar–Apr, ...); ``period_months`` divides 12."""

    effective_from = models.DateField(_("from"), unique=True)
    lectures_per_period = models.PositiveSmallIntegerField(_("lectures per period"), default=1)
    period_months = models.PositiveSmallIntegerField(_("period (months)"), default=2)
    notice_days = models.PositiveSmallIntegerField(_("reminder days before the period ends"), default=14)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("lecture quota policy")
        verbose_name_plural = _("lecture quota policies")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_months__in=[1, 2, 3, 4, 6, 12]), name="quota_period_divides_year"
            ),
            models.CheckConstraint(condition=models.Q(lectures_per_period__gte=1), name="quota_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.lectures_per_period}/{self.period_months}m from {self.effective_from}"


class QuotaReminder(models.Model):
    """A reminder sent to a head who had no lecture recorded two weeks before a period ended:
    one per head and period (the unique key makes the job safe to run twice)."""

    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="quota_reminders")
    period_start = models.DateField(_("period starts"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("quota reminder")
        verbose_name_plural = _("quota reminders")
        constraints = [models.UniqueConstraint(fields=["speaker", "period_start"], name="quota_reminder_once")]

    def __str__(self) -> str:
        return f"{self.speaker_id} {self.period_start}"


class TeamBrand(models.Model):
    """What lectures add to a volunteering team of kind ``lecture``: its brand (百姓名嘴, 夕阳红,
    红领巾...) and audience. The team's tier (the three-tier system) stays on the team."""

    team = models.OneToOneField(Team, primary_key=True, on_delete=models.PROTECT, related_name="lecture_brand")
    brand = models.CharField(_("brand"), max_length=40)
    audience = models.CharField(_("audience"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("lecture-team brand")
        verbose_name_plural = _("lecture-team brands")
        indexes = [models.Index(fields=["brand"], name="team_brand")]

    def __str__(self) -> str:
        return self.brand


# --- Ordering: 点单–派单–接单–评单 ----------------------------------------------------------------
class Order(models.Model):
    """A lecture ordered by a village, community, enterprise, school or canteen. ``state`` is a
    cache of the last :class:`OrderEvent`; the transitions live in :mod:`rongxin.lectures.domain.orders`."""

    class Orderer(models.TextChoices):
        VILLAGE = "village", _("Village")
        COMMUNITY = "community", _("Community")
        ENTERPRISE = "enterprise", _("Enterprise")
        SCHOOL = "school", _("School")
        CANTEEN = "canteen", _("Canteen")

    class State(models.TextChoices):
        ORDERED = "ordered", _("Ordered, awaiting dispatch")
        DISPATCHED = "dispatched", _("Dispatched, awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        HELD = "held", _("Held, awaiting rating")
        RATED = "rated", _("Rated")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    orderer_kind = models.CharField(_("ordered by"), max_length=12, choices=Orderer.choices)
    orderer_name = models.CharField(_("orderer"), max_length=100)
    enterprise = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise")
    )
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField(_("ordered at"))
    topic = models.CharField(_("topic"), max_length=200)
    saying = models.ForeignKey(
        Saying, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("saying")
    )
    preferred_from = models.DateField(_("preferred from"))
    preferred_to = models.DateField(_("preferred until"))
    audience = models.CharField(_("audience"), max_length=200)
    audience_size = models.PositiveIntegerField(_("expected listeners"))
    place = models.CharField(_("place"), max_length=200)
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.ORDERED)
    dispatch_by = models.DateTimeField(_("dispatch by"))
    answer_by = models.DateTimeField(_("answer by"), null=True, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lecture team")
    )
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", verbose_name=_("speaker")
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lecture order")
        verbose_name_plural = _("lecture orders")
        ordering = ["-ordered_at", "-id"]
        indexes = [
            models.Index(fields=["state", "dispatch_by"], name="order_state_dispatch"),
            models.Index(fields=["region", "ordered_at"], name="order_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(preferred_to__gte=models.F("preferred_from")), name="order_preferred_range"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="order_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return self.topic


class OrderEvent(models.Model):
    """One step of an order's history (ordered, dispatched, accepted, declined, held, rated,
    cancelled, expired, timed_out); appended, never changed."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=12)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["order", "at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.from_state}→{self.to_state}"


# --- Sessions and attendance ----------------------------------------------------------------------
class Session(models.Model):
    """One lecture held (or to be held) somewhere: by speakers and/or a lecture team, covering
    sayings, at a practice site, a venue, or a mobile place with coordinates."""

    class Format(models.TextChoices):
        TALK = "talk", _("Talk")
        THEATRE = "theatre", _("Theatre and performance")
        PRE_MEAL = "pre_meal", _("Pre-meal quarter hour")

    class PlaceKind(models.TextChoices):
        SITE = "site", _("Practice site")
        VENUE = "venue", _("Venue")
        FIELD = "field", _("Field")
        FISHING_FARM = "fishing_farm", _("Fishing farm")
        MARKET = "market", _("Village market")
        OTHER = "other", _("Other place")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CLOSED = "closed", _("Closed (credit awarded)")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=120)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lecture team")
    )
    order = models.OneToOneField(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="session", verbose_name=_("order")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    town = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("town"))
    place_kind = models.CharField(_("kind of place"), max_length=14, choices=PlaceKind.choices)
    site = models.ForeignKey(PracticeSite, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.TALK)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    audience_count = models.PositiveIntegerField(_("audience count"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    qr_secret = models.BinaryField(_("check-in code secret"))
    listener_count = models.PositiveIntegerField(_("checked-in listeners"), default=0)  # cache
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lecture session")
        verbose_name_plural = _("lecture sessions")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["region", "starts_at"], name="session_region_start"),
            models.Index(fields=["town", "starts_at"], name="session_town_start"),
            models.Index(fields=["team", "starts_at"], name="session_team_start"),
            models.Index(fields=["status", "starts_at"], name="session_status_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after"),
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="session_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SessionSpeaker(models.Model):
    """A speaker of a session; ``counts_for_quota`` says whether it counts toward the head's
    quota (inside their area and inside the period the session's date falls in)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="speakers")
    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="session_links")
    counts_for_quota = models.BooleanField(_("counts for the quota"), default=False)
    at_link = models.BooleanField(_("at the leader's adoption link"), default=False)

    class Meta:
        verbose_name = _("session speaker")
        verbose_name_plural = _("session speakers")
        constraints = [models.UniqueConstraint(fields=["session", "speaker"], name="session_speaker_unique")]
        indexes = [models.Index(fields=["speaker", "session"], name="session_speaker_by_speaker")]

    def __str__(self) -> str:
        return f"{self.speaker_id} @ {self.session_id}"


class SessionSaying(models.Model):
    """A saying a session covered (by its lasting ``key``, so use is counted across versions)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="sayings")
    saying = models.ForeignKey(Saying, on_delete=models.PROTECT, related_name="+")
    saying_key = models.CharField(_("saying key"), max_length=12)

    class Meta:
        verbose_name = _("saying covered")
        verbose_name_plural = _("sayings covered")
        constraints = [models.UniqueConstraint(fields=["session", "saying_key"], name="session_saying_unique")]
        indexes = [models.Index(fields=["saying_key"], name="session_saying_key")]

    def __str__(self) -> str:
        return f"{self.saying_key} @ {self.session_id}"


class SessionPhoto(models.Model):
    """A photo as evidence of a session: checked to be a JPEG, PNG or WebP image within the size
    limit, re-encoded without its metadata (no location leaks), kept in the database."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="photos")
    content_type = models.CharField(_("type"), max_length=20)
    size = models.PositiveIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("session photo")
        verbose_name_plural = _("session photos")
        constraints = [models.UniqueConstraint(fields=["session", "sha256"], name="session_photo_once")]

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.session_id}"


class Attendance(models.Model):
    """A listener present at a session: by the rotating QR code on their own phone or recorded by
    the organiser (assisted). One row per listener and session; never changed."""

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        ASSISTED = "assisted", _("Recorded by the organiser")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendances")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", db_index=False)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    at = models.DateTimeField(_("time"))
    token_step = models.BigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["subject", "session"], name="attendance_once")]
        indexes = [models.Index(fields=["session", "at"], name="attendance_session")]

    def __str__(self) -> str:
        return f"{self.subject_id} @ {self.session_id}"
