"""The credit engine's tables: versioned rule catalogues, the immutable ledger, and per-subject
state that services keep in step with the ledger.

Facts (:class:`Entry`, :class:`Transition`) are inserted, never updated in their fact columns;
each carries the hash of the subject's previous fact, so a subject's history is a hash chain.
``Entry.status`` and everything in :class:`SubjectCredit` are a cache of those facts that the
services maintain and ``rongxin credit reconcile`` can rebuild.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import Department
from rongxin.subjects.models import Subject


class SubjectKind(models.TextChoices):
    """Which subjects a catalogue applies to."""

    PERSON = "person", _("Persons")
    ORGANISATION = "organisation", _("Enterprises and individual businesses")


class Direction(models.TextChoices):
    AWARD = "award", _("Award")
    DEDUCTION = "deduction", _("Deduction")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


# The platform's own programmes that record awards from verified data (an entry's ``source``).
PROGRAMMES = [
    ("volunteering", _("Volunteer service")),
    ("funds", _("Quarterly commendations")),
    ("projects", _("Project marketplace")),
]


class Catalogue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    subject_kind = models.CharField(_("subject kind"), max_length=14, choices=SubjectKind.choices)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=120)
    effective_from = models.DateField(_("effective from"))
    base_score = models.IntegerField(_("base score"), default=1000)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("based on")
    )
    created_at = models.DateTimeField(_("created at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When every subject of the kind was rescored under this catalogue's base and bands (the
    # worker does it once the catalogue is in force); until then scores follow the older one.
    applied_at = models.DateTimeField(_("applied to all scores at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule catalogue")
        verbose_name_plural = _("rule catalogues")
        ordering = ["subject_kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["subject_kind", "version"], name="catalogue_kind_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class GradeBand(models.Model):
    """A grade and its lowest score (inclusive); the lowest band has no minimum."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="grades")
    code = models.CharField(_("grade"), max_length=4)
    min_score = models.IntegerField(_("minimum score"), null=True, blank=True)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["catalogue_id", models.F("min_score").desc(nulls_last=True)]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="grade_band_code")]

    def __str__(self) -> str:
        return self.code


