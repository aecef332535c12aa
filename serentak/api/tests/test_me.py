"""``me/``: who the caller is, where they belong and what they may do there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from serentak.org.models import Membership, Role

pytestmark = pytest.mark.django_db

ALL_ACTIONS = ["view", "change", "manage_people", "approve", "write"]


def _me(client_as, persona: str) -> dict:
    response = client_as(persona).get(reverse("api:me"))
    assert response.status_code == 200
    return response.json()


def test_it_describes_an_editor_of_one_regency(client_as):
    assert _me(client_as, "bombana") == {
        "username": "bombana",
        "full_name": "Humas KPU Bombana",
        "email": "bombana@demo.serentak.test",
        "language": "",
        "is_superuser": False,
        "memberships": [
            {
                "institution": "kpu",
                "unit_code": "74.06",
                "unit_name": "KPU Kabupaten Bombana",
                "role": "editor",
            }
        ],
        "permissions": [
            {
                "institution": "kpu",
                "unit_code": "74.06",
                "unit_name": "KPU Kabupaten Bombana",
                "role": "editor",
                "reach": "unit",
                "actions": ["view", "write"],
            }
        ],
    }


@pytest.mark.parametrize(
    ("persona", "code", "role"), [("pusat", "00", "central_admin"), ("sultra", "74", "unit_admin")]
)
def test_it_gives_admins_every_action_over_their_subtree(client_as, persona, code, role):
    me = _me(client_as, persona)
    assert [(m["unit_code"], m["role"]) for m in me["memberships"]] == [(code, role)]
    [permission] = me["permissions"]
    assert (permission["unit_code"], permission["reach"]) == (code, "subtree")
    assert permission["actions"] == ALL_ACTIONS


def test_it_gives_an_outsider_nothing(client_as):
    me = _me(client_as, "tamu")
    assert (me["memberships"], me["permissions"]) == ([], [])


def test_it_leaves_out_a_membership_that_adds_nothing(client_as, persona, unit):
    Membership.objects.create(user=persona("sultra"), unit=unit("74.06"), role=Role.EDITOR)
    me = _me(client_as, "sultra")
    assert [m["unit_code"] for m in me["memberships"]] == ["74", "74.06"]
    assert [p["unit_code"] for p in me["permissions"]] == ["74"]


def test_it_keeps_a_membership_that_adds_an_action(client_as, persona, unit):
    Membership.objects.create(user=persona("konawe"), unit=unit("74"), role=Role.APPROVER)
    permissions = _me(client_as, "konawe")["permissions"]
    assert [(p["unit_code"], p["reach"], p["actions"]) for p in permissions] == [
        ("74", "subtree", ["view", "approve"]),
        ("74.02", "unit", ["view", "write"]),  # writing is only given here
    ]


def test_it_grants_nothing_through_an_inactive_unit(client_as, unit):
    from serentak.org.models import Unit

    Unit.objects.filter(pk=unit("74.06").pk).update(is_active=False)
    me = _me(client_as, "bombana")
    assert [m["unit_code"] for m in me["memberships"]] == ["74.06"]
    assert me["permissions"] == []


def test_it_answers_in_a_fixed_number_of_queries(client_as, django_assert_max_num_queries):
    client = client_as("sultra")
    with django_assert_max_num_queries(5):  # session, user, zone middleware, memberships, grants
        client.get(reverse("api:me"))
