"""Storing and reading Page tokens (encrypted at rest; see ``serentak.pages.crypto``)."""

from __future__ import annotations

from django.db import transaction

from serentak.pages.crypto import token_decrypt, token_encrypt, token_reencrypt
from serentak.pages.models import PageToken, Presence


@transaction.atomic
def token_store(*, presence: Presence, token: str, tasks: list[str] | None = None) -> PageToken:
    """Keep ``token`` for the Page (replacing any earlier one); only its ciphertext is saved."""
    stored, _ = PageToken.objects.update_or_create(
        presence=presence,
        defaults={"encrypted": token_encrypt(token), "tasks": tasks or []},
    )
    return stored


def token_read(*, presence: Presence) -> str | None:
    """The plain token, for a Graph call only: never render, log or return it to a person."""
    stored = PageToken.objects.filter(presence=presence).only("encrypted").first()
    return token_decrypt(stored.encrypted) if stored else None


@transaction.atomic
def tokens_reencrypt() -> int:
    """Re-encrypt every stored token with the current key (after adding a new first key)."""
    count = 0
    for stored in PageToken.objects.select_for_update().only("pk", "encrypted"):
        stored.encrypted = token_reencrypt(stored.encrypted)
        stored.save(update_fields=["encrypted", "updated_at"])
        count += 1
    return count
