"""The content loop in a real browser: the centre writes and sends, a regency adapts, the
province approves, and the centre sees it on the package's progress.

What the test client cannot show: the editor's "Check" answering through htmx, the
datetime picker read in the author's zone, and three people's sessions one after another.
The interface is set to English (the language cookie) so the assertions do not depend on
the Indonesian catalogue.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TITLE = "Workshop Set Up Akun Facebook Lembaga Pemerintah"
LOCAL_TEXT = (
    "Tabe' warga Bombana! KPU Kabupaten Bombana ikut workshop pengelolaan Fanpage Facebook "
    "bersama Meta lewat Zoom. Kami belajar menjaga akun lembaga tetap aman dan rajin membaca "
    "standar komunitas, supaya informasi pemilu sampai ke Rumbia, Kabaena dan Poleang."
)


def body() -> str:
    return (
        resources.files("serentak.content")
        .joinpath("samples", "workshop-template.txt")
        .read_text("utf-8")
    )


def sign_in(page: Page, site: str, username: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "serentak_language", "value": "en", "url": site}])
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "serentak-demo")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{site}/")


def test_the_centre_sends_bombana_adapts_and_sultra_approves(site: str, page: Page) -> None:
    # The centre writes the package, checks it and sends it to two regencies.
    sign_in(page, site, "pusat")
    page.goto(f"{site}/content/packages/new/")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", body())
    page.fill("#id_guidance", "Sesuaikan bahasanya; jangan asal copas.")
    page.fill("#id_moment", "2021-11-10T13:00")  # pusat types WIB: 06:00 UTC
    page.check("input[name=target_kind][value=units]")
    page.fill("#id_unit_codes", "74.06\n74.02")
    page.click("#check-button")
    check = page.locator("#check-result")
    expect(check).to_contain_text("It goes to 2 units.")
    expect(page).to_have_url(f"{site}/content/packages/new/")  # htmx: the page stayed
    expect(check.locator("[data-zone=WITA]")).to_contain_text("dimulai pada pukul 14.00 WITA")
    expect(check.locator("[data-zone=WITA]")).to_contain_text("KPU Kabupaten Konawe")
    page.click("#save-button")
    expect(page).to_have_url(re.compile(r"/content/packages/\d+/$"))
    detail_url = page.url
    page.click("#send-button")
    expect(page.locator("main")).to_contain_text("Sent: 2 adaptations created, one per unit.")
    expect(page.locator("tr[data-status=draft] .count")).to_have_text("2")

    # Bombana finds it in the inbox, makes it its own and submits it.
    sign_in(page, site, "bombana")
    page.goto(f"{site}/content/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("#source-text")).to_contain_text("KPU Kabupaten Bombana")
    adaptation_url = page.url
    page.fill("#adaptation-form textarea[name=text]", LOCAL_TEXT)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#adaptation-status")).to_have_text("submitted")

    # Sultra, the province, approves it from its approvals.
    sign_in(page, site, "sultra")
    page.goto(f"{site}/content/approvals/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page).to_have_url(f"{site}/content/approvals/")
    page.goto(adaptation_url)
    expect(page.locator("#adaptation-status")).to_have_text("approved")

    # The centre sees one unit done, one still to adapt, and Bombana's version as localised.
    sign_in(page, site, "pusat")
    page.goto(detail_url)
    expect(page.locator("tr[data-status=approved] .count")).to_have_text("1")
    expect(page.locator("tr[data-status=draft] .count")).to_have_text("1")
    page.click("#originality-link")
    expect(page.locator("#total-localised")).to_have_text("1")
    expect(page.locator("#total-waiting")).to_have_text("1")
