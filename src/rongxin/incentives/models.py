"""Incentives: what good credit earns where people live, who provides it, the credentials that
prove eligibility without revealing anything else, and every check and redemption.

A provider learns only "eligible or not" for a pseudonymous holder id; the holder sees every
check and redemption. Checks and redemptions are appended, never changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rongxin.incentives.domain.eligibility import APPROVED as OFFER_APPROVED
from rongxin.incentives.domain.eligibility import GRADES
from rongxin.subjects.models import Subject


class Provider(models.Model):
    """An organisation that offers incentives (bus company, bank, hospital, scenic spot, ...)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("incentive provider")
        verbose_name_plural = _("incentive providers")

    def __str__(self) -> str:
        return self.name


class ProviderAccount(models.Model):
    """A user who acts for a provider (with an incentive-provider grant)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="accounts")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_account")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("provider account")
        verbose_name_plural = _("provider accounts")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.provider_id}"


class Incentive(models.Model):
    class Category(models.TextChoices):
        TRANSIT = "transit", _("Transit")
        LOANS = "loans", _("Loans and finance")
        MEDICAL = "medical", _("Medical care")
        TRAVEL = "travel", _("Travel and culture")
        SHOPPING = "shopping", _("Shopping")
        GOVERNMENT = "government", _("Government services")
        UTILITIES = "utilities", _("Utilities")
        EDUCATION = "education", _("Education")
        SPORTS = "sports", _("Sports and leisure")
        EMPLOYMENT = "employment", _("Employment")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = OFFER_APPROVED, _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    class Period(models.TextChoices):
        DAY = "day", _("per day")
        WEEK = "week", _("per week")
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="incentives")
    code = models.CharField(_("code"), max_length=30, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=140)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    for_persons = models.BooleanField(_("for persons"), default=True)
    for_organisations = models.BooleanField(_("for enterprises and individual businesses"), default=False)
    min_grade = models.CharField(_("minimum grade"), max_length=4, choices=[(g, g) for g in GRADES])
    benefit_zh = models.TextField(_("benefit (Chinese)"))
    benefit_en = models.TextField(_("benefit (English)"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    quota_per_holder = models.PositiveIntegerField(_("times per holder"), null=True, blank=True)
    quota_period = models.CharField(_("per"), max_length=6, choices=Period.choices, blank=True)
    quota_total = models.PositiveIntegerField(_("times in all"), null=True, blank=True)
    redeemed_total = models.PositiveIntegerField(default=0)  # cache, kept under the incentive's lock
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(for_persons=True) | models.Q(for_organisations=True), name="incentive_for_someone"
            ),
            models.CheckConstraint(
                condition=models.Q(quota_per_holder__isnull=True) | ~models.Q(quota_period=""),
                name="incentive_quota_has_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title_zh

    def title(self, language: str) -> str:
        return self.title_en if language.startswith("en") else self.title_zh


class SigningKey(models.Model):
    """An Ed25519 key the county signs credentials and exports with. The private half is
    encrypted at rest; the public half is published. Rotation: a new key signs from its
    creation; a retired key still verifies until its last credential has expired."""

    kid = models.CharField(_("key id"), max_length=16, unique=True)
    public_key = models.BinaryField(_("public key"))
    private_key_encrypted = models.BinaryField()
    created_at = models.DateTimeField(_("created at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return self.kid


class Credential(models.Model):
    """A credential a holder created: a signed token naming a pseudonymous holder id, the
    incentive and its lifetime. Kept so the holder can see it and an online check can find it."""

    class Kind(models.TextChoices):
        LIVE = "live", _("Live code (minutes)")
        CARD = "card", _("Printed card")

    jti = models.CharField(_("credential id"), max_length=24, unique=True)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="credentials")
    holder = models.CharField(_("pseudonymous holder id"), max_length=32)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    kid = models.CharField(_("key id"), max_length=16)
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        indexes = [
            models.Index(fields=["subject", "issued_at"], name="credential_subject"),
            models.Index(fields=["holder"], name="credential_holder"),
        ]

    def __str__(self) -> str:
        return self.jti


class Check(models.Model):
    """One eligibility check by a provider, and its answer (append-only)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online check")
        PAGE = "page", _("Provider page")
        REDEMPTION = "redemption", _("At redemption")

    class Result(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")
        EXPIRED = "expired", _("Expired credential")
        INVALID = "invalid", _("Invalid or altered credential")
        WRONG_PROVIDER = "wrong_provider", _("Another provider's incentive")
        REVOKED = "revoked", _("Withdrawn credential")
        USED = "used", _("Already used")
        REPLAYED = "replayed", _("Live code used again")
        QUOTA = "quota_exhausted", _("Quota used up")

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="checks")
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    incentive = models.ForeignKey(Incentive, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    credential_jti = models.CharField(max_length=24, blank=True)
    at = models.DateTimeField(_("time"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)

    class Meta:
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")
        indexes = [
            models.Index(fields=["subject", "at"], name="check_subject_at"),
            models.Index(fields=["provider", "at"], name="check_provider_at"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.result}"


class Redemption(models.Model):
    """A benefit given, recorded by the provider with its own reference (idempotent)."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="redemptions")
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="redemptions")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    holder = models.CharField(_("pseudonymous holder id"), max_length=32)
    reference = models.CharField(_("provider's reference"), max_length=64)
    credential_jti = models.CharField(max_length=24, blank=True)
    at = models.DateTimeField(_("time"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [models.UniqueConstraint(fields=["provider", "reference"], name="redemption_reference")]
        indexes = [
            models.Index(fields=["incentive", "subject", "at"], name="redemption_holder_at"),
            models.Index(fields=["subject", "at"], name="redemption_subject_at"),
            models.Index(fields=["credential_jti"], name="redemption_credential"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.reference}"


class EligibilityExport(models.Model):
    """The signed list of currently eligible pseudonymous holder ids of one incentive, for
    offline validators (e.g. bus card readers). The worker refreshes it."""

    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="exports")
    generated_at = models.DateTimeField(_("generated at"))
    holders = models.PositiveIntegerField(_("eligible holders"))
    kid = models.CharField(_("key id"), max_length=16)
    content = models.BinaryField()  # sorted 10-byte holder ids, concatenated
    digest = models.CharField(max_length=64)
    signature = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("eligibility export")
        verbose_name_plural = _("eligibility exports")
        indexes = [models.Index(fields=["incentive", "generated_at"], name="export_incentive_at")]

    def __str__(self) -> str:
        return f"{self.incentive_id} @ {self.generated_at:%Y-%m-%d %H:%M}"
