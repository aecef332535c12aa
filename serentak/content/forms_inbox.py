"""Forms of the unit's side of content: adapting a package, and reviewing an adaptation.

The forms only shape what the browser sent; what is allowed (an empty post, a block the
package does not offer, a missing comment when sending back) is decided by the services,
whose ``ValidationError`` the views attach to these forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serentak.content.templating import Block

BLOCK_PREFIX = "block_"


def _lines(value: str) -> str:
    # Browsers send textarea line breaks as CRLF; a Facebook post has plain ones.
    return value.replace("\r\n", "\n").replace("\r", "\n")


class AdaptationForm(forms.Form):
    """The unit's version of the post and its local text blocks (one field per block)."""

    text = forms.CharField(
        label=_("Your version of the post"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )

    def __init__(self, *args: Any, blocks: list[Block], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text_blocks = [block for block in blocks if block.kind == "text"]
        for block in self.text_blocks:
            self.fields[BLOCK_PREFIX + block.name] = forms.CharField(
                label=block.name,
                help_text=block.hint,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean_text(self) -> str:
        return _lines(self.cleaned_data.get("text") or "")

    def block_values(self) -> dict[str, str]:
        """The blocks written in (empty ones left out), by block name."""
        values = {}
        for block in self.text_blocks:
            value = _lines(self.cleaned_data.get(BLOCK_PREFIX + block.name) or "").strip()
            if value:
                values[block.name] = value
        return values

    def block_fields(self) -> list[forms.BoundField]:
        return [self[BLOCK_PREFIX + block.name] for block in self.text_blocks]


class ReviewForm(forms.Form):
    """A reviewer's comment: optional to approve, required to send back (the service says so)."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def comment_text(self) -> str:
        return _lines(self.cleaned_data.get("comment") or "").strip()
