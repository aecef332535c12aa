"""The package editor's form: what the author types, turned into ``package_create``'s arguments.

The form checks only the shape of what was typed (a date is a date, a list of codes is not
empty); the rules — who may author, the template, the targets — belong to the services,
whose ``ValidationError`` the view shows on the form.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from serentak.content.images import PreparedImage, image_prepare
from serentak.content.models import Mode, OriginalityPolicy, Priority, UnitGroup
from serentak.org.models import Unit

MOMENT = "acara"  # the one moment the editor offers: {{ waktu("acara") }}
MAX_IMAGES = 10
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class TargetKind:
    ALL = "all"
    PROVINCES = "provinces"
    UNITS = "units"
    GROUP = "group"


TARGET_CHOICES = [
    (TargetKind.ALL, _("every unit below the author unit")),
    (TargetKind.PROVINCES, _("selected provinces and every unit in them")),
    (TargetKind.UNITS, _("a list of unit codes")),
    (TargetKind.GROUP, _("a saved group of units")),
]


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is read in the viewer's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several images in one input; each is checked and prepared by ``image_prepare``."""

    widget = MultipleImageInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,image/webp")

    def clean(self, data: Any, initial: Any = None) -> list[PreparedImage]:
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if len(uploads) > MAX_IMAGES:
            raise ValidationError(
                _("Attach at most %(max)d images.") % {"max": MAX_IMAGES}, code="images_many"
            )
        prepared, errors = [], []
        for upload in uploads:
            if not isinstance(upload, UploadedFile):
                continue
            try:
                prepared.append(image_prepare(upload, name=upload.name or "image"))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return prepared


def _codes(raw: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", raw) if code]


class PackageForm(forms.Form):
    author_unit = forms.ModelChoiceField(
        label=_("Sent by"), queryset=Unit.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (template)"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        strip=False,
    )
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    guidance = forms.CharField(
        label=_("Guidance for the units"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What to localise and how; the officers read it above the text."),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.ADAPT)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
    )
    moment = forms.DateTimeField(
        label=_("Date and time of the event (“acara”)"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        help_text=_(
            'The template shows it in each unit\'s own time zone: {{ waktu("acara") }}, '
            '{{ tanggal("acara") }}, {{ jam("acara") }}.'
        ),
    )
    target_kind = forms.ChoiceField(
        label=_("Send to"),
        choices=TARGET_CHOICES,
        initial=TargetKind.ALL,
        widget=forms.RadioSelect,
    )
    provinces = forms.MultipleChoiceField(
        label=_("Provinces"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    unit_codes = forms.CharField(
        label=_("Unit codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "74.06, 74.02"}),
        help_text=_("Separated by commas, spaces or new lines."),
    )
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=UnitGroup.objects.none(), required=False
    )
    originality_policy = forms.ChoiceField(
        label=_("Originality"),
        choices=OriginalityPolicy.choices,
        initial=OriginalityPolicy.WARN,
    )
    originality_threshold = forms.IntegerField(
        label=_("Originality threshold (%)"),
        min_value=0,
        max_value=100,
        initial=30,
        help_text=_("The share of the unit's post that should be its own words."),
    )
    images = MultipleImageField(
        label=_("Images"),
        help_text=_(
            "JPEG, PNG or WebP, at least 200 pixels a side; larger than 2048 pixels is scaled down."
        ),
    )

    def __init__(
        self,
        *args: Any,
        author_units: QuerySet[Unit],
        provinces: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        author_field = self.fields["author_unit"]
        assert isinstance(author_field, forms.ModelChoiceField)
        author_field.queryset = author_units
        province_field = self.fields["provinces"]
        assert isinstance(province_field, forms.MultipleChoiceField)
        province_field.choices = [(p.code, f"{p.code} · {p.name}") for p in provinces]
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ModelChoiceField)
        group_field.queryset = UnitGroup.objects.filter(
            institution_id__in=author_units.values("institution_id")
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("target_kind")
        targets: Any = None
        if kind == TargetKind.ALL:
            targets = "all"
        elif kind == TargetKind.PROVINCES:
            if not cleaned.get("provinces"):
                self.add_error("provinces", _("Choose at least one province."))
            else:
                targets = {"provinces": list(cleaned["provinces"])}
        elif kind == TargetKind.UNITS:
            codes = _codes(cleaned.get("unit_codes") or "")
            if not codes:
                self.add_error("unit_codes", _("List at least one unit code."))
            else:
                targets = {"units": codes}
        elif kind == TargetKind.GROUP:
            group = cleaned.get("group")
            if group is None:
                self.add_error("group", _("Choose a group."))
            else:
                targets = {"group": group.pk}
        cleaned["targets"] = targets
        moment: dt.datetime | None = cleaned.get("moment")
        cleaned["moments"] = {MOMENT: moment.astimezone(dt.UTC).isoformat()} if moment else {}
        return cleaned

    def package_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``package_create`` (after ``is_valid``)."""
        data = self.cleaned_data
        return {
            "author_unit": data["author_unit"],
            "title": data["title"],
            "body": data["body"],
            "link": data.get("link") or "",
            "guidance": data.get("guidance") or "",
            "mode": data["mode"],
            "priority": data["priority"],
            "deadline": data.get("deadline"),
            "moments": data["moments"],
            "targets": data["targets"],
            "originality_policy": data["originality_policy"],
            "originality_threshold": data["originality_threshold"] / 100,
        }


class PackageCheckForm(PackageForm):
    """The same fields for the "Check" button: images are not uploaded to be checked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["images"]
        # A text can be checked before it has a title.
        for name in ("title", "originality_threshold"):
            self.fields[name].required = False
