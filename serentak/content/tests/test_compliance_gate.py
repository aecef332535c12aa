"""Submitting runs the rulebook: a block refuses, a warning needs an acknowledgement."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from serentak.content.models import Adaptation, AdaptationStatus
from serentak.content.services import (
    adaptation_save,
    adaptation_submit,
    package_create,
    package_send,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(persona, unit) -> Adaptation:
    package = package_create(
        actor=persona("pusat"),
        author_unit=unit("00"),
        title="Sosialisasi",
        body="Sosialisasi tahapan pemilu di {{ wilayah }}.",
        mode="adapt",
        priority="normal",
        targets={"units": ["74.06"]},
        originality_policy="none",
    )
    package_send(actor=persona("pusat"), package=package)
    return Adaptation.objects.get(package=package)


def _save(persona, work, text):
    return adaptation_save(actor=persona("bombana"), adaptation=work, text=text, blocks={})


def test_a_blocked_text_cannot_be_submitted(persona, work):
    work = _save(persona, work, "Ayo main s.l.o.t g.a.c.o.r, deposit pulsa!")
    with pytest.raises(ValidationError) as refused:
        adaptation_submit(actor=persona("bombana"), adaptation=work)
    assert "s.l.o.t g.a.c.o.r" in " ".join(refused.value.messages)
    work.refresh_from_db()
    assert work.status == AdaptationStatus.DRAFT


def test_a_warning_needs_an_acknowledgement_which_is_recorded(persona, work):
    work = _save(persona, work, "Info lebih lanjut hubungi Pak Budi di 0812-3456-7890.")
    with pytest.raises(ValidationError):
        adaptation_submit(actor=persona("bombana"), adaptation=work)
    submitted = adaptation_submit(
        actor=persona("bombana"), adaptation=work, acknowledge_warnings=True
    )
    assert submitted.status == AdaptationStatus.SUBMITTED
    transition = submitted.transitions.get(to_status=AdaptationStatus.SUBMITTED)
    assert "data-pribadi" in transition.comment
    assert transition.actor == persona("bombana")


def test_the_units_own_number_is_no_warning(persona, work, unit):
    bombana = unit("74.06")
    bombana.phones = ["0812-3456-7890"]
    bombana.save()
    work = _save(persona, work, "Info lebih lanjut hubungi humas kami di 0812-3456-7890.")
    assert adaptation_submit(actor=persona("bombana"), adaptation=work).status == "submitted"
