"""Credit subjects: persons, enterprises and individual businesses, their consent, and links to
the accounts that speak for them.

Every subject has one row in :class:`Subject` (its id is the ``subject_id`` that every
per-subject table carries) and one detail row: :class:`Person` or :class:`Organisation`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rongxin.regions.models import Region


class Subject(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ENTERPRISE = "enterprise", _("Enterprise")
        INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    # The home village and, denormalised for region-scoped queries, its town.
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    town = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("town"))
    created_at = models.DateTimeField(_("registered at"))

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        indexes = [
            models.Index(fields=["name"], name="subject_name"),
            models.Index(fields=["town", "name"], name="subject_town_name"),
            models.Index(fields=["village", "name"], name="subject_village_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    class Residency(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        MIGRANT = "migrant", _("Migrant")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    subject = models.OneToOneField(Subject, primary_key=True, on_delete=models.PROTECT, related_name="person")
    residency = models.CharField(_("residency"), max_length=10, choices=Residency.choices)
    # The ID number is stored encrypted (AES-GCM), found by keyed hash, and shown masked.
    id_number_encrypted = models.BinaryField(_("ID number (encrypted)"))
    id_number_hash = models.CharField(_("ID number lookup hash"), max_length=64, unique=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone_encrypted = models.BinaryField(_("phone (encrypted)"), null=True, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    # Cache of the latest ConsentEvent; the events are the record.
    consent_given = models.BooleanField(_("consents to scoring"), default=False)
    consent_changed_at = models.DateTimeField(_("consent changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"{self.subject.name} ({self.id_number_masked})"


class Organisation(models.Model):
    """An enterprise or an individual business (the subject's kind says which)."""

    subject = models.OneToOneField(Subject, primary_key=True, on_delete=models.PROTECT, related_name="organisation")
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_representative = models.CharField(_("legal representative"), max_length=60)

    class Meta:
        verbose_name = _("enterprise or business")
        verbose_name_plural = _("enterprises and businesses")

    def __str__(self) -> str:
        return f"{self.subject.name} ({self.uscc})"


class ConsentEvent(models.Model):
    """One grant or withdrawal of consent to scoring (append-only)."""

    class Action(models.TextChoices):
        GRANT = "grant", _("Granted")
        WITHDRAW = "withdraw", _("Withdrawn")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online, by the person")
        COUNTER = "counter", _("At a service counter")
        PAPER = "paper", _("Signed paper form")
        IMPORT = "import", _("Imported record")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="consent_events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    at = models.DateTimeField(_("time"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["subject_id", "at", "id"]
        indexes = [models.Index(fields=["subject", "at"], name="consent_subject_at")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.action} {self.at:%Y-%m-%d}"


class SubjectAccount(models.Model):
    """Links an account to the subject it speaks for: a resident to their own person record, an
    enterprise representative to their enterprise."""

    class Relation(models.TextChoices):
        SELF = "self", _("Own record")
        REPRESENTATIVE = "representative", _("Representative")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subject_links")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="account_links")
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    created_at = models.DateTimeField(_("linked at"))

    class Meta:
        verbose_name = _("subject account link")
        verbose_name_plural = _("subject account links")
        constraints = [
            models.UniqueConstraint(fields=["user", "subject"], name="subject_account_unique"),
            models.UniqueConstraint(
                fields=["subject"], condition=models.Q(relation="self"), name="subject_account_one_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.subject}"


class Notice(models.Model):
    """An in-app notice to a subject (publicity of a record, a decision, ...)."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="notices")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "at"], name="notice_subject_at")]

    def __str__(self) -> str:
        return self.title
