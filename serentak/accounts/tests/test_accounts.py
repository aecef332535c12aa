from __future__ import annotations

import pytest
from django.urls import reverse

from serentak.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_login_page_is_in_indonesian_by_default(client_as):
    page = client_as(None).get(reverse("accounts:login")).content.decode()
    assert '<html lang="id">' in page
    assert "Nama pengguna" in page
    assert "Lupa kata sandi?" in page


def test_demo_accounts_sign_in_with_the_demo_password(client):
    for username in ("pusat", "sultra", "bombana", "konawe", "tamu"):
        assert client.login(username=username, password="serentak-demo")


def test_a_wrong_password_gets_a_clear_message(client):
    response = client.post(reverse("accounts:login"), {"username": "bombana", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()


def test_switching_language_sets_the_cookie_and_remembers_it_for_the_person(client_as, persona):
    client = client_as("bombana")
    response = client.post(reverse("core:language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["serentak_language"].value == "en"
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Sign out" in page
    assert persona("bombana").language == "en"
    # On another device (no cookie) the saved language applies.
    assert '<html lang="en">' in client_as("bombana").get("/").content.decode()


def test_the_language_switch_never_redirects_off_site(client_as):
    response = client_as("bombana").post(
        reverse("core:language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_password_reset_sends_a_working_link(client, mailoutbox):
    User.objects.filter(username="bombana").update(email="humas@kpu-bombana.go.id")
    response = client.post(reverse("accounts:password-reset"), {"email": "humas@kpu-bombana.go.id"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"]


def test_a_person_edits_their_profile(client_as, persona):
    response = client_as("konawe").post(
        reverse("accounts:profile"),
        {"full_name": "La Ode Konawe", "email": "LA@Example.org", "phone": "0812"},
    )
    assert response.status_code == 302
    konawe = persona("konawe")
    assert konawe.full_name == "La Ode Konawe"
    assert konawe.email == "la@example.org"


def test_healthz_answers_without_login(client):
    response = client.get(reverse("core:healthz"))
    assert response.json() == {"status": "ok"}


def test_an_english_browser_still_gets_indonesian_until_the_person_switches(client):
    page = client.get(reverse("accounts:login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="id">' in page.content.decode()
