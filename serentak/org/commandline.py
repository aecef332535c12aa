"""Helpers shared by the commands that take ``--institution``."""

from __future__ import annotations

from django.core.management.base import CommandError

from serentak.org.models import Institution


def institution_from_option(slug: str) -> Institution:
    """The institution named by ``--institution``, or the only one when none is named."""
    if slug:
        try:
            return Institution.objects.get(slug=slug)
        except Institution.DoesNotExist as exc:
            raise CommandError(f"No institution {slug!r}.") from exc
    institutions = list(Institution.objects.all()[:2])
    if not institutions:
        raise CommandError("No units yet: run `serentak units load --preset kpu` first.")
    if len(institutions) > 1:
        raise CommandError("Several institutions: choose one with --institution SLUG.")
    return institutions[0]
