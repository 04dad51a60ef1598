"""The project marketplace (项目超市), small wishes (微心愿) and the charity ceremony (公益典礼).

"The government sets up service projects, caring companies sponsor and name them, volunteer teams
carry them out." A :class:`Project` is published by the county centre, a town's institute, a
village's station or a department; organisations and people :class:`Pledge` (认领) all of its
budget (title sponsorship, 冠名: the project then carries the sponsor's name) or a share; each
:class:`Payment` received is a journal entry in the project marketplace fund (``funds``), on the
project's own income account, and earns the sponsor credit once. A volunteer team applies
(:class:`TeamApplication`), the publisher picks one, the work is volunteering activities linked
to the project (:class:`ProjectActivity`: hours and credit as usual), reported by
:class:`Milestone` s with photos; :class:`Spending` leaves the project's account with a voucher.
The publisher accepts the result with the beneficiaries' feedback; a left-over is returned or
moved by a journal entry (:class:`Settlement`), never lost, and the project closes.

Money is never kept twice: ``Project.raised``/``spent``/``settled`` and ``Pledge.paid`` are caches
kept by the services under the fund's row lock, equal to the lines of the project's accounts
(``rongxin.funds.domain.accounts.project_codes``), and the tests hold them to it.

A :class:`Wish` is a resident's small need with a ceiling value; a person or organisation claims
and fulfils it, the resident confirms receipt. Its public page never shows the resident's full
name or address. A :class:`Ceremony` is the yearly charity ceremony that launches a batch of
projects and shows the claims live.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.accounts.models import Department
from rongxin.funds.models import Fund, JournalEntry
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Activity, Team


class Ceremony(models.Model):
    """The yearly charity ceremony (公益典礼): it launches a batch of projects (publishes them when
    it starts) and its screen shows the claims made during it."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=120)
    venue = models.CharField(_("venue"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    launched_at = models.DateTimeField(_("projects launched at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("charity ceremony")
        verbose_name_plural = _("charity ceremonies")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="ceremony_ends_after")
        ]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    """A service project of the marketplace. See the module's text for its life."""

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("project state", "Draft")
        PUBLISHED = "published", pgettext_lazy("project state", "Published")
        CLAIMED = "claimed", pgettext_lazy("project state", "Claimed")
        IN_PROGRESS = "in_progress", pgettext_lazy("project state", "In progress")
        COMPLETED = "completed", pgettext_lazy("project state", "Completed")
        ACCEPTED = "accepted", pgettext_lazy("project state", "Accepted")
        CLOSED = "closed", pgettext_lazy("project state", "Closed")

    class Category(models.TextChoices):
        ELDERLY = "elderly", pgettext_lazy("project category", "Care for the elderly")
        CHILDREN = "children", pgettext_lazy("project category", "Children and study")
        DISABILITY = "disability", pgettext_lazy("project category", "People with disabilities")
        HARDSHIP = "hardship", pgettext_lazy("project category", "Families in hardship")
        ENVIRONMENT = "environment", pgettext_lazy("project category", "Environment")
        CULTURE = "culture", pgettext_lazy("project category", "Culture and sports")
        HEALTH = "health", pgettext_lazy("project category", "Health")
        COMMUNITY = "community", pgettext_lazy("project category", "Community")

    class Publisher(models.TextChoices):
        CENTRE = "centre", _("County civilization practice centre")
        INSTITUTE = "institute", _("Town civilization practice institute")
        STATION = "station", _("Village civilization practice station")
        DEPARTMENT = "department", _("Department")

    number = models.CharField(_("number"), max_length=16, unique=True)  # XM2026-0001
    title = models.CharField(_("title"), max_length=120)
    need = models.TextField(_("need"), max_length=2000)
    beneficiaries = models.CharField(_("beneficiaries"), max_length=200)
    beneficiary_count = models.PositiveIntegerField(_("number of beneficiaries"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    team_kind = models.CharField(_("kind of team needed"), max_length=12, choices=Team.Kind.choices)
    publisher = models.CharField(_("publisher"), max_length=10, choices=Publisher.choices)
    publisher_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("publisher's region")
    )
    publisher_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    ceremony = models.ForeignKey(
        Ceremony, null=True, blank=True, on_delete=models.PROTECT, related_name="projects", verbose_name=_("ceremony")
    )
    # The title sponsor (冠名单位) once a pledge for the whole budget is made, and the name the
    # project then carries (e.g. 「某某公司·夕阳红助浴」).
    title_sponsor = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title_name = models.CharField(_("sponsored title"), max_length=160, blank=True)
    # Caches kept under the project marketplace fund's row lock (see the module's text).
    pledged = models.DecimalField(_("pledged (yuan)"), default=0, max_digits=12, decimal_places=2)
    raised = models.DecimalField(_("raised (yuan)"), default=0, max_digits=12, decimal_places=2)
    spent = models.DecimalField(_("spent (yuan)"), default=0, max_digits=12, decimal_places=2)
    settled = models.DecimalField(_("left-over returned or moved (yuan)"), default=0, max_digits=12, decimal_places=2)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    completion_report = models.TextField(_("completion report"), max_length=4000, blank=True)
    acceptance_note = models.TextField(_("acceptance"), max_length=2000, blank=True)
    beneficiary_feedback = models.TextField(_("beneficiaries' feedback"), max_length=2000, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service project")
        verbose_name_plural = _("service projects")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "published_at"], name="project_state_published"),
            models.Index(fields=["region", "state"], name="project_region_state"),
            models.Index(fields=["category", "state"], name="project_category_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="project_budget_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="project_ends_after"),
            models.CheckConstraint(condition=Q(pledged__lte=models.F("budget")), name="project_pledged_within_budget"),
            models.CheckConstraint(
                condition=Q(spent__gte=0) & Q(settled__gte=0) & Q(raised__gte=models.F("spent") + models.F("settled")),
                name="project_money_left_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def left(self) -> Decimal:
        return self.raised - self.spent - self.settled

    @property
    def shown_title(self) -> str:
        return self.title_name or self.title


class Pledge(models.Model):
    """A claim (认领) of a project by an organisation or a person for an amount: the whole budget
    (title sponsorship, 冠名) or a share. Paid in by :class:`Payment` s; its certificate (a PDF
    with a verification QR) is checked at ``/projects/certificates/<code>/``."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("pledge state", "Awaiting payment")
        PAID = "paid", pgettext_lazy("pledge state", "Paid")
        WITHDRAWN = "withdrawn", pgettext_lazy("pledge state", "Withdrawn")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="pledges")
    sponsor = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("sponsor"))
    # The name the public sees unless ``anonymous`` (the subject's name when pledged).
    sponsor_name = models.CharField(_("sponsor's name"), max_length=100)
    anonymous = models.BooleanField(_("stay anonymous"), default=False)
    title = models.BooleanField(_("title sponsorship"), default=False)
    amount = models.DecimalField(_("pledged (yuan)"), max_digits=12, decimal_places=2)
    paid = models.DecimalField(_("paid (yuan)"), default=0, max_digits=12, decimal_places=2)  # cache
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    ceremony = models.ForeignKey(
        Ceremony, null=True, blank=True, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("ceremony")
    )
    certificate_code = models.CharField(_("certificate code"), max_length=32, unique=True)
    pledged_at = models.DateTimeField(_("pledged at"))
    pledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["project_id", "id"]
        indexes = [
            models.Index(fields=["sponsor", "pledged_at"], name="pledge_sponsor_day"),
            models.Index(fields=["ceremony", "pledged_at"], name="pledge_ceremony_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(paid__lte=models.F("amount")), name="pledge_paid_within"
            ),
            models.UniqueConstraint(
                fields=["project"], condition=Q(title=True) & ~Q(state="withdrawn"), name="pledge_one_title_sponsor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor_name} ¥{self.amount}"


class Payment(models.Model):
    """Money received against a pledge: one journal entry (Dr 1001 / Cr the project's income
    account) and the sponsor's credit, once per payment."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="payments")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="project_payment")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("received on"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    credit_key = models.CharField(_("credit entry key"), max_length=120, blank=True)
    credit_points = models.PositiveIntegerField(_("credit points"), null=True, blank=True)
    credit_status = models.CharField(_("credit"), max_length=10, blank=True)  # created, held, existing, capped…

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["project_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"¥{self.amount}"


class TeamApplication(models.Model):
    """A volunteer team's application to carry out a project; the publisher picks one."""

    class State(models.TextChoices):
        APPLIED = "applied", pgettext_lazy("team application", "Applied")
        PICKED = "picked", pgettext_lazy("team application", "Picked")
        DECLINED = "declined", pgettext_lazy("team application", "Declined")
        WITHDRAWN = "withdrawn", pgettext_lazy("team application", "Withdrawn")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="applications")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    plan = models.TextField(_("plan"), max_length=2000)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.APPLIED)
    applied_at = models.DateTimeField(_("applied at"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("team application")
        verbose_name_plural = _("team applications")
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "team"], name="application_once_per_team"),
            models.UniqueConstraint(fields=["project"], condition=Q(state="picked"), name="application_one_picked"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.team_id}"


class ProjectActivity(models.Model):
    """A volunteering activity of the picked team that carries out (part of) the project."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="activity_links")
    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity"))
    linked_at = models.DateTimeField(_("linked at"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("project activity")
        verbose_name_plural = _("project activities")
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.activity_id}"


class Milestone(models.Model):
    """A step of the work, planned by the publisher and reported (with photos) by the team."""

    class State(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("milestone", "Planned")
        REPORTED = "reported", pgettext_lazy("milestone", "Reported")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=120)
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    report = models.TextField(_("progress report"), max_length=4000, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project_id", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="milestone_number_once")]

    def __str__(self) -> str:
        return self.title


class MilestonePhoto(models.Model):
    """A photo of a milestone's report: JPEG or PNG, checked by its content, kept in the database."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="photos")
    file_name = models.CharField(_("file"), max_length=120)
    content_type = models.CharField(_("type"), max_length=20)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["milestone_id", "id"]
        constraints = [models.UniqueConstraint(fields=["milestone", "sha256"], name="photo_once_per_milestone")]

    def __str__(self) -> str:
        return self.file_name


class Spending(models.Model):
    """Money spent on the project: one journal entry (Dr the project's spending account / Cr 1001)
    with its voucher; corrected only by a reversing entry (``reversal``)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="spendings")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="project_spending")
    reversal = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="project_spending_reversed"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    purpose = models.CharField(_("purpose"), max_length=200)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("spending")
        verbose_name_plural = _("spendings")
        ordering = ["project_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spending_amount_positive")]

    def __str__(self) -> str:
        return f"¥{self.amount} {self.purpose}"


class Settlement(models.Model):
    """What happened to (part of) an accepted project's left-over: returned to a sponsor, moved to
    another project, or moved to a town's or village's credit fund; each a journal entry (two when
    it leaves the project marketplace fund)."""

    class Kind(models.TextChoices):
        RETURN = "return", _("Returned to the sponsor")
        PROJECT = "project", _("Moved to another project")
        FUND = "fund", _("Moved to a credit fund")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="settlements")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    pledge = models.ForeignKey(
        Pledge, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("returned to")
    )
    to_project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("moved to project")
    )
    to_fund = models.ForeignKey(
        Fund, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("moved to fund")
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="project_settlement")
    # The receiving credit fund's entry (a move to a fund posts in both funds).
    entry_in = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="project_settlement_in"
    )
    note = models.CharField(_("note"), max_length=200)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("left-over settlement")
        verbose_name_plural = _("left-over settlements")
        ordering = ["project_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_amount_positive"),
            models.CheckConstraint(
                condition=(
                    Q(kind="return") & Q(pledge__isnull=False) & Q(to_project__isnull=True) & Q(to_fund__isnull=True)
                )
                | (Q(kind="project") & Q(pledge__isnull=True) & Q(to_project__isnull=False) & Q(to_fund__isnull=True))
                | (Q(kind="fund") & Q(pledge__isnull=True) & Q(to_project__isnull=True) & Q(to_fund__isnull=False)),
                name="settlement_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"¥{self.amount} {self.kind}"


class Wish(models.Model):
    """A resident's small wish (微心愿): posted by the resident or a village officer for them, with a
    ceiling value; claimed and fulfilled by a person or organisation; confirmed by the resident (or
    the officer for them). The public sees the village and a masked name, never the full name or
    the address."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("wish state", "Waiting for someone")
        CLAIMED = "claimed", pgettext_lazy("wish state", "Claimed")
        FULFILLED = "fulfilled", pgettext_lazy("wish state", "Delivered")
        CONFIRMED = "confirmed", pgettext_lazy("wish state", "Received")
        WITHDRAWN = "withdrawn", pgettext_lazy("wish state", "Withdrawn")

    class Category(models.TextChoices):
        STUDY = "study", pgettext_lazy("wish category", "Study")
        DAILY = "daily", pgettext_lazy("wish category", "Daily needs")
        HEALTH = "health", pgettext_lazy("wish category", "Health and mobility")
        HOME = "home", pgettext_lazy("wish category", "Home repair")
        COMPANY = "company", pgettext_lazy("wish category", "Company and care")

    number = models.CharField(_("number"), max_length=16, unique=True)  # XY2026-0001
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    beneficiary = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("resident"))
    title = models.CharField(_("wish"), max_length=60)
    story = models.TextField(_("story"), max_length=500)
    category = models.CharField(_("category"), max_length=8, choices=Category.choices)
    ceiling = models.DecimalField(_("ceiling value (yuan)"), max_digits=12, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    posted_at = models.DateTimeField(_("posted at"))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    claimant = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("claimed by")
    )
    claimant_name = models.CharField(_("claimant's name"), max_length=100, blank=True)
    claimant_anonymous = models.BooleanField(_("stay anonymous"), default=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("value given (yuan)"), null=True, blank=True, max_digits=12, decimal_places=2)
    fulfil_note = models.CharField(_("what was given"), max_length=200, blank=True)
    fulfilled_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("received at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    thanks = models.CharField(_("thanks"), max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=200, blank=True)
    credit_key = models.CharField(_("credit entry key"), max_length=120, blank=True)
    credit_points = models.PositiveIntegerField(_("credit points"), null=True, blank=True)
    credit_status = models.CharField(_("credit"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("small wish")
        verbose_name_plural = _("small wishes")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "posted_at"], name="wish_state_posted"),
            models.Index(fields=["region", "state"], name="wish_region_state"),
            models.Index(fields=["claimant", "claimed_at"], name="wish_claimant_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ceiling__gt=0), name="wish_ceiling_positive"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gt=0) & Q(value__lte=models.F("ceiling"))),
                name="wish_value_within_ceiling",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
