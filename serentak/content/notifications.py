"""The kinds of notice the content app sends (registered from ``ContentConfig.ready``).

A unit receives many packages: "package received" goes to the daily digest unless the
person chooses otherwise (an urgent package is emailed at once, see ``package_send``).
The approval steps concern one person's piece of work, so they are shown in the app and
reach email only through the digest as well.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from serentak.notifications.kinds import Channel, group_register, kind_register

GROUP = "content"
PACKAGE_RECEIVED = "content.package_received"
ADAPTATION_SUBMITTED = "content.adaptation_submitted"
ADAPTATION_APPROVED = "content.adaptation_approved"
CHANGES_REQUESTED = "content.changes_requested"


def kinds_register() -> None:
    group_register(GROUP, _("Content from the centre and its approval"))
    kind_register(PACKAGE_RECEIVED, _("New content to adapt"), default_channel=Channel.DIGEST)
    kind_register(ADAPTATION_SUBMITTED, _("An adaptation waits for your approval"))
    kind_register(ADAPTATION_APPROVED, _("Your adaptation was approved"))
    kind_register(CHANGES_REQUESTED, _("Changes were requested on your adaptation"))
