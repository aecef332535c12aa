from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from serentak.org.models import Role

_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def _split_lines(value: str) -> list[str]:
    return [item.strip() for item in re.split(r"[\n,;]+", value) if item.strip()]


class UnitContactsForm(forms.Form):
    emails = forms.CharField(
        label=_("PR desk emails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    phones = forms.CharField(
        label=_("PR desk phone numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, for example +62 812 3456 7890."),
    )

    def clean_emails(self) -> list[str]:
        emails = _split_lines(self.cleaned_data["emails"])
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    _("%(value)s is not a valid email address.") % {"value": email}
                ) from exc
        return [email.lower() for email in emails]

    def clean_phones(self) -> list[str]:
        phones = _split_lines(self.cleaned_data["phones"])
        for phone in phones:
            if not _PHONE.match(phone):
                raise forms.ValidationError(
                    _("%(value)s is not a valid phone number.") % {"value": phone}
                )
        return phones


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    unit = forms.ChoiceField(label=_("Unit"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, unit_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = unit_choices


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and @/./+/-/_ only."),
    )
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        if data.get("password1"):
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(data["password1"])
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
