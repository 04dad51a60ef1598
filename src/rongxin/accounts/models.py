"""Users, departments, region-scoped role grants and API keys."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.api_scopes import all_scopes
from rongxin.accounts.domain.roles import Role
from rongxin.regions.models import Region


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: object) -> User:
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    username = models.CharField(
        _("username"),
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_.@-]+$", _("Letters, digits and _ . @ - only."))],
    )
    display_name = models.CharField(_("display name"), max_length=60)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    # Set by an administrator's create or password reset: the next sign-in leads to the
    # change-password page, and nothing else opens until the password is changed.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Department(models.Model):
    """A recording department (traffic police, market regulation, utilities, ...)."""

    code = models.CharField(
        _("code"), max_length=32, unique=True, validators=[RegexValidator(r"^[a-z0-9_]+$", _("Lower-case code."))]
    )
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """A role held by a user over a region subtree (and, for recorders, for one department)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="grants", verbose_name=_("department")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # What a higher app adds to the grant (``rongxin.accounts.domain.grant_scopes``): for an
    # incentive provider's staff, the code of the provider they act for. Empty otherwise.
    scope = models.CharField(_("scope"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["user_id", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.DEPARTMENT_RECORDER, department__isnull=False)
                    | (~models.Q(role=Role.DEPARTMENT_RECORDER) & models.Q(department__isnull=True))
                ),
                name="grant_department_iff_recorder",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=models.Q(revoked_at__isnull=True),
                name="grant_unique_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region}"


class ApiKey(models.Model):
    """A key for programmatic API access. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # ``<area>:read`` / ``<area>:write`` (rongxin.accounts.domain.api_scopes), checked on every
    # request; a key stops working at ``expires_at`` (none: until revoked).
    scopes = models.JSONField(_("scopes"), default=all_scopes)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
