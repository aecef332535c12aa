"""The unit's screens for content: the inbox, the adaptation page, approvals.

Personas (see the root conftest): ``pusat`` sends, ``bombana`` (editor of 74.06) adapts,
``sultra`` (unit admin of 74) approves, ``konawe`` (editor of 74.02) is a neighbour who
must see nothing of Bombana's work, ``tamu`` has no unit at all.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from serentak.accounts.models import User
from serentak.content.models import (
    Adaptation,
    AdaptationStatus,
    OriginalityPolicy,
    Package,
    Priority,
)
from serentak.content.services import package_create, package_send
from serentak.content.views_inbox import PREVIEW_CUT, post_preview
from serentak.org.models import Membership, Unit

pytestmark = pytest.mark.django_db

S = AdaptationStatus
HTMX = {"HTTP_HX_REQUEST": "true"}
BODY = (
    "{{ satker }} mengajak warga {{ wilayah }} mengecek DPT di laman resmi.\n"
    '{{ blok("kutipan", "Kutipan ketua KPU setempat") }}\n'
    '{{ foto("kegiatan", "Foto kegiatan") }}'
)
ADAPTED = (
    "Warga Bombana, ayo cek DPT di kantor desa dan lapor bila nama belum terdaftar!\n"
    "Petugas kami siap membantu setiap hari kerja."
)


def send(
    *,
    title: str = "Cek DPT",
    units: tuple[str, ...] = ("74.06", "74.02"),
    deadline: Any = "default",
    **fields: Any,
) -> Package:
    pusat = User.objects.get(username="pusat")
    if deadline == "default":
        deadline = timezone.now() + dt.timedelta(days=2)
    package = package_create(
        actor=pusat,
        author_unit=pusat.memberships.get().unit,
        title=title,
        body=BODY,
        link="https://kpu.go.id/dpt",
        guidance="Tambahkan lokasi posko setempat.",
        targets={"units": list(units)},
        deadline=deadline,
        **fields,
    )
    package_send(actor=pusat, package=package)
    return package


def work_of(package: Package, code: str = "74.06") -> Adaptation:
    return Adaptation.objects.get(package=package, unit__code=code)


def url(name: str, adaptation: Adaptation | None = None) -> str:
    return reverse(f"content:{name}", args=[adaptation.pk] if adaptation else [])


@pytest.fixture
def client_en(client_as):
    """``client_en("bombana")``: signed in, with the language switch set to English."""

    def make(username: str | None) -> Client:
        client = client_as(username)
        client.cookies["serentak_language"] = "en"
        return client

    return make


@pytest.fixture
def package() -> Package:
    return send()


@pytest.fixture
def work(package: Package) -> Adaptation:
    return work_of(package)


def submitted(work: Adaptation, client: Client) -> Adaptation:
    response = client.post(url("adaptation-submit", work), {"text": ADAPTED})
    assert response.status_code == 302, response.content.decode()
    work.refresh_from_db()
    assert work.status == S.SUBMITTED
    return work


def konawe_approver() -> User:
    user = User.objects.create_user(username="penyetuju_konawe", email="pk@example.test")
    Membership.objects.create(user=user, unit=Unit.objects.get(code="74.02"), role="approver")
    return user


# --- The inbox ------------------------------------------------------------------------------


def test_it_lists_the_inbox_urgent_first_then_by_deadline_with_counts(client_en):
    now = timezone.now()
    send(title="Biasa, nanti", deadline=now + dt.timedelta(days=5))
    send(title="Mendesak", priority=Priority.URGENT, deadline=now + dt.timedelta(days=9))
    send(title="Biasa, segera", deadline=now + dt.timedelta(days=1))
    changes = send(title="Diminta ubah")
    Adaptation.objects.filter(pk=work_of(changes).pk).update(status=S.CHANGES_REQUESTED)
    overdue = send(title="Terlambat")
    Package.objects.filter(pk=overdue.pk).update(deadline=now - dt.timedelta(hours=1))

    response = client_en("bombana").get(url("inbox"))

    content = response.content.decode()
    assert response.status_code == 200
    order = [
        content.index(title)
        for title in ("Mendesak", "Terlambat", "Biasa, segera", "Diminta ubah", "Biasa, nanti")
    ]
    assert order == sorted(order)
    assert 'id="count-draft">4<' in content
    assert 'id="count-changes">1<' in content
    assert 'id="count-submitted">0<' in content
    assert re.search(r'id="count-overdue"[^>]*>1<', content)
    assert 'class="badge priority-urgent"' in content
    assert "(overdue)" in content
    assert "copied as is" in content
    assert "KPU Kabupaten Konawe" not in content  # a single-unit editor sees no unit column


def test_it_filters_by_status_and_gives_htmx_the_list_only(client_en, work):
    send(title="Sudah dikirim")
    client = client_en("bombana")
    submitted(work, client)

    response = client.get(url("inbox"), {"status": "submitted"}, **HTMX)

    content = response.content.decode()
    assert "<html" not in content
    assert "Cek DPT" in content
    assert "Sudah dikirim" not in content
    everything = client.get(url("inbox"), {"status": "all"}).content.decode()
    assert "Cek DPT" in everything
    assert "Sudah dikirim" in everything


def test_someone_with_several_units_sees_each_rows_unit(client_en, package):
    content = client_en("sultra").get(url("inbox")).content.decode()
    assert content.count("Cek DPT") == 2
    assert "KPU Kabupaten Bombana" in content
    assert "KPU Kabupaten Konawe" in content


def test_the_inbox_costs_the_same_number_of_queries_for_5_and_30_adaptations(client_en):
    def queries() -> int:
        client = client_en("bombana")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("inbox")).status_code == 200
        return len(captured)

    for index in range(5):
        send(title=f"Paket {index}", units=("74.06",))
    few = queries()
    for index in range(5, 30):
        send(title=f"Paket {index}", units=("74.06",))
    assert queries() == few


# --- Adapting -------------------------------------------------------------------------------


def test_the_page_shows_guidance_source_blocks_preview_and_history(client_en, work):
    content = client_en("bombana").get(url("adaptation", work)).content.decode()
    assert "Tambahkan lokasi posko setempat." in content
    assert 'id="source-text"' in content
    assert 'id="adaptation-form"' in content
    assert 'name="block_kutipan"' in content
    assert "Kutipan ketua KPU setempat" in content
    assert "No photo yet: add it below." in content
    assert 'hx-trigger="input changed delay:500ms"' in content
    assert "KPU Kabupaten Bombana" in content  # the Page's name on the preview
    assert "https://kpu.go.id/dpt" in content
    assert "Humas KPU RI" in content  # who sent it, in the history
    assert "Submit for approval" in content
    assert "Approve" not in content


def test_the_editor_saves_their_version(client_en, work):
    response = client_en("bombana").post(
        url("adaptation-save", work), {"text": ADAPTED.replace("\n", "\r\n"), "block_kutipan": ""}
    )

    assert response.status_code == 302
    work.refresh_from_db()
    assert work.text == ADAPTED
    assert work.originality > 0.9
    assert work.status == S.DRAFT


def test_the_blocks_can_be_put_into_the_text(client_en, work):
    client_en("bombana").post(
        url("adaptation-save", work),
        {"text": "ignored", "block_kutipan": "“Kami siap,” kata Ketua.", "compose": "1"},
    )
    work.refresh_from_db()
    assert "“Kami siap,” kata Ketua." in work.text
    assert work.text.startswith("KPU Kabupaten Bombana mengajak")
    assert work.blocks == {"kutipan": "“Kami siap,” kata Ketua."}


def test_an_empty_version_is_refused_with_the_message(client_en, work):
    response = client_en("bombana").post(url("adaptation-save", work), {"text": "  "})
    assert response.status_code == 200
    assert "The post cannot be empty." in response.content.decode()
    work.refresh_from_db()
    assert work.text == work.rendered


def test_the_live_originality_fragment_scores_what_is_typed(client_en, work):
    client = client_en("bombana")

    copied = client.post(url("adaptation-originality", work), {"text": work.rendered}, **HTMX)
    own = client.post(url("adaptation-originality", work), {"text": ADAPTED}, **HTMX)

    copied_html, own_html = copied.content.decode(), own.content.decode()
    assert copied.status_code == 200
    assert "<html" not in copied_html
    assert "<strong>0%</strong>" in copied_html
    assert "copied as is" in copied_html
    assert "asks for at least 30% originality" in copied_html  # the default "warn" policy
    assert "truly localised" in own_html
    assert "Meets the 30% originality" in own_html
    assert 'hx-swap-oob="true"' in own_html
    assert "Petugas kami siap membantu" in own_html  # the preview, updated out of band
    work.refresh_from_db()
    assert work.text == work.rendered  # scoring saves nothing


def test_submit_saves_the_text_and_moves_the_status(client_en, work):
    client = client_en("bombana")
    submitted(work, client)
    assert work.text == ADAPTED
    assert work.transitions.filter(from_status=S.DRAFT, to_status=S.SUBMITTED).exists()

    page = client.get(url("adaptation", work)).content.decode()
    assert 'id="adaptation-form"' not in page
    assert "it can no longer be edited" in page
    assert "You submitted this version: someone else reviews it." in page


def test_the_require_policy_refuses_a_copy_with_the_score_and_threshold(client_en):
    work = work_of(send(originality_policy=OriginalityPolicy.REQUIRE, originality_threshold=0.4))

    response = client_en("bombana").post(url("adaptation-submit", work), {"text": work.rendered})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in content
    assert "Originality is 0%, below the 40% this package requires" in content
    assert "requires at least 40% originality before it can be submitted" in content
    work.refresh_from_db()
    assert work.status == S.DRAFT


def test_the_preview_folds_a_long_post_like_facebook():
    text = "kata " * 200
    preview = post_preview(page_name="KPU Kabupaten Bombana", text=text, link="")
    assert len(preview.head) <= PREVIEW_CUT
    assert preview.tail
    assert (preview.head + " " + preview.tail).split() == text.split()
    assert not post_preview(page_name="x", text="pendek\nbaris dua", link="").tail


# --- Who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "view", "edit"),
    [
        ("bombana", 200, True),  # the unit's editor
        ("sultra", 200, True),  # unit admin of the province: writes for its regencies too
        ("pusat", 200, True),
        ("konawe", 404, False),  # another regency
        ("tamu", 404, False),  # no unit
    ],
)
def test_the_adaptation_page_matrix(client_en, work, username, view, edit):
    response = client_en(username).get(url("adaptation", work))
    assert response.status_code == view
    assert ('id="adaptation-form"' in response.content.decode()) is edit


@pytest.mark.parametrize("username", ["konawe", "tamu"])
@pytest.mark.parametrize(
    "name",
    [
        "adaptation-save",
        "adaptation-originality",
        "adaptation-submit",
        "adaptation-approve",
        "adaptation-changes",
    ],
)
def test_other_units_get_404_on_every_action(client_en, work, username, name):
    response = client_en(username).post(url(name, work), {"text": "x", "comment": "x"})
    assert response.status_code == 404
    work.refresh_from_db()
    assert work.status == S.DRAFT
    assert work.text == work.rendered


@pytest.mark.parametrize(
    "name", ["inbox", "approvals", "adaptation", "adaptation-save", "adaptation-approve"]
)
def test_anonymous_visitors_go_to_the_login_page(client_en, work, name):
    target = url(name, work) if name.startswith("adaptation") else url(name)
    response = client_en(None).post(target)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_province_admin_sees_the_review_and_approves(client_en, work):
    submitted(work, client_en("bombana"))
    sultra = client_en("sultra")

    page = sultra.get(url("adaptation", work)).content.decode()
    assert 'id="review"' in page
    assert "Request changes" in page
    response = sultra.post(url("adaptation-approve", work), {"comment": "Bagus."})

    assert response.status_code == 302
    assert response["Location"] == url("approvals")
    work.refresh_from_db()
    assert work.status == S.APPROVED
    assert work.approved_by == User.objects.get(username="sultra")


def test_an_approver_of_another_regency_cannot_approve(client_en, work):
    submitted(work, client_en("bombana"))
    client = Client()
    client.force_login(konawe_approver())

    assert client.get(url("adaptation", work)).status_code == 404
    assert client.post(url("adaptation-approve", work)).status_code in (403, 404)
    assert "Cek DPT" not in client.get(url("approvals")).content.decode()
    work.refresh_from_db()
    assert work.status == S.SUBMITTED


def test_the_editor_cannot_approve_and_sees_no_review(client_en, work):
    client = client_en("bombana")
    submitted(work, client)
    assert 'id="review"' not in client.get(url("adaptation", work)).content.decode()
    assert client.post(url("adaptation-approve", work)).status_code == 403
    work.refresh_from_db()
    assert work.status == S.SUBMITTED


def test_the_submitter_cannot_approve_their_own(client_en, work):
    sultra = client_en("sultra")  # may write for Bombana and approve it: not both at once
    submitted(work, sultra)

    page = sultra.get(url("adaptation", work)).content.decode()
    assert 'id="review"' not in page
    assert "Cek DPT" not in sultra.get(url("approvals")).content.decode()
    assert sultra.post(url("adaptation-approve", work)).status_code == 403
    work.refresh_from_db()
    assert work.status == S.SUBMITTED


def test_requesting_changes_needs_a_comment(client_en, work):
    client = client_en("bombana")
    submitted(work, client)
    sultra = client_en("sultra")

    refused = sultra.post(url("adaptation-changes", work), {"comment": "  "})
    assert refused.status_code == 200
    assert "Say what should change." in refused.content.decode()
    work.refresh_from_db()
    assert work.status == S.SUBMITTED

    sent_back = sultra.post(url("adaptation-changes", work), {"comment": "Sebut alamat posko."})
    assert sent_back.status_code == 302
    work.refresh_from_db()
    assert work.status == S.CHANGES_REQUESTED
    page = client.get(url("adaptation", work)).content.decode()
    assert "Sebut alamat posko." in page
    assert 'id="adaptation-form"' in page  # back with the unit, editable again
    assert 'id="count-changes">1<' in client.get(url("inbox")).content.decode()


def test_approving_a_draft_is_refused_with_the_message(client_en, work):
    response = client_en("sultra").post(url("adaptation-approve", work))
    assert response.status_code == 200
    assert "cannot go from “to adapt” to “approved”" in response.content.decode()
    work.refresh_from_db()
    assert work.status == S.DRAFT


# --- The whole loop -------------------------------------------------------------------------


def test_the_whole_loop_from_the_centre_to_an_approved_post(client_en):
    pusat = User.objects.get(username="pusat")
    package = package_create(
        actor=pusat,
        author_unit=Unit.objects.get(code="00"),
        title="Ayo cek DPT",
        body=BODY,
        targets={"units": ["74.06", "74.02"]},
        deadline=timezone.now() + dt.timedelta(days=3),
    )
    assert package_send(actor=pusat, package=package) == 2
    work = work_of(package)
    bombana, sultra = client_en("bombana"), client_en("sultra")

    assert "Ayo cek DPT" in bombana.get(url("inbox")).content.decode()
    assert bombana.post(url("adaptation-save", work), {"text": ADAPTED}).status_code == 302
    assert bombana.post(url("adaptation-submit", work)).status_code == 302
    approvals = sultra.get(url("approvals")).content.decode()
    assert "Ayo cek DPT" in approvals
    assert "KPU Kabupaten Bombana" in approvals
    assert "Humas KPU Bombana" in approvals  # who submitted
    assert "truly localised" in approvals
    assert sultra.post(url("adaptation-approve", work)).status_code == 302

    work.refresh_from_db()
    assert work.status == S.APPROVED
    steps = [
        (t.from_status, t.to_status, t.actor.username if t.actor else None)
        for t in work.transitions.all()
    ]
    assert steps == [
        ("", S.DRAFT, "pusat"),
        (S.DRAFT, S.SUBMITTED, "bombana"),
        (S.SUBMITTED, S.APPROVED, "sultra"),
    ]
    assert work_of(package, "74.02").status == S.DRAFT  # Konawe's own copy is untouched
    assert f'id="approval-{work.pk}"' not in sultra.get(url("approvals")).content.decode()
    history = bombana.get(url("adaptation", work)).content.decode()
    assert "to adapt → submitted" in history
    assert "submitted → approved" in history


def _photo_package(persona, unit):
    from serentak.content.services import package_create, package_send

    package = package_create(
        actor=persona("pusat"),
        author_unit=unit("00"),
        title="Dengan foto",
        body='Berita {{ satker }}.\n{{ foto("kegiatan", "Foto kegiatan setempat") }}',
        mode="adapt",
        priority="normal",
        targets={"units": ["74.06", "74.02"]},
    )
    package_send(actor=persona("pusat"), package=package)
    return Adaptation.objects.get(package=package, unit__code="74.06")


def _jpeg(size=(800, 600)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_unit_adds_its_local_photo_and_can_replace_it(
    persona, unit, client_as, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    adaptation = _photo_package(persona, unit)
    url = reverse("content:adaptation-image", args=[adaptation.pk])
    for _ in range(2):
        response = client_as("bombana").post(
            url, {"block": "kegiatan", "photo": SimpleUploadedFile("a.jpg", _jpeg(), "image/jpeg")}
        )
        assert response.status_code == 302
    (photo,) = adaptation.images.all()
    assert (photo.block, photo.width, photo.height) == ("kegiatan", 800, 600)
    page = client_as("bombana").get(reverse("content:adaptation", args=[adaptation.pk]))
    assert photo.image.url in page.content.decode()


def test_a_photo_is_refused_for_others_and_for_non_images(
    persona, unit, client_as, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    adaptation = _photo_package(persona, unit)
    url = reverse("content:adaptation-image", args=[adaptation.pk])
    jpeg = SimpleUploadedFile("a.jpg", _jpeg(), "image/jpeg")
    assert client_as("konawe").post(url, {"block": "kegiatan", "photo": jpeg}).status_code == 404
    text = SimpleUploadedFile("a.jpg", b"not an image", "image/jpeg")
    client_as("bombana").post(url, {"block": "kegiatan", "photo": text})
    wrong_block = SimpleUploadedFile("b.jpg", _jpeg(), "image/jpeg")
    client_as("bombana").post(url, {"block": "lain", "photo": wrong_block})
    assert not adaptation.images.exists()
