"""`serentak pages new-key` and `serentak pages rotate-keys`: the Page-token encryption keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from serentak.pages.crypto import generate_key
from serentak.pages.services.tokens import tokens_reencrypt


def register(sub: Any) -> None:
    new = sub.add_parser("new-key", help="print a new Fernet key for SERENTAK_TOKEN_KEYS")
    new.set_defaults(handler=handle_new_key)
    rotate = sub.add_parser(
        "rotate-keys", help="re-encrypt every Page token with the first SERENTAK_TOKEN_KEYS key"
    )
    rotate.set_defaults(handler=handle_rotate)


def handle_new_key(command: BaseCommand, options: dict[str, Any]) -> None:
    command.stdout.write(generate_key())


def handle_rotate(command: BaseCommand, options: dict[str, Any]) -> None:
    count = tokens_reencrypt()
    command.stdout.write(f"{count} Page tokens re-encrypted with the current key.")
