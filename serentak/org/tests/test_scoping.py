from __future__ import annotations

import pytest

from serentak.org.models import Membership, Role, Unit
from serentak.org.scoping import Action, grants_for, top_grants, user_can

pytestmark = pytest.mark.django_db


def test_it_scopes_units_by_role_and_subtree(persona):
    assert Unit.objects.for_user(persona("pusat")).count() == 553
    assert Unit.objects.for_user(persona("sultra")).count() == 18
    assert list(Unit.objects.for_user(persona("bombana")).values_list("code", flat=True)) == [
        "74.06"
    ]
    assert list(Unit.objects.for_user(persona("konawe")).values_list("code", flat=True)) == [
        "74.02"
    ]
    assert Unit.objects.for_user(persona("tamu")).count() == 0


def test_editors_write_for_their_unit_but_do_not_approve_or_manage(persona, unit):
    bombana = persona("bombana")
    assert user_can(bombana, Action.WRITE, unit("74.06"))
    assert not user_can(bombana, Action.APPROVE, unit("74.06"))
    assert not user_can(bombana, Action.MANAGE_PEOPLE, unit("74.06"))
    assert not user_can(bombana, Action.VIEW, unit("74.02"))
    assert not user_can(bombana, Action.VIEW, unit("74"))


def test_a_unit_admin_approves_and_manages_its_whole_subtree(persona, unit):
    sultra = persona("sultra")
    for action in Action:
        assert user_can(sultra, action, unit("74.06"))
        assert not user_can(sultra, action, unit("73.01"))
    assert Unit.objects.for_user(sultra, Action.APPROVE).count() == 18


def test_an_approver_sees_and_approves_but_does_not_write_or_manage(persona, unit):
    person = persona("tamu")
    Membership.objects.create(user=person, unit=unit("74"), role=Role.APPROVER)
    person = persona("tamu")  # grants are cached per user object
    assert user_can(person, Action.APPROVE, unit("74.06"))
    assert not user_can(person, Action.WRITE, unit("74.06"))
    assert not user_can(person, Action.MANAGE_PEOPLE, unit("74"))


def test_a_deactivated_person_or_an_inactive_unit_grants_nothing(persona, unit):
    bombana = persona("bombana")
    bombana.is_active = False
    assert Unit.objects.for_user(bombana).count() == 0
    Unit.objects.filter(code="74.02").update(is_active=False)
    assert Unit.objects.for_user(persona("konawe")).count() == 0


def test_grants_are_read_once_per_user_object(persona, django_assert_num_queries):
    sultra = persona("sultra")
    with django_assert_num_queries(1):
        grants_for(sultra)
        grants_for(sultra)
        top_grants(sultra)


def test_top_grants_drop_units_inside_another_grant(persona, unit):
    sultra = persona("sultra")
    Membership.objects.create(user=sultra, unit=unit("74.06"), role=Role.EDITOR)
    sultra = persona("sultra")
    assert [g.unit_id for g in top_grants(sultra)] == [unit("74").pk]
    assert [g.unit_id for g in top_grants(sultra, Action.WRITE)] == [unit("74").pk]


def test_a_superuser_sees_everything(persona):
    admin = persona("tamu")
    admin.is_superuser = True
    assert Unit.objects.for_user(admin).count() == 553
