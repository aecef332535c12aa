"""The demo people of `make run` (demo mode only): one persona per role the product knows."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from serentak.accounts.models import User
from serentak.accounts.services import DEMO_PASSWORD
from serentak.org.models import Institution, Role, Unit
from serentak.org.services import membership_set


@dataclass(frozen=True)
class Persona:
    username: str
    full_name: str
    unit_code: str | None
    role: str | None
    description: str


PERSONAS = (
    Persona("pusat", "Humas KPU RI", "00", Role.CENTRAL_ADMIN, "central admin, KPU RI"),
    Persona(
        "sultra",
        "Humas KPU Sulawesi Tenggara",
        "74",
        Role.UNIT_ADMIN,
        "admin of KPU Provinsi Sulawesi Tenggara",
    ),
    Persona(
        "bombana",
        "Humas KPU Bombana",
        "74.06",
        Role.EDITOR,
        "operator (editor) of KPU Kabupaten Bombana",
    ),
    Persona(
        "konawe",
        "Humas KPU Konawe",
        "74.02",
        Role.EDITOR,
        "operator (editor) of KPU Kabupaten Konawe",
    ),
    Persona("tamu", "Tamu", None, None, "signed in, no unit"),
)


@transaction.atomic
def demo_people_seed(*, institution: Institution) -> list[User]:
    """Create (or repair) the five demo accounts; idempotent."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("Demo accounts are never created in production.")
    users = []
    for persona in PERSONAS:
        user, created = User.objects.get_or_create(
            username=persona.username,
            defaults={
                "full_name": persona.full_name,
                "email": f"{persona.username}@demo.serentak.test",
            },
        )
        if created or not user.is_demo:
            user.is_demo = True
            user.set_password(DEMO_PASSWORD)
            user.save()
        if persona.unit_code and persona.role:
            unit = Unit.objects.get(institution=institution, code=persona.unit_code)
            if not user.memberships.filter(unit=unit, role=persona.role).exists():
                membership_set(actor=None, user=user, unit=unit, role=persona.role)
        users.append(user)
    return users


@transaction.atomic
def demo_people_purge() -> int:
    """Delete every demo account (before going to production)."""
    deleted, _ = User.objects.filter(is_demo=True).delete()
    return deleted