class Rule(models.Model):
    """One catalogue item. Rows of a published catalogue are never edited."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(_("code"), max_length=20)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=160)
    category = models.CharField(_("category"), max_length=24)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    points_min = models.PositiveIntegerField(_("minimum points"))
    points_max = models.PositiveIntegerField(_("maximum points"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    evidence = models.CharField(_("required evidence"), max_length=200, blank=True)
    departments = models.ManyToManyField(Department, related_name="rules", verbose_name=_("departments"))
    yearly_cap_count = models.PositiveIntegerField(_("yearly cap (entries)"), null=True, blank=True)
    yearly_cap_points = models.PositiveIntegerField(_("yearly cap (points)"), null=True, blank=True)
    review_required = models.BooleanField(_("review before publicity"), default=False)
    objection_days = models.PositiveIntegerField(_("objection window (days)"))
    counting_days = models.PositiveIntegerField(_("counts for (days)"))
    repair_after_days = models.PositiveIntegerField(_("repair possible after (days)"), null=True, blank=True)
    published = models.BooleanField(_("publicly listed during publicity"), default=True)
    # A rule that a programme of the platform records from its own verified data (volunteer
    # hours): entries of it come only from that programme, never by hand or by import.
    programme = models.CharField(_("recorded only by"), max_length=14, blank=True, choices=PROGRAMMES)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["catalogue_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="rule_catalogue_code"),
            models.CheckConstraint(
                condition=models.Q(points_min__lte=models.F("points_max")), name="rule_points_range"
            ),
            models.CheckConstraint(
                condition=models.Q(direction="award") | (~models.Q(legal_basis="") & ~models.Q(severity="")),
                name="rule_deduction_has_basis_and_severity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def sign(self) -> int:
        return 1 if self.direction == Direction.AWARD else -1


class SubjectCredit(models.Model):
    """Per-subject state kept in the same transaction as every ledger change: the chain head,
    the current score and grade (``None`` for persons without consent), and when the score will
    next change by itself (an entry expiring)."""

    subject = models.OneToOneField(Subject, primary_key=True, on_delete=models.PROTECT, related_name="credit")
    chain_seq = models.PositiveIntegerField(_("facts in chain"), default=0)
    chain_head = models.CharField(_("chain head"), max_length=64, default="")
    score = models.IntegerField(_("score"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=4, blank=True)
    next_change_at = models.DateTimeField(_("next change at"), null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("subject credit state")
        verbose_name_plural = _("subject credit states")

    def __str__(self) -> str:
        return f"{self.subject_id}: {self.score} {self.grade}"


class Entry(models.Model):
    """One credit record: a fact. Only ``status`` (a cache) ever changes."""

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("Awaiting review")
        REJECTED = "rejected", _("Rejected in review")
        ACTIVE = "active", _("Counting")
        SUSPENDED = "suspended", _("Suspended by an objection")
        REVOKED = "revoked", _("Revoked")
        REPAIRED = "repaired", _("Repaired")
        EXPIRED = "expired", _("No longer counting")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Recorded by hand")
        IMPORT = "import", _("Bulk import")
        VOLUNTEERING = "volunteering", _("Volunteer service")
        LECTURE = "lecture", _("Lecture")
        CANTEEN = "canteen", _("Canteen")
        FUNDS = "funds", _("Funds and commendations")
        PROJECTS = "projects", _("Project marketplace")
        SYNTHETIC = "synthetic", _("Synthetic history")

    # The biggest table: no single-column index on its foreign keys (the subject leads the
    # composite indexes below; rules, recorders and departments are never looked up from here).
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="credit_entries", db_index=False)
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="entries", db_index=False)
    points = models.IntegerField(_("points"))  # signed, frozen from the rule at recording
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    department = models.ForeignKey(Department, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    source = models.CharField(_("source"), max_length=14, choices=Source.choices)
    source_key = models.CharField(_("idempotency key"), max_length=120)
    content_hash = models.CharField(_("content hash"), max_length=64)
    evidence = models.TextField(_("evidence summary"), blank=True)
    # Periods frozen at recording (from the rule); a reviewed entry starts on approval.
    objection_days = models.PositiveIntegerField()
    counting_days = models.PositiveIntegerField()
    repair_after_days = models.PositiveIntegerField(null=True)
    # Chain
    seq = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Cache
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    effective_at = models.DateTimeField(_("counts from"), null=True, blank=True)
    counts_until = models.DateTimeField(_("counts until"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit entry")
        verbose_name_plural = _("credit entries")
        constraints = [
            models.UniqueConstraint(fields=["subject", "source", "source_key"], name="entry_idempotency"),
            models.UniqueConstraint(fields=["subject", "seq"], name="entry_subject_seq"),
        ]
        indexes = [
            models.Index(fields=["subject", "occurred_at"], name="entry_subject_occurred"),
            # Per-subject reads of what counts (score refresh, expiry): subject and status by
            # equality, the period by range.
            models.Index(fields=["subject", "status", "counts_until"], name="entry_subject_status_until"),
            # The review queue: the few entries awaiting a decision, oldest first, without reading
            # the county's counting entries (a partial index holds only these).
            models.Index(
                fields=["status", "recorded_at", "id"],
                name="entry_awaiting_decision",
                condition=models.Q(status__in=["pending_review", "suspended"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.rule_id} {self.points:+d}"


class Transition(models.Model):
    """A change of an entry's state, appended to the subject's chain."""

    class Kind(models.TextChoices):
        HELD = "held", _("Held for review (the organiser's own record)")
        APPROVED = "approved", _("Approved in review")
        REJECTED = "rejected", _("Rejected in review")
        OBJECTED = "objected", _("Objection lodged")
        UPHELD = "upheld", _("Entry upheld after objection")
        OBJECTED_AGAIN = "objected_again", _("Further objection with new evidence")
        UPHELD_AGAIN = "upheld_again", _("Further objection refused: the entry stands")
        REVOKED = "revoked", _("Entry revoked after objection")
        REPAIR_APPLIED = "repair_applied", _("Repair applied for")
        REPAIRED = "repaired", _("Repair approved")
        REPAIR_REFUSED = "repair_refused", _("Repair refused")
        EXPIRED = "expired", _("Period ended")
        SUPERSEDED = "superseded", _("Replaced by a corrected record")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="credit_transitions", db_index=False)
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="transitions", db_index=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reason = models.TextField(_("reason"), blank=True)
    seq = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("entry transition")
        verbose_name_plural = _("entry transitions")
        ordering = ["subject_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["subject", "seq"], name="transition_subject_seq")]
        indexes = [
            models.Index(fields=["entry", "at"], name="transition_entry_at"),
            # the review queue looks up the few applications awaiting a decision by their kind
            models.Index(fields=["kind", "entry"], name="transition_kind_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind}"


class GradeChange(models.Model):
    """An event: a subject's grade changed (later modules react to these, e.g. incentives)."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="grade_changes")
    at = models.DateTimeField(_("time"))
    old_grade = models.CharField(_("old grade"), max_length=4, blank=True)
    new_grade = models.CharField(_("new grade"), max_length=4, blank=True)
    old_score = models.IntegerField(null=True)
    new_score = models.IntegerField(null=True)
    cause = models.CharField(_("cause"), max_length=40)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        indexes = [
            models.Index(fields=["subject", "at"], name="grade_change_subject_at"),
            models.Index(fields=["at"], name="grade_change_at"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.old_grade}→{self.new_grade}"


class ChainRoot(models.Model):
    """A daily root over all chain heads as of the end of ``day`` (Beijing time), signed with
    the ledger key, exported and kept elsewhere so that later tampering shows (``credit/roots.py``)."""

    day = models.DateField(_("day"), unique=True)
    root = models.CharField(_("root hash"), max_length=64)
    subjects = models.PositiveIntegerField(_("chains"))
    facts = models.PositiveBigIntegerField(_("facts"))
    computed_at = models.DateTimeField(_("computed at"))
    key_id = models.CharField(_("signing key"), max_length=32)
    signature = models.CharField(_("signature"), max_length=100)

    class Meta:
        verbose_name = _("daily chain root")
        verbose_name_plural = _("daily chain roots")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {self.root[:12]}"


class LedgerKey(models.Model):
    """An Ed25519 key that signs the daily roots (private half encrypted at rest, see
    :mod:`rongxin.core.signing`). Retired keys stay so that older roots keep verifying."""

    kid = models.CharField(_("key id"), max_length=32, unique=True)
    public_key = models.BinaryField(_("public key"))
    private_key_encrypted = models.BinaryField()
    created_at = models.DateTimeField(_("created at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger signing key")
        verbose_name_plural = _("ledger signing keys")

    def __str__(self) -> str:
        return self.kid


class ImportBatch(models.Model):
    """One bulk import of credit records from a CSV or XLSX file, and its per-row report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed, nothing saved")
        PARTIAL = "partial", _("Done, rows with errors skipped")

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(_("file hash"), max_length=64)
    content = models.BinaryField(_("content"), null=True)  # kept until processed
    partial = models.BooleanField(_("save valid rows even if some fail"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    created = models.PositiveIntegerField(_("entries created"), default=0)
    existing = models.PositiveIntegerField(_("already recorded"), default=0)
    failed = models.PositiveIntegerField(_("rows with errors"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    queued_at = models.DateTimeField(_("uploaded at"))
    started_at = models.DateTimeField(_("started at"), null=True)
    finished_at = models.DateTimeField(_("finished at"), null=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)  # starts by a worker

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-queued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class Simulation(models.Model):
    """One run of the policy simulation of a draft catalogue (a job: it reads every counting entry
    and every subject of the kind, too long for a request at a county's scale), and its result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="+", verbose_name=_("catalogue"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("records as of"))  # both sides are computed from the records at this time
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    job_id = models.CharField(_("job"), max_length=64, blank=True)
    result = models.JSONField(_("result"), null=True)  # simulation_summary() of the run
    error = models.TextField(_("error"), blank=True)  # shown to the person who asked, in their language
    queued_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True)
    finished_at = models.DateTimeField(_("finished at"), null=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("policy simulation")
        verbose_name_plural = _("policy simulations")
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["catalogue", "status"], name="simulation_catalogue_status")]

    def __str__(self) -> str:
        return f"{self.catalogue} ({self.status})"
