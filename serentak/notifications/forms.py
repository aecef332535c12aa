from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serentak.notifications.kinds import Channel, KindGroup

FIELD_PREFIX = "channel_"


class PreferencesForm(forms.Form):
    """A channel per group of notices (blank: the recommended default) and the digest hour."""

    digest_hour = forms.TypedChoiceField(
        label=_("Daily digest at"),
        coerce=int,
        choices=[(hour, f"{hour:02d}.00") for hour in range(24)],
    )

    def __init__(self, *args: Any, groups: list[KindGroup], zone_label: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            self.fields[FIELD_PREFIX + group.code] = forms.ChoiceField(
                label=group.label,
                choices=[("", _("Recommended")), *Channel.choices],
                required=False,
            )
        self.fields["digest_hour"].help_text = _(
            "In your unit's time zone (%(zone)s). Recommended: urgent notices by email at "
            "once, the others in this daily digest."
        ) % {"zone": zone_label}
        # The hour last, under the channels it applies to.
        self.order_fields([name for name in self.fields if name != "digest_hour"] + ["digest_hour"])

    def channels(self) -> dict[str, str]:
        return {group.code: self.cleaned_data[FIELD_PREFIX + group.code] for group in self.groups}
