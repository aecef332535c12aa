from __future__ import annotations

from django.http import HttpRequest

from serentak.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request of a view behind ``login_required``: ``user`` is a real ``User``."""

    user: User
