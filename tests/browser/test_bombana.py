"""Bombana's editor in a real browser: signs in, switches language, stays in their unit.

What the Django test client cannot show: the language switch as a person clicks it, the
404 a browser gets for another regency, and the layout on a phone.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect

pytestmark = pytest.mark.browser

KONAWE = "/units/kpu/74.02/"
PHONE: ViewportSize = {"width": 375, "height": 812}


def sign_in(page: Page, site: str, username: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "serentak-demo")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{site}/")


def sign_out_label(page: Page) -> str:
    return page.locator("form[action='/accounts/logout/'] button").inner_text().strip()


def test_it_shows_bombana_its_unit_in_both_languages_and_hides_konawe(
    site: str, page: Page
) -> None:
    sign_in(page, site, "bombana")
    expect(page.locator("main h1")).to_have_text("KPU Kabupaten Bombana")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert sign_out_label(page) == "Keluar"

    page.click("#language-switch button[name=language]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{site}/")
    expect(page.locator("#language-switch button[name=language]")).to_have_text("Bahasa Indonesia")
    assert sign_out_label(page) == "Sign out"

    response = page.goto(f"{site}{KONAWE}")
    assert response is not None
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text("Not found")
    expect(page.locator("body")).not_to_contain_text("Konawe")


def test_its_home_page_fits_a_phone_screen(site: str, page: Page) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, site, "bombana")
    expect(page.locator("main h1")).to_have_text("KPU Kabupaten Bombana")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the home page is {overflow}px wider than a 375px phone"
