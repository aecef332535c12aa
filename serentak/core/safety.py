"""Production must never run with demo accounts (their password is public)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


def demo_accounts_present() -> list[str]:
    from serentak.accounts.models import User

    try:
        return list(
            User.objects.filter(is_demo=True, is_active=True).values_list("username", flat=True)
        )
    except DatabaseError:
        return []  # not migrated yet: nothing to refuse


def assert_safe_to_serve() -> None:
    if not settings.PRODUCTION:
        return
    names = demo_accounts_present()
    if names:
        raise ImproperlyConfigured(
            "Refusing to start in production: demo accounts are active ("
            + ", ".join(sorted(names))
            + "). Deactivate or delete them first (serentak demo purge)."
        )
