"""The audit pages: who sees what (a permission matrix), the national page's queries, the
run-now button, and no token anywhere in what is rendered."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from serentak.org.models import Unit
from serentak.pages import tasks
from serentak.pages.models import AuditRun, Finding, PageToken, Presence
from serentak.pages.services.audit import audit_run
from serentak.pages.services.tokens import token_store

pytestmark = pytest.mark.django_db
SECRET = "EAAsecretpagetokenofbombana0123456789"


def unit_url(code: str) -> str:
    return reverse("pages:audit-unit", args=["kpu", code])


@pytest.fixture
def audited(kpu, unit) -> AuditRun:
    """Bombana's Page (misnamed, connected), a profile in Konawe, then an audit run."""
    now = timezone.now()
    bombana = Presence.objects.create(
        institution=kpu,
        unit=unit("74.06"),
        kind="page",
        source="connect",
        is_official=True,
        page_id="1001",
        name="KPU Kab. Bombana",
        website="https://kab-bombana.kpu.go.id",
        about="Akun resmi.",
        picture_is_silhouette=False,
        has_cover=True,
        is_published=True,
        new_pages_experience=True,
        last_post_at=now,
        fetched_at=now,
    )
    token_store(presence=bombana, token=SECRET, tasks=["ANALYZE", "CREATE_CONTENT"])
    PageToken.objects.filter(presence=bombana).update(is_valid=True)
    Presence.objects.create(
        institution=kpu,
        unit=unit("74.02"),
        kind="profile",
        source="import",
        url="https://www.facebook.com/kpu.konawe",
        canonical_url="https://www.facebook.com/kpu.konawe",
    )
    return audit_run(institution=kpu, trigger="cli", fetch=False)


NATIONAL = reverse("pages:audit-national")

# (persona, page, expected status): every audit page for every role, own and other units.
MATRIX = [
    ("pusat", NATIONAL, 200),
    ("pusat", unit_url("74"), 200),
    ("pusat", unit_url("74.06"), 200),
    ("pusat", unit_url("11.01"), 200),
    ("sultra", NATIONAL, 302),
    ("sultra", unit_url("74"), 200),
    ("sultra", unit_url("74.06"), 200),
    ("sultra", unit_url("74.02"), 200),
    ("sultra", unit_url("73"), 404),
    ("sultra", unit_url("73.01"), 404),
    ("bombana", NATIONAL, 302),
    ("bombana", unit_url("74.06"), 200),
    ("bombana", unit_url("74.02"), 404),
    ("bombana", unit_url("74"), 404),
    ("konawe", unit_url("74.02"), 200),
    ("konawe", unit_url("74.06"), 404),
    ("tamu", NATIONAL, 403),
    ("tamu", unit_url("74.06"), 404),
]


