"""Writing and sending a package: one pre-rendered adaptation per unit, in constant SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from serentak.content import services
from serentak.content.models import (
    Adaptation,
    AdaptationStatus,
    AdaptationTransition,
    Mode,
    Package,
    PackageStatus,
    Priority,
)
from serentak.content.selectors import package_progress
from serentak.content.services import package_create, package_send
from serentak.notifications.models import Notification

pytestmark = pytest.mark.django_db

BODY = (
    '{{ satker }} ({{ provinsi }}) mengundang pemilih pemula pada {{ waktu("acara") }}.\n'
    '{{ blok("kutipan", "Kutipan ketua KPU setempat") }}'
)
MOMENTS = {"acara": "2026-12-05T01:00:00+00:00"}


def write(actor: Any, author_unit: Any, **fields: Any) -> Package:
    values: dict[str, Any] = {
        "title": "Ajakan pemilih pemula",
        "body": BODY,
        "moments": MOMENTS,
        "targets": "all",
        "deadline": timezone.now() + dt.timedelta(days=3),
    }
    values.update(fields)
    return package_create(actor=actor, author_unit=author_unit, **values)


def test_it_sends_one_pre_rendered_adaptation_to_each_of_552_units(persona, unit):
    pusat = persona("pusat")
    package = write(pusat, unit("00"))
    assert package.status == PackageStatus.DRAFT
    assert package_send(actor=pusat, package=package) == 552

    adaptations = Adaptation.objects.filter(package=package)
    assert adaptations.count() == 552
    assert not adaptations.filter(unit__code="00").exists()
    assert set(adaptations.values_list("status", flat=True)) == {AdaptationStatus.DRAFT}
    package.refresh_from_db()
    assert package.status == PackageStatus.SENT
    assert package.sent_at is not None


def test_each_unit_gets_the_text_in_its_own_name_province_and_time_zone(persona, unit):
    package = write(persona("pusat"), unit("00"))
    package_send(actor=persona("pusat"), package=package)
    texts = dict(
        Adaptation.objects.filter(
            package=package, unit__code__in=["74.06", "31.71", "91.71"]
        ).values_list("unit__code", "rendered")
    )
    assert texts["74.06"] == (
        "KPU Kabupaten Bombana (Sulawesi Tenggara) mengundang pemilih pemula pada "
        "Sabtu, 5 Desember 2026 pukul 09.00 WITA."
    )
    assert "pukul 08.00 WIB" in texts["31.71"]
    assert "pukul 10.00 WIT." in texts["91.71"]
    bombana = Adaptation.objects.get(package=package, unit__code="74.06")
    # The unit starts from the rendered text, an exact copy so far.
    assert bombana.text == bombana.rendered
    assert bombana.originality == 0.0


def test_any_text_survives_the_bulk_insert_unchanged(persona, unit):
    body = "Halo {{ wilayah }} 🗳️ “kutipan” 'satu' \"dua\" C:\\arsip\\ 50% é\n\n\tTab; -- ); DROP"
    pusat = persona("pusat")
    package = write(pusat, unit("00"), body=body, targets={"units": ["74.06"]})
    package_send(actor=pusat, package=package)
    expected = body.replace("{{ wilayah }}", "Kabupaten Bombana")
    bombana = Adaptation.objects.get(package=package)
    assert bombana.rendered == expected
    assert bombana.text == expected


def test_sending_takes_the_same_number_of_queries_for_2_units_as_for_552(
    persona, unit, django_assert_max_num_queries
):
    pusat, centre = persona("pusat"), unit("00")
    small = write(pusat, centre, targets={"units": ["74.06", "74.02"]})
    big = write(pusat, centre, targets="all")
    with CaptureQueriesContext(connection) as few:
        assert package_send(actor=pusat, package=small) == 2
    with django_assert_max_num_queries(len(few)):
        assert package_send(actor=pusat, package=big) == 552
    assert len(few) <= 20


def test_every_adaptation_starts_with_a_recorded_transition(persona, unit):
    pusat = persona("pusat")
    package = write(pusat, unit("00"), targets={"provinces": ["74"]})
    count = package_send(actor=pusat, package=package)
    transitions = AdaptationTransition.objects.filter(adaptation__package=package)
    assert transitions.count() == count
    assert set(transitions.values_list("from_status", "to_status", "actor")) == {
        ("", AdaptationStatus.DRAFT, pusat.pk)
    }


def test_a_broadcast_is_approved_at_once_as_rendered(persona, unit):
    pusat = persona("pusat")
    package = write(
        pusat,
        unit("00"),
        mode=Mode.BROADCAST,
        priority=Priority.URGENT,
        targets={"provinces": ["74"]},
    )
    count = package_send(actor=pusat, package=package)
    assert package_progress(package=package)[AdaptationStatus.APPROVED] == count
    bombana = Adaptation.objects.get(package=package, unit__code="74.06")
    assert bombana.text == bombana.rendered
    assert bombana.approved_at is not None
    assert bombana.approved_by == pusat
    transition = bombana.transitions.get()
    assert (transition.from_status, transition.to_status) == ("", AdaptationStatus.APPROVED)


def test_a_template_mistake_is_refused_with_its_position_and_nothing_is_written(persona, unit):
    with pytest.raises(ValidationError) as caught:
        write(persona("pusat"), unit("00"), body="Halo {{ satker.nama }}")
    assert caught.value.messages[0].startswith("line 1, column 15")
    with pytest.raises(ValidationError, match="acara"):
        write(persona("pusat"), unit("00"), moments={})
    assert not Package.objects.exists()


def test_a_template_broken_after_writing_is_refused_at_sending(persona, unit):
    pusat = persona("pusat")
    package = write(pusat, unit("00"), targets={"units": ["74.06"]})
    Package.objects.filter(pk=package.pk).update(body="{% for x in y %}{% endfor %}")
    package.refresh_from_db()
    with pytest.raises(ValidationError, match="line 1, column"):
        package_send(actor=pusat, package=package)
    assert not Adaptation.objects.filter(package=package).exists()
    package.refresh_from_db()
    assert package.status == PackageStatus.DRAFT  # the claim was rolled back with the rest


def test_a_package_is_sent_once(persona, unit):
    pusat = persona("pusat")
    package = write(pusat, unit("00"), targets={"units": ["74.06"]})
    package_send(actor=pusat, package=package)
    with pytest.raises(ValidationError, match="sent already"):
        package_send(actor=pusat, package=package)
    assert Adaptation.objects.filter(package=package).count() == 1


def test_a_province_admin_writes_for_its_own_regencies_only(persona, unit):
    sultra = persona("sultra")
    package = write(sultra, unit("74"), targets={"units": ["74.06"]})
    assert package_send(actor=sultra, package=package) == 1
    with pytest.raises(ValidationError, match=r"73\.71"):
        write(sultra, unit("74"), targets={"units": ["73.71"]})
    with pytest.raises(PermissionDenied):
        write(sultra, unit("73"), targets="all")


@pytest.mark.parametrize("username", ["bombana", "konawe", "tamu"])
def test_editors_and_outsiders_cannot_send_packages(persona, unit, username):
    with pytest.raises(PermissionDenied):
        write(persona(username), unit("74"), targets={"units": ["74.06"]})


def test_a_unit_without_units_below_cannot_author(persona, unit):
    with pytest.raises(ValidationError, match="no units below"):
        write(persona("sultra"), unit("74.06"), targets="all")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "title"),
        ({"mode": "shout"}, "mode"),
        ({"priority": "asap"}, "priority"),
        ({"originality_threshold": 1.5}, "between 0 and 1"),
        ({"deadline": timezone.now() - dt.timedelta(hours=1)}, "passed"),
        ({"deadline": dt.datetime(2030, 1, 1, 12)}, "time zone"),  # noqa: DTZ001 - on purpose
        ({"link": "javascript:alert(1)"}, "web address"),
        ({"targets": {"units": ["99.99"]}}, "99.99"),
    ],
)
def test_bad_fields_are_refused(persona, unit, fields, message):
    with pytest.raises(ValidationError, match=message):
        write(persona("pusat"), unit("00"), **fields)


def test_the_units_editors_and_admins_are_told_with_one_notice_call(persona, unit, monkeypatch):
    calls: list[dict[str, Any]] = []
    real_notify = services.notify

    def spy(**kwargs: Any) -> Any:
        kwargs["recipients"] = list(kwargs["recipients"])
        calls.append(kwargs)
        return real_notify(**kwargs)

    monkeypatch.setattr(services, "notify", spy)
    pusat = persona("pusat")
    package = write(pusat, unit("00"), targets="all")
    package_send(actor=pusat, package=package)

    assert len(calls) == 1
    assert {user.username for user in calls[0]["recipients"]} >= {"bombana", "konawe", "sultra"}
    assert "pusat" not in {user.username for user in calls[0]["recipients"]}
    notices = Notification.objects.filter(kind="content.package_received")
    assert set(notices.values_list("recipient__username", flat=True)) >= {
        "bombana",
        "konawe",
        "sultra",
    }
    bombana_notice = notices.get(recipient__username="bombana")
    assert "Ajakan pemilih pemula" in bombana_notice.title
    assert bombana_notice.priority == "normal"
    assert bombana_notice.route == "digest"  # a digest, not one email per package


def test_an_urgent_package_is_a_high_priority_notice(persona, unit):
    pusat = persona("pusat")
    package = write(pusat, unit("00"), priority=Priority.URGENT, targets={"units": ["74.06"]})
    package_send(actor=pusat, package=package)
    notice = Notification.objects.get(kind="content.package_received")
    assert notice.recipient.username == "bombana"
    assert notice.priority == "high"


def test_the_system_may_send_without_a_person(unit):
    package = write(None, unit("00"), targets={"units": ["74.06"]})
    assert package.author is None
    assert package_send(actor=None, package=package) == 1
