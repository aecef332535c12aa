"""Forms of the address import and of settling a presence's kind by hand.

Between the preview and the confirmation the uploaded file travels in a signed hidden field
(``upload_token``): nothing is kept on disk or in the session, the signature stops anyone
from changing the rows after the preview, and it is bound to the person who uploaded it and
expires after an hour. The confirmation checks every row again anyway.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from serentak.accounts.models import User
from serentak.org.models import Institution
from serentak.pages.models import PresenceKind
from serentak.pages.services.imports import RowsFile

MAX_UPLOAD_BYTES = 1024 * 1024  # 553 units take about 40 kB; a signed copy must fit a POST
UPLOAD_MAX_AGE = 60 * 60
_SALT = "serentak.pages.import-upload"


@dataclass(frozen=True)
class Upload:
    institution_id: int
    file: RowsFile


def upload_token(*, user: User, institution: Institution, file: RowsFile) -> str:
    payload = {
        "user": user.pk,
        "institution": institution.pk,
        "name": file.filename,
        "data": base64.b64encode(file.data).decode("ascii"),
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


class PresenceImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or Excel workbook (.xlsx) with the columns unit_code and url, up to 1 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.xlsm"}),
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )

    def __init__(self, *args: Any, institutions: list[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institutions = institutions
        if len(institutions) == 1:
            del self.fields["institution"]
        else:
            field = self.fields["institution"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Institution.objects.filter(pk__in=[i.pk for i in institutions])

    def clean_file(self) -> RowsFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return RowsFile(data=upload.read(), filename=upload.name or "")

    def chosen_institution(self) -> Institution:
        if "institution" in self.fields:
            institution: Institution = self.cleaned_data["institution"]
            return institution
        return self.institutions[0]


class PresenceImportConfirmForm(forms.Form):
    upload = forms.CharField(widget=forms.HiddenInput)
    skip_invalid = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_upload(self) -> Upload:
        expired = forms.ValidationError(
            _("The uploaded file has expired or was changed: upload it again.")
        )
        try:
            payload = signing.loads(self.cleaned_data["upload"], salt=_SALT, max_age=UPLOAD_MAX_AGE)
            if payload["user"] != self.user.pk:
                raise expired
            data = base64.b64decode(payload["data"], validate=True)
            return Upload(
                institution_id=int(payload["institution"]),
                file=RowsFile(data=data, filename=str(payload["name"])),
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise expired from exc


class PresenceKindForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("This address is"),
        choices=[
            (PresenceKind.PAGE.value, _("A Page")),
            (PresenceKind.PROFILE.value, _("A personal profile")),
            (PresenceKind.GROUP.value, _("A group")),
        ],
        widget=forms.RadioSelect,
    )
