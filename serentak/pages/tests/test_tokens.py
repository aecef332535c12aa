from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from serentak.pages.crypto import TokenUnreadable, generate_key
from serentak.pages.models import PageToken, Presence
from serentak.pages.services.tokens import token_read, token_store, tokens_reencrypt

pytestmark = pytest.mark.django_db
SECRET = "EAAGm0PX4ZCpsBAsecretpagetoken"


@pytest.fixture
def page(kpu, unit) -> Presence:
    return Presence.objects.create(
        institution=kpu,
        unit=unit("74.06"),
        kind="page",
        source="connect",
        page_id="1001",
        name="KPU Kabupaten Bombana",
    )


def test_it_stores_tokens_encrypted_and_reads_them_back(page):
    token_store(presence=page, token=SECRET, tasks=["CREATE_CONTENT"])
    stored = PageToken.objects.get(presence=page)
    assert SECRET not in stored.encrypted
    assert SECRET not in repr(stored)
    assert SECRET not in str(stored)
    assert token_read(presence=page) == SECRET


def test_keys_rotate_without_losing_a_token(page, settings):
    old, new = generate_key(), generate_key()
    settings.SERENTAK_TOKEN_KEYS = [old]
    token_store(presence=page, token=SECRET)
    settings.SERENTAK_TOKEN_KEYS = [new, old]
    assert token_read(presence=page) == SECRET
    assert tokens_reencrypt() == 1
    settings.SERENTAK_TOKEN_KEYS = [new]
    assert token_read(presence=page) == SECRET
    encrypted = PageToken.objects.get(presence=page).encrypted
    assert Fernet(new.encode()).decrypt(encrypted.encode()).decode() == SECRET


def test_a_token_under_a_dropped_key_is_reported_not_garbled(page, settings):
    settings.SERENTAK_TOKEN_KEYS = [generate_key()]
    token_store(presence=page, token=SECRET)
    settings.SERENTAK_TOKEN_KEYS = [generate_key()]
    with pytest.raises(TokenUnreadable):
        token_read(presence=page)


def test_the_cli_makes_keys_and_rotates(page, capsys):
    call_command("pages", "new-key")
    key = capsys.readouterr().out.strip()
    Fernet(key.encode())  # a valid key
    token_store(presence=page, token=SECRET)
    call_command("pages", "rotate-keys")
    assert "1 Page tokens" in capsys.readouterr().out
