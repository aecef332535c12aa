"""The author's side of packages on the web: compose, check, save, send, follow, originality.

Personas (see the root conftest): ``pusat`` (central admin of KPU RI) authors for the whole
country, ``sultra`` (unit admin of 74) for its province; ``bombana`` and ``konawe`` are
editors: they receive packages (in the inbox) and never see the author's pages.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from serentak.accounts.models import User
from serentak.content import selectors
from serentak.content.models import (
    Adaptation,
    AdaptationStatus,
    Package,
    PackageImage,
    PackageStatus,
)
from serentak.content.services import package_create, package_send

pytestmark = pytest.mark.django_db

S = AdaptationStatus
HTMX = {"HTTP_HX_REQUEST": "true"}
BODY = '{{ satker }} mengundang warga {{ wilayah }}.\nAcara dimulai pukul {{ jam("acara") }}.\n'
# 06:00 UTC as pusat (Jakarta, WIB) types it in the datetime-local input.
MOMENT_WIB = "2026-12-01T13:00"


@pytest.fixture
def client_en(client_as):
    """``client_en("pusat")``: signed in, the interface in English."""

    def make(username: str | None) -> Client:
        client = client_as(username)
        client.cookies["serentak_language"] = "en"
        return client

    return make


def form_data(**overrides: Any) -> dict[str, Any]:
    from serentak.org.models import Unit

    data: dict[str, Any] = {
        "author_unit": Unit.objects.get(institution__slug="kpu", code="00").pk,
        "title": "Undangan sosialisasi",
        "body": BODY,
        "link": "https://kpu.go.id",
        "guidance": "Tambahkan lokasi setempat.",
        "mode": "adapt",
        "priority": "normal",
        "deadline": (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "moment": MOMENT_WIB,
        "target_kind": "all",
        "unit_codes": "",
        "originality_policy": "warn",
        "originality_threshold": "30",
    }
    data.update(overrides)
    return data


def url(name: str, *args: Any) -> str:
    return reverse(f"content:{name}", args=args)


def sent(
    codes: list[str] | None = None, *, author: str = "pusat", body: str = BODY, **fields: Any
) -> Package:
    user = User.objects.get(username=author)
    package = package_create(
        actor=user,
        author_unit=user.memberships.get().unit,
        title=fields.pop("title", "Undangan"),
        body=body,
        moments={"acara": "2026-12-01T06:00:00+00:00"},
        targets={"units": codes} if codes else "all",
        **fields,
    )
    package_send(actor=user, package=package)
    return package


# --- Compose and check ------------------------------------------------------------------------


def test_it_shows_the_compose_page_with_the_variables_table(client_en):
    response = client_en("pusat").get(url("package-new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="variables"' in html
    assert "{{ satker }}" in html
    assert "the unit&#x27;s display name" in html
    assert 'type="datetime-local"' in html
    assert "KPU RI" in html


def test_its_check_reports_template_problems_with_line_and_column(client_en):
    body = "Halo {{ satker }}.\nIni {{ satkerr }} hadir."
    response = client_en("pusat").post(url("package-check"), form_data(body=body), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="check-problems"' in html
    assert 'data-line="2" data-column="8"' in html
    assert "line 2, column 8: Unknown variable “satkerr”. Did you mean “satker”?" in html
    assert "<html" not in html  # the fragment only


def test_its_check_previews_the_text_in_wib_wita_and_wit_with_the_number_of_units(client_en):
    response = client_en("pusat").post(url("package-check"), form_data(), **HTMX)
    html = response.content.decode()
    assert 'id="check-problems"' not in html
    assert "It goes to 552 units." in html
    zones = re.findall(r'data-zone="(\w+)"', html)
    assert zones == ["WIB", "WITA", "WIT"]
    assert "Acara dimulai pukul 13.00 WIB." in html
    assert "Acara dimulai pukul 14.00 WITA." in html
    assert "Acara dimulai pukul 15.00 WIT." in html


def test_its_check_takes_the_samples_among_the_targets(client_en):
    data = form_data(target_kind="units", unit_codes="74.06\n74.02, 91.71")
    html = client_en("pusat").post(url("package-check"), data, **HTMX).content.decode()
    assert "It goes to 3 units." in html
    assert re.findall(r'data-zone="(\w+)"', html) == ["WITA", "WIT"]
    assert "KPU Kabupaten Konawe" in html  # the first unit of each zone in tree order
    assert "KPU Kabupaten Bombana" not in html


def test_its_check_names_targets_that_reach_nobody(client_en):
    data = form_data(target_kind="units", unit_codes="74.06 99.99")
    html = client_en("pusat").post(url("package-check"), data, **HTMX).content.decode()
    assert 'id="check-targets"' in html
    assert "Unknown or inactive unit codes: 99.99" in html


def test_its_check_without_javascript_shows_the_whole_page(client_en):
    response = client_en("pusat").post(url("package-check"), form_data())
    html = response.content.decode()
    assert "<html" in html
    assert 'id="package-form"' in html
    assert "Acara dimulai pukul 14.00 WITA." in html


# --- Save and send ----------------------------------------------------------------------------


def test_it_saves_a_draft_then_sends_it_from_the_web(client_en, persona):
    client = client_en("pusat")
    data = form_data(target_kind="units", unit_codes="74.06, 74.02", priority="high")
    response = client.post(url("package-new"), data)
    package = Package.objects.get(title="Undangan sosialisasi")
    assert response.status_code == 302
    assert response["Location"] == url("package-detail", package.pk)
    assert package.status == PackageStatus.DRAFT
    assert package.author == persona("pusat")
    assert package.targets == {"units": ["74.06", "74.02"]}
    assert package.moments == {"acara": "2026-12-01T06:00:00+00:00"}
    assert package.originality_threshold == pytest.approx(0.3)
    assert package.deadline is not None
    assert package.deadline > timezone.now()
    assert not Adaptation.objects.filter(package=package).exists()

    detail = client.get(url("package-detail", package.pk)).content.decode()
    assert 'id="send-button"' in detail
    assert "Send to 2 units" in detail

    response = client.post(url("package-send", package.pk), follow=True)
    html = response.content.decode()
    assert "Sent: 2 adaptations created, one per unit." in html
    assert 'id="send-button"' not in html
    adaptations = Adaptation.objects.filter(package=package)
    assert sorted(adaptations.values_list("unit__code", flat=True)) == ["74.02", "74.06"]
    assert "pukul 14.00 WITA" in adaptations.get(unit__code="74.06").rendered
    assert re.search(r'data-status="draft">\s*<td>to adapt</td>\s*<td class="count">2<', html)


def test_sending_twice_sends_once(client_en):
    client = client_en("pusat")
    client.post(url("package-new"), form_data(target_kind="units", unit_codes="74.06"))
    package = Package.objects.get(title="Undangan sosialisasi")
    client.post(url("package-send", package.pk))
    html = client.post(url("package-send", package.pk), follow=True).content.decode()
    assert "This package was sent already." in html
    assert Adaptation.objects.filter(package=package).count() == 1


def test_it_keeps_the_form_and_says_why_when_the_service_refuses(client_en):
    data = form_data(target_kind="units", unit_codes="74.06 99.99", body="Halo {{ satkerr }}")
    response = client_en("pusat").post(url("package-new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="form-errors"' in html
    assert "satkerr" in html
    assert not Package.objects.filter(title="Undangan sosialisasi").exists()


def test_a_province_admin_authors_for_its_province_only(client_en, unit):
    client = client_en("sultra")
    html = client.get(url("package-new")).content.decode()
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', html.split("id_title")[0])
    assert [name for _pk, name in options] == ["KPU Provinsi Sulawesi Tenggara"]
    data = form_data(author_unit=unit("74").pk, target_kind="provinces", provinces=["74"])
    assert client.post(url("package-new"), data).status_code == 302
    package = Package.objects.get(title="Undangan sosialisasi")
    client.post(url("package-send", package.pk))
    assert Adaptation.objects.filter(package=package).count() == unit("74").numchild


# --- Images -----------------------------------------------------------------------------------


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def upload(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_it_stores_images_downscaled_with_their_size(client_en, settings, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path
    data = form_data(
        target_kind="units",
        unit_codes="74.06",
        images=[upload("besar.jpeg", jpeg(3000, 2400)), upload("kecil.jpg", jpeg(400, 300))],
    )
    assert client_en("pusat").post(url("package-new"), data).status_code == 302
    images = list(PackageImage.objects.filter(package__title="Undangan sosialisasi"))
    assert [(i.width, i.height, i.position) for i in images] == [(2048, 1638, 0), (400, 300, 1)]
    stored = Path(images[0].image.path)
    assert stored.is_relative_to(tmp_path / "packages")
    assert stored.suffix == ".jpg"
    with Image.open(stored) as opened:
        assert opened.size == (2048, 1638)


def test_it_refuses_a_file_that_is_not_an_image_and_saves_nothing(
    client_en, settings, tmp_path: Path
):
    settings.MEDIA_ROOT = tmp_path
    data = form_data(images=[upload("foto.jpg", b"%PDF-1.4 not a photo")])
    response = client_en("pusat").post(url("package-new"), data)
    assert response.status_code == 200
    assert "foto.jpg: this is not a JPEG, PNG or WebP image." in response.content.decode()
    assert not Package.objects.filter(title="Undangan sosialisasi").exists()
    assert not PackageImage.objects.exists()


# --- Who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bombana", "konawe", "tamu"])
def test_editors_and_people_without_a_unit_cannot_compose(client_en, who):
    client = client_en(who)
    assert client.get(url("package-new")).status_code == 403
    assert client.post(url("package-new"), form_data()).status_code == 403
    assert client.post(url("package-check"), form_data(), **HTMX).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client_en):
    response = client_en(None).get(url("packages"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("pusat", 200), ("sultra", 404), ("bombana", 404), ("konawe", 404), ("tamu", 404)],
)
def test_a_central_package_is_for_the_author_side_only(client_en, who, status):
    package = sent(["74.06", "74.02"])
    client = client_en(who)
    assert client.get(url("package-detail", package.pk)).status_code == status
    assert client.get(url("package-originality", package.pk)).status_code == status
    listed = f'data-package="{package.pk}"' in client.get(url("packages")).content.decode()
    assert listed is (status == 200)


def test_the_centre_sees_a_province_package_and_the_province_sends_it(client_en):
    package = sent(["74.06"], author="sultra", title="Rapat pleno")
    assert client_en("pusat").get(url("package-detail", package.pk)).status_code == 200
    assert client_en("bombana").get(url("package-detail", package.pk)).status_code == 404
    assert client_en("konawe").post(url("package-send", package.pk)).status_code == 404


def test_an_editor_cannot_send_even_by_posting(client_en, persona, unit):
    package = package_create(
        actor=persona("pusat"),
        author_unit=unit("00"),
        title="Draf",
        body="Halo {{ satker }}",
        targets="all",
    )
    assert client_en("bombana").post(url("package-send", package.pk)).status_code == 404
    package.refresh_from_db()
    assert package.status == PackageStatus.DRAFT


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_each_package_with_its_progress(client_en):
    package = sent(["74.06", "74.02", "74.01"])
    Adaptation.objects.filter(package=package, unit__code="74.06").update(status=S.SUBMITTED)
    html = client_en("pusat").get(url("packages")).content.decode()
    assert 'id="new-package"' in html
    row = html.split(f'data-package="{package.pk}"')[1].split("</tr>")[0]
    assert '<span data-status="draft">to adapt: 2</span>' in row
    assert '<span data-status="submitted">submitted: 1</span>' in row


def test_the_list_costs_the_same_queries_for_one_package_or_many(client_en):
    client = client_en("pusat")
    sent(["74.06"])
    client.get(url("packages"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(url("packages"))
    for _ in range(4):
        sent(["74.06", "74.02"])
    with CaptureQueriesContext(connection) as five:
        client.get(url("packages"))
    assert len(five) == len(one)


def test_editors_see_an_empty_list_without_the_new_button(client_en):
    sent(["74.06"])
    html = client_en("bombana").get(url("packages")).content.decode()
    assert "No package yet." in html
    assert 'id="new-package"' not in html


# --- Originality ------------------------------------------------------------------------------

BLOCK_BODY = (
    "{{ satker }} mengundang warga.\n"
    '{{ blok("kutipan", "Kutipan ketua") }}\n'
    '{{ blok("lokasi", "Lokasi acara") }}\n'
)
# code -> (status, originality, blocks)
KNOWN: dict[str, tuple[str, float, dict[str, str]]] = {
    "74.06": (S.SUBMITTED, 0.05, {}),
    "74.02": (S.APPROVED, 0.2, {"kutipan": "Kata ketua."}),
    "74.01": (S.PUBLISHED, 0.5, {"kutipan": "Kata ketua.", "lokasi": "Aula"}),
    "73.71": (S.SUBMITTED, 0.9, {"kutipan": "  ", "lokasi": "Balai kota"}),
    "73.72": (S.DRAFT, 0.7, {"kutipan": "Belum dikirim"}),
    "31.71": (S.CHANGES_REQUESTED, 0.0, {}),
}


@pytest.fixture
def scored() -> Package:
    package = sent(list(KNOWN), body=BLOCK_BODY)
    for code, (status, score, blocks) in KNOWN.items():
        Adaptation.objects.filter(package=package, unit__code=code).update(
            status=status, originality=score, blocks=blocks
        )
    return package


def test_the_originality_report_counts_bands_per_province_and_blocks(scored):
    report = selectors.package_originality(package=scored)
    total = report.total
    assert (total.copied, total.light, total.localised, total.waiting) == (1, 1, 2, 2)
    assert total.average == pytest.approx((0.05 + 0.2 + 0.5 + 0.9) / 4)
    provinces = {row.name: row for row in report.provinces}
    sultra = provinces["KPU Provinsi Sulawesi Tenggara"]
    assert (sultra.copied, sultra.light, sultra.localised, sultra.waiting) == (1, 1, 1, 0)
    sulsel = provinces["KPU Provinsi Sulawesi Selatan"]
    assert (sulsel.localised, sulsel.waiting) == (1, 1)
    assert sulsel.average == pytest.approx(0.9)
    jakarta = provinces["KPU Provinsi DKI Jakarta"]
    assert (jakarta.waiting, jakarta.average) == (1, None)
    # Blank and not-handed-in blocks do not count.
    assert report.blocks == [("kutipan", "Kutipan ketua", 2), ("lokasi", "Lokasi acara", 2)]


def test_the_originality_page_shows_the_counts_and_sorts_units_by_score(client_en, scored):
    client = client_en("pusat")
    html = client.get(url("package-originality", scored.pk)).content.decode()
    assert re.search(r'id="total-copied" class="band-copied">1<', html)
    assert re.search(r'id="total-light" class="band-light">1<', html)
    assert re.search(r'id="total-localised" class="band-localised">2<', html)
    assert 'id="total-average">41%<' in html
    assert 'id="total-waiting">2<' in html
    assert re.search(r'data-block="kutipan">.*?<td class="count">2</td>', html, re.S)

    by_score = client.get(url("package-originality", scored.pk) + "?sort=score", **HTMX)
    order = re.findall(r'data-unit="([\d.]+)"', by_score.content.decode())
    # Versions not handed in come last, in tree order.
    assert order == ["74.06", "74.02", "74.01", "73.71", "31.71", "73.72"]
    descending = client.get(url("package-originality", scored.pk) + "?sort=-score").content
    order = re.findall(r'data-unit="([\d.]+)"', descending.decode())
    assert order[:4] == ["73.71", "74.01", "74.02", "74.06"]


def test_the_originality_page_costs_the_same_queries_for_2_or_552_units(client_en):
    client = client_en("pusat")
    small, everyone = sent(["74.06", "31.71"]), sent(None)
    client.get(url("package-originality", small.pk))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url("package-originality", small.pk))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("package-originality", everyone.pk))
    assert response.content.decode().count("data-unit=") == 552
    assert len(many) == len(few)
