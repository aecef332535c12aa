"""The sandbox answers in the payload shapes the Graph reference documents.

Each fixture under fixtures/graph/ is transcribed from the reference; every key it has must
be in the sandbox's answer, with the same JSON type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from serentak.graph.sandbox.testing import graph_error

FIXTURES = Path(__file__).parent / "fixtures" / "graph"
ERROR_KEYS = {
    "message",
    "type",
    "code",
    "error_subcode",
    "error_user_title",
    "error_user_msg",
    "is_transient",
    "fbtrace_id",
    "error_data",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def assert_shape(actual: Any, expected: Any, where: str = "$") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} is missing from {sorted(actual)}"
            assert_shape(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        if expected:
            assert actual, f"{where}: expected items"
            for position, item in enumerate(actual):
                assert_shape(item, expected[0], f"{where}[{position}]")
    elif isinstance(expected, bool):
        assert isinstance(actual, bool), f"{where}: expected a boolean, got {actual!r}"
    elif isinstance(expected, int | float):
        assert isinstance(actual, int | float), f"{where}: expected a number, got {actual!r}"
        assert not isinstance(actual, bool), f"{where}: expected a number, got {actual!r}"
    else:
        assert isinstance(actual, str), f"{where}: expected a string, got {actual!r}"


def assert_error(response: Any, code: int, subcode: int | None = None) -> dict[str, Any]:
    error = graph_error(response)
    assert error["code"] == code, error
    assert error.get("error_subcode") == subcode, error
    assert set(error) <= ERROR_KEYS, error
    return error


def clean_page(world: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in world["pages"] if not p["problems"] and p["unit_code"] != "00")


def test_it_answers_me_accounts_in_the_documented_shape(sandbox, world):
    response = sandbox.get("me/accounts", world["system_user"]["token"], limit=5)
    assert response.status_code == 200
    assert response.headers["facebook-api-version"] == "v25.0"
    assert_shape(response.json(), fixture("me_accounts"))


def test_it_answers_debug_token_in_the_documented_shape(sandbox, world):
    app_token = f"{world['app']['id']}|{world['app']['secret']}"
    user = sandbox.get("debug_token", app_token, input_token=world["system_user"]["token"]).json()
    # Scopes that are not about Pages (public_profile...) come without target_ids.
    granular = user["data"]["granular_scopes"]
    user["data"]["granular_scopes"] = [g for g in granular if g["scope"].startswith("pages_")]
    assert_shape(user, fixture("debug_token"))
    assert user["data"]["type"] == "USER"
    assert {"scope": "public_profile"} in granular
    page = clean_page(world)
    page_debug = sandbox.get("debug_token", app_token, input_token=page["access_token"]).json()
    assert page_debug["data"]["type"] == "PAGE"
    assert page_debug["data"]["profile_id"] == page["id"]
    assert page_debug["data"]["expires_at"] == 0  # never
    invalid = sandbox.get("debug_token", app_token, input_token="EAAnothing").json()
    assert invalid["data"]["is_valid"] is False
    assert invalid["data"]["error"]["code"] == 190


def test_it_reports_a_page_token_expiring_soon_in_debug_token(sandbox, world):
    page = next(p for p in world["pages"] if "token_expiring" in p["problems"])
    data = sandbox.get(
        "debug_token", world["system_user"]["token"], input_token=page["access_token"]
    ).json()["data"]
    assert data["is_valid"] is True
    assert data["expires_at"] > 0


def test_it_answers_errors_in_the_documented_shape(sandbox, world):
    page = clean_page(world)
    token = page["access_token"]
    assert sandbox.post(f"{page['id']}/feed", token, message="Sama").status_code == 200
    duplicate = sandbox.post(f"{page['id']}/feed", token, message="Sama")
    assert duplicate.status_code == 400
    error = assert_error(duplicate, 506)
    assert_shape(
        duplicate.json(),
        {"error": {k: v for k, v in fixture("error")["error"].items() if k in error}},
    )
    assert error["message"] == "(#506) Duplicate status message"
    assert duplicate.headers["www-authenticate"].startswith('OAuth "Facebook Platform"')


def test_it_answers_page_fields_and_picture_in_the_documented_shape(sandbox, world):
    page = clean_page(world)
    response = sandbox.get(
        page["id"],
        page["access_token"],
        fields="id,name,username,link,category,category_list,fan_count,followers_count,"
        "verification_status,website,about,is_published,picture",
    )
    body = response.json()
    assert_shape(body, fixture("page_picture"))
    assert body["picture"]["data"]["width"] == 50
    assert body["verification_status"] in ("blue_verified", "gray_verified", "not_verified")
    assert body["id"] == page["id"]
    assert body["id"].isdigit()
    large = sandbox.get(page["id"], page["access_token"], fields="picture.type(large)").json()
    assert large["picture"]["data"]["width"] == 200
    assert large["id"] == page["id"]  # Graph always adds the id


def test_it_answers_post_and_photo_creation_in_the_documented_shapes(sandbox, world):
    page = clean_page(world)
    token = page["access_token"]
    post = sandbox.post(f"{page['id']}/feed", token, message="Halo Bombana").json()
    assert_shape(post, fixture("post_create"))
    page_id, _, post_id = post["id"].partition("_")
    assert page_id == page["id"]
    assert post_id.isdigit()
    photo = sandbox.post(f"{page['id']}/photos", token, url="https://example.org/a.jpg").json()
    assert_shape(photo, fixture("photo_create"))
    unpublished = sandbox.post(
        f"{page['id']}/photos",
        token,
        files={"source": ("a.png", PNG, "image/png")},
        published="false",
    ).json()
    assert set(unpublished) == {"id"}


def test_it_answers_insights_in_the_documented_shape(sandbox, world):
    page = clean_page(world)
    response = sandbox.get(
        f"{page['id']}/insights",
        page["access_token"],
        metric="page_total_media_view_unique,page_media_view",
        period="day",
    )
    assert response.status_code == 200, response.text
    assert_shape(response.json(), fixture("insights"))
    first = response.json()["data"][0]
    assert first["id"] == f"{page['id']}/insights/page_total_media_view_unique/day"
    assert first["values"][0]["end_time"].endswith("+0000")


def test_it_answers_batches_in_the_documented_shape(sandbox, world):
    page = clean_page(world)
    operations = [
        {"method": "GET", "relative_url": f"{page['id']}?fields=id,name"},
        {"method": "GET", "relative_url": "1234567890?fields=id"},
    ]
    response = sandbox.batch(operations, page["access_token"])
    assert response.status_code == 200
    ok, failed = response.json()
    assert_shape([ok], fixture("batch_response"))
    assert_shape(failed, fixture("batch_failed_item"))
    assert json.loads(ok["body"]) == {"id": page["id"], "name": page["name"]}
    assert json.loads(failed["body"])["error"]["error_subcode"] == 33


def test_it_sends_usage_headers_in_the_documented_shapes(sandbox, world):
    page = clean_page(world)
    response = sandbox.get(page["id"], page["access_token"])
    assert_shape(json.loads(response.headers["x-app-usage"]), fixture("x_app_usage"))
    buc = json.loads(response.headers["x-business-use-case-usage"])
    assert list(buc) == [page["id"]]
    expected = fixture("x_business_use_case_usage")["{page-or-business-id}"]
    assert_shape(buc[page["id"]], expected)
    assert "x-page-usage" not in response.headers  # legacy, UNCONFIRMED: never sent
    error = sandbox.get("me", "EAAgarbage")
    assert "x-app-usage" in error.headers  # on every response, errors included
