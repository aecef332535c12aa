"""Writes of the API app: a person's API token (DRF ``authtoken``, one per person)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from rest_framework.authtoken.models import Token

from serentak.accounts.models import User
from serentak.core.services import changelog_record


@transaction.atomic
def api_token_rotate(*, user: User) -> str:
    """Give ``user`` a new API token and return its key: the only time the key is shown.

    Any previous token stops working at once. The change is logged on the person; the key
    never is.
    """
    if not user.is_active:
        raise PermissionDenied
    had_token = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    changelog_record(
        obj=user,
        action="update",
        actor=user,
        source="web",
        changes={"api_token": ["set" if had_token else None, "new"]},
    )
    return token.key


@transaction.atomic
def api_token_revoke(*, user: User) -> bool:
    """Delete ``user``'s API token; ``False`` when they had none."""
    if not Token.objects.filter(user=user).delete()[0]:
        return False
    changelog_record(
        obj=user, action="update", actor=user, source="web", changes={"api_token": ["set", None]}
    )
    return True
