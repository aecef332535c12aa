"""Every URL, every persona, own and other unit: nobody reaches data outside their scope.

Personas (conftest.py): pusat = central admin of KPU RI, sultra = unit admin of KPU Provinsi
Sulawesi Tenggara, bombana and konawe = editors of two of its regencies, tamu = no unit.
"Own" is a unit (or a person, a membership, an invitation) inside the persona's reach,
"other" one outside it. A cell says which status the persona must get; a 404 (never a 403)
is expected where merely knowing that the object exists would be a leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from serentak.accounts.models import User
from serentak.org.models import Invitation, Membership, Role, Unit

pytestmark = pytest.mark.django_db

PERSONAS = ("pusat", "sultra", "bombana", "konawe", "tamu")

# The unit each persona calls its own, and one outside its reach (None: there is none).
OWN_UNIT = {
    "pusat": "74.06",
    "sultra": "74.06",
    "bombana": "74.06",
    "konawe": "74.02",
    "tamu": None,
}
OTHER_UNIT = {
    "pusat": None,
    "sultra": "73.01",
    "bombana": "74.02",
    "konawe": "74.06",
    "tamu": "74.06",
}


@dataclass
class World:
    """Objects to aim at: per unit code, a person with a membership and an invitation."""

    people: dict[str, User]
    memberships: dict[str, Membership]
    invitations: dict[str, Invitation]


@pytest.fixture
def world(db: None) -> World:
    people, memberships, invitations = {}, {}, {}
    for code in ("74.06", "74.02", "73.01"):
        unit = Unit.objects.get(institution__slug="kpu", code=code)
        person = User.objects.create_user(username=f"staf-{code}", password="x-Staf-2026!")
        memberships[code] = Membership.objects.create(user=person, unit=unit, role=Role.VIEWER)
        people[code] = person
        invitations[code] = Invitation.objects.create(
            email=f"new-{code}@example.org", unit=unit, role="editor"
        )
    return World(people, memberships, invitations)


def _unit_url(name: str):
    return lambda world, code: reverse(name, args=["kpu", code])


def _pk_url(name: str, attr: str):
    return lambda world, code: reverse(name, args=[getattr(world, attr)[code].pk])


# (url name, method, how to build the URL for a unit code, data, {persona: (own, other)})
# Statuses: 200 page, 302 redirect after a successful POST, 403 forbidden, 404 hidden.
MATRIX: list[tuple[str, str, Any, dict[str, str], dict[str, tuple[int | None, int | None]]]] = [
    (
        "org:unit-detail",
        "get",
        _unit_url("org:unit-detail"),
        {},
        {
            "pusat": (200, None),
            "sultra": (200, 404),
            "bombana": (200, 404),
            "konawe": (200, 404),
            "tamu": (None, 404),
        },
    ),
    (
        "org:unit-contacts",
        "get",
        _unit_url("org:unit-contacts"),
        {},
        {
            "pusat": (200, None),
            "sultra": (200, 404),
            "bombana": (403, 404),
            "konawe": (403, 404),
            "tamu": (None, 404),
        },
    ),
    (
        "org:unit-contacts",
        "post",
        _unit_url("org:unit-contacts"),
        {"emails": "humas@example.org", "phones": "+62 812 0000 0000"},
        {
            "pusat": (302, None),
            "sultra": (302, 404),
            "bombana": (403, 404),
            "konawe": (403, 404),
            "tamu": (None, 404),
        },
    ),
    (
        "org:person-detail",
        "get",
        _pk_url("org:person-detail", "people"),
        {},
        {
            "pusat": (200, None),
            "sultra": (200, 404),
            "bombana": (404, 404),
            "konawe": (404, 404),
            "tamu": (None, 404),
        },
    ),
    (
        "org:person-set-active",
        "post",
        _pk_url("org:person-set-active", "people"),
        {"active": "0"},
        {
            "pusat": (302, None),
            "sultra": (302, 404),
            "bombana": (404, 404),
            "konawe": (404, 404),
            "tamu": (None, 404),
        },
    ),
    (
        "org:membership-role",
        "post",
        _pk_url("org:membership-role", "memberships"),
        {"role": "editor"},
        {
            "pusat": (302, None),
            "sultra": (302, 404),
            "bombana": (404, 404),
            "konawe": (404, 404),
            "tamu": (None, 404),
        },
    ),
    (
        "org:membership-remove",
        "post",
        _pk_url("org:membership-remove", "memberships"),
        {},
        {
            "pusat": (302, None),
            "sultra": (302, 404),
            "bombana": (404, 404),
            "konawe": (404, 404),
            "tamu": (None, 404),
        },
    ),
    (
        "org:invitation-revoke",
        "post",
        _pk_url("org:invitation-revoke", "invitations"),
        {},
        {
            "pusat": (302, None),
            "sultra": (302, 404),
            "bombana": (404, 404),
            "konawe": (404, 404),
            "tamu": (None, 404),
        },
    ),
]

# Pages without a unit in the URL: {persona: status}
PAGES: list[tuple[str, dict[str, int]]] = [
    ("core:home", dict.fromkeys(PERSONAS, 200)),
    ("org:unit-list", dict.fromkeys(PERSONAS, 200)),
    ("org:people", {"pusat": 200, "sultra": 200, "bombana": 403, "konawe": 403, "tamu": 403}),
    ("org:invite", {"pusat": 200, "sultra": 200, "bombana": 403, "konawe": 403, "tamu": 403}),
    ("accounts:profile", dict.fromkeys(PERSONAS, 200)),
    ("accounts:password-change", dict.fromkeys(PERSONAS, 200)),
]

# URLs that need no unit scoping: public pages, or tested in their own module.
EXEMPT = {
    "accounts:login",
    "accounts:logout",
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "accounts:password-change-done",
    "core:language",
    "core:healthz",
    "org:invitation-accept",
}
# Whole namespaces with a permission matrix of their own.
EXEMPT_NAMESPACES = {"admin", "api", "content", "notifications", "pages"}

CELLS = [
    (name, method, persona, which)
    for name, method, _url, _data, table in MATRIX
    for persona in PERSONAS
    for which in ("own", "other")
    if table[persona][0 if which == "own" else 1] is not None
]


@pytest.mark.parametrize(("name", "method", "persona", "which"), CELLS)
def test_it_gives_each_persona_exactly_its_scope(world, client_as, name, method, persona, which):
    _name, _method, url_for, data, table = next(
        row for row in MATRIX if row[0] == name and row[1] == method
    )
    code = (OWN_UNIT if which == "own" else OTHER_UNIT)[persona]
    expected = table[persona][0 if which == "own" else 1]
    response = getattr(client_as(persona), method)(url_for(world, code), data)
    assert response.status_code == expected, f"{persona} {method.upper()} {name} ({which} {code})"


@pytest.mark.parametrize(("name", "persona"), [(n, p) for n, _ in PAGES for p in PERSONAS])
def test_it_serves_unit_less_pages_by_role(client_as, name, persona):
    expected = dict(PAGES)[name][persona]
    assert client_as(persona).get(reverse(name)).status_code == expected


@pytest.mark.parametrize("name", [n for n, *_ in MATRIX] + [n for n, _ in PAGES])
def test_it_sends_anonymous_visitors_to_the_login_page(world, client_as, name):
    row = next((r for r in MATRIX if r[0] == name), None)
    url = row[2](world, "74.06") if row else reverse(name)
    response = client_as(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_is_in_the_matrix():
    covered = {n for n, *_ in MATRIX} | {n for n, _ in PAGES} | EXEMPT
    missing = {
        name
        for name in _all_url_names()
        if name.split(":")[0] not in EXEMPT_NAMESPACES and name not in covered
    }
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


def test_lists_never_show_units_outside_the_scope(client_as):
    response = client_as("bombana").get(reverse("org:unit-list"), {"q": "Konawe"})
    assert b"KPU Kabupaten Konawe" not in response.content
    response = client_as("bombana").get(reverse("org:unit-list"))
    assert b"KPU Kabupaten Bombana" in response.content
    assert b"KPU Kabupaten Konawe" not in response.content
    assert b"KPU Provinsi" not in response.content
    response = client_as("sultra").get(reverse("org:unit-list"), {"q": "Konawe"})
    assert b"KPU Kabupaten Konawe" in response.content
    response = client_as("sultra").get(reverse("org:unit-list"), {"q": "Gowa"})
    assert b"KPU Kabupaten Gowa" not in response.content


def test_people_list_shows_only_the_managed_subtree(world, client_as):
    page = client_as("sultra").get(reverse("org:people")).content.decode()
    assert "staf-74.06" in page
    assert "staf-74.02" in page
    assert "staf-73.01" not in page
    assert "new-73.01@example.org" not in page
    assert "Humas KPU RI" not in page


def test_a_unit_admin_cannot_hand_out_central_admin(world, client_as):
    membership = world.memberships["74.02"]
    client_as("sultra").post(
        reverse("org:membership-role", args=[membership.pk]), {"role": "central_admin"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
