"""The import pages (upload → preview → confirm) and settling a presence's kind, per persona."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from serentak.core.models import ChangeLogEntry
from serentak.pages.models import Presence

pytestmark = pytest.mark.django_db

ID = "100064123456789"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_as(client_as, settings):
    """The shared ``client_as``, reading the pages in English."""

    def make(username: str | None):
        client = client_as(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def upload(*rows: str, name: str = "pages.csv") -> SimpleUploadedFile:
    content = "\n".join(["unit_code,url", *rows]) + "\n"
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def token_of(response) -> str:
    match = re.search(r'name="upload" value="([^"]+)"', response.content.decode())
    assert match, "no confirm form"
    return match.group(1)


def test_an_admin_uploads_previews_and_confirms(client_as, unit):
    client = client_as("pusat")
    page = client.get(reverse("pages:import"))
    assert page.status_code == 200
    assert b"unit_code" in page.content

    entries = ChangeLogEntry.objects.count()
    preview = client.post(
        reverse("pages:import-preview"),
        {
            "file": upload(
                "74.06,https://m.facebook.com/KPU.Bombana?mibextid=x", f"73.01,fb.com/{ID}"
            )
        },
    )
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "https://www.facebook.com/kpu.bombana" in html
    assert f"https://www.facebook.com/profile.php?id={ID}" in html
    assert "Kabupaten Bombana" in html
    assert "unknown (needs a lookup)" in html
    assert not Presence.objects.exists()  # a preview writes nothing
    assert ChangeLogEntry.objects.count() == entries

    done = client.post(reverse("pages:import-confirm"), {"upload": token_of(preview)})
    assert done.status_code == 302
    assert sorted(Presence.objects.values_list("unit__code", flat=True)) == ["73.01", "74.06"]
    followed = client.get(done.url)
    assert b"Import done: 2 created" in followed.content
    # Both wait to be settled, and the import page says so.
    assert b"Addresses to settle" in followed.content


def test_an_htmx_upload_gets_the_preview_fragment(client_as):
    response = client_as("pusat").post(
        reverse("pages:import-preview"), {"file": upload("74.06,fb.com/kpubombana")}, **HTMX
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="import-preview"' in response.content


def test_a_file_that_cannot_be_read_is_shown_on_the_form(client_as):
    response = client_as("pusat").post(
        reverse("pages:import-preview"),
        {"file": SimpleUploadedFile("pages.csv", b"code,address\n74.06,x\n")},
        **HTMX,
    )
    assert response.status_code == 200
    assert b"missing column unit_code" in response.content
    assert b"<form" in response.content


def test_a_province_admin_cannot_import_for_another_province(client_as, unit):
    client = client_as("sultra")
    preview = client.post(
        reverse("pages:import-preview"),
        {"file": upload("74.06,fb.com/kpubombana", "73.01,fb.com/kpuselayar")},
    )
    html = preview.content.decode()
    assert "you may not change the unit 73.01" in html
    assert "Import the valid rows only" in html

    # Confirming without skipping writes nothing and shows the errors again.
    again = client.post(reverse("pages:import-confirm"), {"upload": token_of(preview)})
    assert again.status_code == 200
    assert "you may not change the unit 73.01" in again.content.decode()
    assert not Presence.objects.exists()

    done = client.post(
        reverse("pages:import-confirm"), {"upload": token_of(preview), "skip_invalid": "1"}
    )
    assert done.status_code == 302
    assert list(Presence.objects.values_list("unit__code", flat=True)) == ["74.06"]
    assert b"1 invalid row was skipped" in client.get(done.url).content


@pytest.mark.parametrize("username", ["bombana", "konawe", "tamu"])
def test_people_who_change_no_unit_cannot_import(client_as, username):
    client = client_as(username)
    assert client.get(reverse("pages:import")).status_code == 403
    response = client.post(
        reverse("pages:import-preview"), {"file": upload("74.06,fb.com/kpubombana")}
    )
    assert response.status_code == 403
    assert client.post(reverse("pages:import-confirm"), {"upload": "x"}).status_code == 403


def test_signing_in_is_required(client_as):
    response = client_as(None).get(reverse("pages:import"))
    assert response.status_code == 302
    assert "login" in response.url


def test_a_changed_or_borrowed_upload_is_refused(client_as):
    preview = client_as("pusat").post(
        reverse("pages:import-preview"), {"file": upload("74.06,fb.com/kpubombana")}
    )
    token = token_of(preview)
    for username, sent in (("pusat", token[:-2] + "xx"), ("sultra", token)):
        client = client_as(username)
        response = client.post(reverse("pages:import-confirm"), {"upload": sent}, follow=True)
        assert b"expired or was changed" in response.content
    assert not Presence.objects.exists()


def test_the_preview_shows_every_bad_row_with_its_line(client_as):
    preview = client_as("pusat").post(
        reverse("pages:import-preview"),
        {
            "file": upload(
                "74.06,fb.com/kpubombana",
                "74.02,https://www.instagram.com/kpukonawe",
                "74.71,fb.com/kpu.bombana",
            )
        },
    )
    html = preview.content.decode()
    assert "not a Facebook address (www.instagram.com)" in html
    assert "the same account as line 2" in html
    assert re.search(r"<td>3</td>\s*<td>74.02", html)


# --- Settling a kind ---------------------------------------------------------------------------


@pytest.fixture
def presences(kpu, unit) -> dict[str, Presence]:
    def make(code: str, name: str) -> Presence:
        return Presence.objects.create(
            institution=kpu,
            unit=unit(code),
            kind="unknown-needs-lookup",
            source="import",
            canonical_url=f"https://www.facebook.com/{name}",
            username=name,
        )

    return {"74.06": make("74.06", "kpubombana"), "73.01": make("73.01", "kpuselayar")}


def test_an_admin_marks_an_address_as_a_personal_profile(client_as, presences):
    presence = presences["74.06"]
    url = reverse("pages:presence-kind", args=[presence.pk])
    client = client_as("sultra")
    assert b"kpubombana" in client.get(url).content
    response = client.post(url, {"kind": "profile"})
    assert response.status_code == 302
    presence.refresh_from_db()
    assert presence.kind == "profile"

    fragment = client.post(url, {"kind": "page"}, **HTMX)
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b"Saved." in fragment.content
    presence.refresh_from_db()
    assert presence.kind == "page"


def test_a_kind_must_be_one_of_the_choices(client_as, presences):
    url = reverse("pages:presence-kind", args=[presences["74.06"].pk])
    response = client_as("pusat").post(url, {"kind": "not-facebook"})
    assert response.status_code == 200
    presences["74.06"].refresh_from_db()
    assert presences["74.06"].kind == "unknown-needs-lookup"


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("pusat", "74.06", 200),
        ("pusat", "73.01", 200),
        ("sultra", "74.06", 200),
        ("sultra", "73.01", 404),
        ("bombana", "74.06", 404),  # an editor sees the unit but does not change it
        ("konawe", "74.06", 404),
        ("tamu", "74.06", 404),
    ],
)
def test_nobody_reaches_a_presence_outside_their_scope(
    client_as, presences, username, code, status
):
    url = reverse("pages:presence-kind", args=[presences[code].pk])
    client = client_as(username)
    assert client.get(url).status_code == status
    response = client.post(url, {"kind": "profile"})
    assert response.status_code == (302 if status == 200 else 404)


def test_the_list_to_settle_shows_only_the_admins_own_units(client_as, presences):
    html = client_as("sultra").get(reverse("pages:import")).content.decode()
    assert "kpubombana" in html
    assert "kpuselayar" not in html
    html = client_as("pusat").get(reverse("pages:import")).content.decode()
    assert "kpuselayar" in html