@pytest.mark.parametrize(("who", "url", "status"), MATRIX)
def test_who_sees_which_audit_page(audited, client_as, who, url, status):
    assert client_as(who).get(url).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client_as):
    response = client_as(None).get(NATIONAL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_people_below_the_centre_land_on_their_own_unit(audited, client_as):
    assert client_as("sultra").get(NATIONAL)["Location"] == unit_url("74")
    assert client_as("bombana").get(NATIONAL)["Location"] == unit_url("74.06")


def test_the_central_admin_sees_the_national_table_and_map(audited, client_as):
    response = client_as("pusat").get(NATIONAL)
    html = response.content.decode()
    area = response.context["area"]
    assert len(area.children) == 38
    assert area.total.units == Unit.objects.filter(is_active=True).count()
    assert area.total.without_page == area.total.units - 1
    assert area.total.profiles == 1
    assert html.count("<path ") == 38
    assert f'href="{unit_url("74")}"' in html
    assert response.context["can_run"] is True
    sultra = next(row for row in area.children if row.unit.code == "74")
    assert sultra.units == 18  # the province and its 17 regencies and cities
    assert sultra.profiles == 1


def test_a_province_admin_sees_only_its_own_units(audited, client_as):
    response = client_as("sultra").get(unit_url("74"))
    children = response.context["area"].children
    assert children
    assert all(row.unit.code.startswith("74.") for row in children)
    findings = response.context["findings"]
    assert findings
    assert all(view.finding.unit.code.startswith("74.") for view in findings)
    assert response.context["can_run"] is True


def test_a_regency_operator_sees_their_checklist_with_the_fix(audited, client_as):
    response = client_as("bombana").get(unit_url("74.06"))
    html = response.content.decode()
    items = {item.check.code: item for item in response.context["checklist"].items}
    assert items["name_mismatch"].status == "failed"
    assert items["website_missing"].status == "passed"
    assert items["no_official_page"].status == "passed"
    assert items["token_expiring"].status == "passed"
    assert "KPU Kabupaten Bombana" in items["name_mismatch"].findings[0].fix
    assert "KPU Kab. Bombana" in html
    assert response.context["checklist"].score == 90
    assert response.context["can_run"] is False  # an editor cannot start an audit
    assert 'name="code"' not in html


def test_a_unit_without_a_page_shows_the_rest_as_not_checked(audited, client_as):
    response = client_as("sultra").get(unit_url("74.01"))
    items = {item.check.code: item.status for item in response.context["checklist"].items}
    assert items["no_official_page"] == "failed"
    assert items["name_mismatch"] == "not_checked"
    assert items["personal_profile"] == "passed"


def test_before_any_audit_nothing_is_scored(client_as):
    response = client_as("pusat").get(NATIONAL)
    assert response.status_code == 200
    assert response.context["area"].total.average is None
    assert "Belum ada audit yang selesai" in response.content.decode()  # Indonesian by default


@pytest.mark.parametrize("who", ["pusat", "sultra", "bombana"])
def test_no_token_is_ever_rendered(audited, client_as, who):
    encrypted = PageToken.objects.get().encrypted
    pages = [NATIONAL, unit_url("74"), unit_url("74.06")]
    client = client_as(who)
    for url in pages:
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert SECRET not in body
        assert encrypted not in body


def test_the_national_page_takes_the_same_queries_however_many_findings(audited, client_as, kpu):
    client = client_as("pusat")
    client.get(NATIONAL)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as few:
        client.get(NATIONAL)
    units = list(Unit.objects.filter(institution=kpu, code__startswith="74."))
    Finding.objects.bulk_create(
        Finding(unit=u, code=code, severity="warning", run=audited)
        for u in units
        for code in ("cover_missing", "about_missing")
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(NATIONAL)
    assert response.status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 12


def test_the_button_queues_a_run_and_shows_its_row(
    client_as, unit, django_capture_on_commit_callbacks
):
    client = client_as("sultra")
    with (
        mock.patch.object(tasks.audit_run_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("pages:audit-run"),
            {"institution": "kpu", "code": "74"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    run = AuditRun.objects.get()
    delay.assert_called_once_with(run.pk)
    assert (run.unit, run.status) == (unit("74"), "queued")
    assert run.requested_by is not None
    assert run.requested_by.username == "sultra"
    html = response.content.decode()
    assert 'id="audit-run"' in html
    assert reverse("pages:audit-run-status", args=[run.pk]) in html  # it polls while queued
    status = client.get(reverse("pages:audit-run-status", args=[run.pk]))
    assert status.status_code == 200
    assert status.context["run"] == run


def test_the_national_button_is_for_the_centre(client_as, django_capture_on_commit_callbacks):
    url = reverse("pages:audit-run")
    with mock.patch.object(tasks.audit_run_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            refused = client_as("sultra").post(url, {"institution": "kpu", "code": "00"})
        assert refused.status_code == 404  # sultra cannot even see the root
        with django_capture_on_commit_callbacks(execute=True):
            queued = client_as("pusat").post(url, {"institution": "kpu", "code": "00"})
    assert queued.status_code == 302
    assert queued["Location"] == NATIONAL
    run = AuditRun.objects.get()
    assert run.unit is None
    delay.assert_called_once_with(run.pk)


def test_an_editor_cannot_start_an_audit(client_as):
    url = reverse("pages:audit-run")
    response = client_as("bombana").post(url, {"institution": "kpu", "code": "74.06"})
    assert response.status_code == 403
    assert not AuditRun.objects.exists()


def test_a_run_row_is_shown_only_to_those_who_see_its_unit(client_as, kpu, unit):
    run = AuditRun.objects.create(institution=kpu, unit=unit("74.06"), trigger="manual")
    url = reverse("pages:audit-run-status", args=[run.pk])
    assert client_as("bombana").get(url).status_code == 200
    assert client_as("sultra").get(url).status_code == 200
    assert client_as("konawe").get(url).status_code == 404
    national = AuditRun.objects.create(institution=kpu, trigger="scheduled")
    url = reverse("pages:audit-run-status", args=[national.pk])
    assert client_as("pusat").get(url).status_code == 200
    assert client_as("sultra").get(url).status_code == 404


def test_a_unit_page_does_not_show_the_national_runs_totals(audited, client_as):
    body = client_as("bombana").get(unit_url("74.06")).content.decode()
    assert "temuan terbuka" not in body.split('id="audit-run"')[1].split("</div>")[0]
