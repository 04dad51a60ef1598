"""The accounts pages' forms: shape only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.api_scopes import scope_choices
from rongxin.accounts.selectors import GrantOptions
from rongxin.core.models import AuditEvent
from rongxin.regions.models import Region


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), max_length=64, required=False)
    action = forms.CharField(label=_("Action"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *AuditEvent.Kind.choices], required=False)
    subject_id = forms.IntegerField(label=_("Subject number"), required=False, min_value=1)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


# --- Account administration -----------------------------------------------------------------
class GrantForm(forms.Form):
    """A role over a region (with its department or scope): choices from
    :func:`rongxin.accounts.selectors.grant_options`."""

    role = forms.ChoiceField(label=_("Role"))
    region = forms.ChoiceField(label=_("Region"), help_text=_("The role counts in this region and every region below."))
    department = forms.ChoiceField(label=_("Department"), required=False, help_text=_("Department recorders only."))
    scope = forms.ChoiceField(label=_("Provider"), required=False, help_text=_("Incentive providers' staff only."))

    def _choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def __init__(self, *args: Any, options: GrantOptions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("role", [("", "—"), *options.roles])
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        for region in options.regions:
            if region.level == Region.Level.VILLAGE and groups:
                groups[-1][1].append((region.code, f"· {region.name}"))
            else:
                groups.append((region.name, [(region.code, region.name)]))
        self._choices("region", [("", "—"), *groups])
        self._choices("department", [("", "—"), *((d.code, d.name) for d in options.departments)])
        self._choices("scope", [("", "—"), *options.scope_choices()])
        labels = [str(s.label) for s in options.scopes.values()]
        if len(labels) == 1:
            self.fields["scope"].label = labels[0]
        elif not labels:
            del self.fields["scope"]


class StaffCreateForm(GrantForm):
    username = forms.CharField(
        label=_("Username"), max_length=64, help_text=_("Letters, digits and _ . @ - only; used to sign in.")
    )
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to have one generated and shown once. The account changes it at its first sign-in."),
    )

    field_order = ["username", "display_name", "password", "role", "region", "department", "scope"]


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to have one generated and shown once. The account changes it at its next sign-in."),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password_again") not in (None, data["new_password"]):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=60, help_text=_("What uses the key, e.g. the import script or a device.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Read only: the key may only look. Read and write: it may also change, as far as the account may."),
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The key stops working at the start of this day (China time); at most two years ahead."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scopes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = scope_choices()
