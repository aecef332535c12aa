from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from serentak.accounts.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "email", "phone"]
        labels = {"full_name": _("Full name"), "email": _("Email"), "phone": _("Phone")}
