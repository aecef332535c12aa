"""The demo package of `make run`: KPU RI's workshop article, sent to every unit to adapt.

The article (``samples/workshop-template.txt``) is the real Bombana post of 10 November 2021
turned into a template, so a demo persona (``bombana``) finds in the inbox a text worth
localising: its own name and time, a quote to add, a photo to attach.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from serentak.content.models import Mode, OriginalityPolicy, Package, PackageStatus, Priority
from serentak.content.services import package_create, package_send
from serentak.org.models import Institution, Unit

DEMO_TITLE = "Workshop Set Up Akun Facebook Lembaga Pemerintah"
DEMO_GUIDANCE = (
    "Sesuaikan tulisan ini dengan satker Anda sebelum diunggah. Mulailah dari bahasanya: "
    "gunakan gaya bahasa dan sapaan yang akrab bagi pemilih di daerah Anda. Lalu isi kutipan "
    "ketua atau anggota KPU setempat dan lampirkan foto peserta dari satker Anda. "
    "Jangan asal copas atau asal repost: tulisan yang hanya disalin akan dikembalikan."
)


def demo_package_body() -> str:
    return (
        resources.files("serentak.content")
        .joinpath("samples", "workshop-template.txt")
        .read_text("utf-8")
    )


@transaction.atomic
def demo_package_seed(*, institution: Institution, now: dt.datetime | None = None) -> Package:
    """Create and send the demo package, once: authored by the institution's root unit (KPU
    RI), to every unit below it (552 for KPU, in a constant number of statements), in adapt
    mode, with the workshop as the moment "acara" (yesterday, 14.00 WITA) and a week to
    adapt. Run again, it returns the package it made (sending it if a previous run stopped
    before that). Demo mode only.
    """
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("The demo package is never created in production.")
    root = Unit.objects.get(institution=institution, depth=1)
    package = (
        Package.objects.filter(institution=institution, author_unit=root, title=DEMO_TITLE)
        .order_by("pk")
        .first()
    )
    if package is None:
        now = now or timezone.now()
        yesterday = (now - dt.timedelta(days=1)).astimezone(dt.UTC).date()
        workshop = dt.datetime.combine(yesterday, dt.time(6, 0), tzinfo=dt.UTC)
        package = package_create(
            actor=None,
            author_unit=root,
            title=DEMO_TITLE,
            body=demo_package_body(),
            guidance=DEMO_GUIDANCE,
            mode=Mode.ADAPT,
            priority=Priority.NORMAL,
            deadline=now + dt.timedelta(days=7),
            moments={"acara": workshop.isoformat()},
            targets="all",
            originality_policy=OriginalityPolicy.WARN,
            originality_threshold=0.3,
            now=now,
        )
    if package.status == PackageStatus.DRAFT:
        package_send(actor=None, package=package)
        package.refresh_from_db()
    return package
