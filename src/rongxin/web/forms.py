"""Page forms: shape only. Rules live in the services, whose errors are put back on the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=64)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)
