"""Page tokens encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

Keys come from ``SERENTAK_TOKEN_KEYS`` (comma-separated Fernet keys, newest first; or
``SERENTAK_TOKEN_KEYS_FILE``). Encryption uses the first key; decryption tries each in turn,
so a new key is rolled out by putting it first, running ``serentak pages rotate-keys`` (which
re-encrypts every token with it) and then dropping the old one. Outside production a key is
derived from the development SECRET_KEY so that `make run` needs nothing set.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class TokenUnreadable(Exception):
    """The stored token was encrypted with a key that is no longer configured."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "SERENTAK_TOKEN_KEYS must hold Fernet keys (serentak pages new-key makes one)"
        ) from exc


def _keys() -> tuple[str, ...]:
    keys = tuple(settings.SERENTAK_TOKEN_KEYS)
    if keys:
        return keys
    if settings.PRODUCTION:
        raise ImproperlyConfigured("SERENTAK_TOKEN_KEYS is required in production")
    derived = hashlib.sha256(b"serentak-token-key:" + settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(derived).decode(),)


def token_encrypt(plain: str) -> str:
    return _fernet(_keys()).encrypt(plain.encode()).decode()


def token_decrypt(stored: str) -> str:
    try:
        return _fernet(_keys()).decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise TokenUnreadable("the token was encrypted with a key that is not configured") from exc


def token_reencrypt(stored: str) -> str:
    """The same token under the current (first) key."""
    try:
        return _fernet(_keys()).rotate(stored.encode()).decode()
    except InvalidToken as exc:
        raise TokenUnreadable("the token was encrypted with a key that is not configured") from exc
