from __future__ import annotations

from django.conf import settings
from django.db import transaction

from serentak.accounts.models import User

DEMO_PASSWORD = "serentak-demo"  # noqa: S105 -- demo mode only; production refuses demo accounts


def user_set_language(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, phone: str, email: str) -> User:
    user.full_name, user.phone, user.email = full_name.strip(), phone.strip(), email.strip().lower()
    user.save(update_fields=["full_name", "phone", "email"])
    return user
