from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from serentak.org.models import Unit

pytestmark = pytest.mark.django_db


def test_central_home_shows_the_national_tree_with_per_province_counts(client_as):
    page = client_as("pusat").get(reverse("core:home")).content.decode()
    assert "KPU RI" in page
    assert "KPU Provinsi Sulawesi Tenggara" in page
    assert "KIP Aceh" in page
    assert page.count("<tr>") >= 38 + 1
    # Sulawesi Tenggara: 15 regencies and 2 cities.
    row = page.split("KPU Provinsi Sulawesi Tenggara")[1].split("</tr>")[0]
    assert "<td>15</td>" in row
    assert "<td>2</td>" in row


def test_province_home_lists_its_regencies(client_as):
    page = client_as("sultra").get(reverse("core:home")).content.decode()
    assert "KPU Provinsi Sulawesi Tenggara" in page
    assert "KPU Kabupaten Bombana" in page
    assert "KPU Kota Kendari" in page
    assert "KPU Provinsi Sulawesi Selatan" not in page


def test_unit_home_shows_only_the_own_unit(client_as):
    page = client_as("bombana").get(reverse("core:home")).content.decode()
    assert "KPU Kabupaten Bombana" in page
    assert "Konawe" not in page
    assert "WITA" in page


def test_a_person_without_unit_is_told_what_to_do(client_as):
    page = client_as("tamu").get(reverse("core:home")).content.decode()
    assert "KPU" not in page.split("<main")[1].split("</main>")[0].replace("KPU RI", "")


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("core:home")).status_code == 200
    return len(ctx.captured_queries)


def test_the_national_tree_costs_the_same_queries_whatever_the_number_of_units(client_as, unit):
    client = client_as("pusat")
    before = _home_queries(client)
    sultra = unit("74")
    for n in range(30):
        Unit.objects.add_child(
            sultra,
            {
                "institution": sultra.institution,
                "code": f"74.9{n:02d}",
                "kind": "regency",
                "region_name": f"Kabupaten Uji {n}",
                "name": f"KPU Kabupaten Uji {n}",
                "timezone": "Asia/Makassar",
            },
        )
    after = _home_queries(client)
    assert after == before
    assert before <= 12


def test_unit_search_answers_htmx_with_the_fragment(client_as):
    response = client_as("sultra").get(
        reverse("org:unit-list"), {"q": "bomb"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "KPU Kabupaten Bombana" in body


def test_times_are_shown_in_the_viewers_unit_zone(client_as):
    assert "WITA" in client_as("bombana").get(reverse("core:home")).content.decode()
    assert "WIB" in client_as("pusat").get(reverse("core:home")).content.decode()


def test_vendored_assets_are_served_by_the_app(client):
    for path in ("/static/vendor/htmx/htmx.min.js", "/static/vendor/pico/pico.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
