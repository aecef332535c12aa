"""Every API URL, every persona (and anonymous): nobody reaches a unit outside their scope.

A unit outside the caller's scope is a 404 with the same body as a unit that does not exist
(never a 403: knowing it exists would already be a leak). The root test module
``tests/test_permission_matrix.py`` leaves the ``api`` namespace to this one.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from serentak.api.tests.utils import PERSONAS

pytestmark = pytest.mark.django_db

# (persona, a unit inside its scope, a unit outside it); None: there is none.
DETAIL_MATRIX = [
    ("pusat", "74.06", None),
    ("sultra", "74.06", "73.01"),
    ("sultra", "74", "00"),
    ("bombana", "74.06", "74.02"),
    ("bombana", "74.06", "74"),
    ("konawe", "74.02", "74.06"),
    ("tamu", None, "74.06"),
]

# URLs without a unit in them: {persona (None: anonymous): status}
PAGES: dict[str, dict[str | None, int]] = {
    "api:unit-list": {**dict.fromkeys(PERSONAS, 200), None: 401},
    "api:me": {**dict.fromkeys(PERSONAS, 200), None: 401},
    "api:schema": {**dict.fromkeys(PERSONAS, 200), None: 200},  # structure only, no data
    "api:token": {**dict.fromkeys(PERSONAS, 200), None: 302},  # HTML: to the login page
}


def _detail(code: str) -> str:
    return reverse("api:unit-detail", args=["kpu", code])


@pytest.mark.parametrize(("persona", "own", "other"), DETAIL_MATRIX)
def test_it_opens_units_in_scope_and_hides_the_rest_as_not_found(client_as, persona, own, other):
    client = client_as(persona)
    if own:
        response = client.get(_detail(own))
        assert response.status_code == 200
        assert response.json()["code"] == own
    if other:
        hidden = client.get(_detail(other))
        missing = client.get(_detail("99.99"))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()


def test_it_answers_anonymous_callers_of_a_unit_with_401(client_as):
    assert client_as(None).get(_detail("74.06")).status_code == 401


@pytest.mark.parametrize(
    ("name", "persona"), [(name, p) for name in PAGES for p in (*PERSONAS, None)]
)
def test_it_serves_unit_less_urls_by_persona(client_as, name, persona):
    assert client_as(persona).get(reverse(name)).status_code == PAGES[name][persona]


def test_every_api_url_is_in_the_matrix():
    names: set[str] = set()

    def walk(patterns: list, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace == "api":
                names.add(f"api:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    assert names - {*PAGES, "api:unit-detail"} == set()
