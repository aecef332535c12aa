"""The OpenAPI document: valid, complete, generated without a single drf-spectacular warning."""

from __future__ import annotations

import json
import warnings

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

PATHS = {"/api/v1/units/", "/api/v1/units/{institution}/{code}/", "/api/v1/me/"}


@pytest.fixture
def document() -> dict:
    response = Client().get(reverse("api:schema"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_it_generates_the_document_without_warnings_or_errors():
    GENERATOR_STATS.reset()
    with warnings.catch_warnings(record=True) as caught, GENERATOR_STATS.silence():
        warnings.simplefilter("always")
        schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, (
        dict(GENERATOR_STATS._warn_cache),
        dict(GENERATOR_STATS._error_cache),
    )
    assert [str(w.message) for w in caught] == []
    validate_schema(schema)


def test_it_serves_a_valid_openapi_3_json_document(document):
    assert document["openapi"].startswith("3.")
    validate_schema(document)
    assert set(document["paths"]) == PATHS  # neither the schema itself nor the HTML token page


def test_it_documents_token_and_session_authentication(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert schemes["cookieAuth"]["in"] == "cookie"
    for path in PATHS:
        operation = document["paths"][path]["get"]
        assert {"tokenAuth": []} in operation["security"]
        assert {"cookieAuth": []} in operation["security"]
        assert "401" in operation["responses"], path
    detail = document["paths"]["/api/v1/units/{institution}/{code}/"]["get"]
    assert "404" in detail["responses"]


def test_it_types_every_field(document):
    schemas = document["components"]["schemas"]
    unit = schemas["Unit"]["properties"]
    assert unit["parent"] == {**unit["parent"], "type": "string", "nullable": True}
    assert unit["url"]["format"] == "uri"
    assert unit["depth"]["type"] == "integer"
    assert schemas["UnitDetail"]["properties"]["children"]["items"] == {"type": "string"}
    assert schemas["UnitDetail"]["properties"]["emails"]["items"]["format"] == "email"
    assert schemas["Permission"]["properties"]["actions"]["items"] == {
        "$ref": "#/components/schemas/ActionsEnum"
    }
    assert set(schemas["KindEnum"]["enum"]) == {"centre", "province", "regency", "city"}
    params = {p["name"] for p in document["paths"]["/api/v1/units/"]["get"]["parameters"]}
    assert params == {"kind", "parent", "q", "institution", "limit", "offset"}


def test_it_is_in_english_unless_asked_otherwise(client_as):
    # The signed-in persona's language does not leak into the field titles.
    english = json.loads(client_as("bombana").get(reverse("api:schema")).content)
    assert english["components"]["schemas"]["Unit"]["properties"]["name"]["title"] == "Display name"
    indonesian = json.loads(Client().get(reverse("api:schema"), {"lang": "id"}).content)
    assert (
        indonesian["components"]["schemas"]["Unit"]["properties"]["name"]["title"]
        == "Nama tampilan"
    )


def test_it_refuses_a_language_the_site_does_not_have():
    response = Client().get(reverse("api:schema"), {"lang": "../../etc"})
    assert response.status_code == 400
    assert "lang" in response.json()
