"""Every documented error code is reachable, shaped right, and raised when Graph would."""

from __future__ import annotations

import json

import pytest

from serentak.graph.sandbox.auth import appsecret_proof
from serentak.graph.sandbox.testing import graph_error


def error_of(response) -> tuple[int, int | None]:
    error = graph_error(response)  # also checks the documented shape
    return error["code"], error.get("error_subcode")


# --- Tokens -----------------------------------------------------------------------------


def test_it_needs_a_token_it_can_parse(sandbox, page):
    assert error_of(sandbox.get(page["id"])) == (104, None)
    unparseable = sandbox.get(page["id"], "EAAnotatoken")
    assert error_of(unparseable) == (190, None)
    assert unparseable.status_code == 400
    assert "invalid_token" in unparseable.headers["www-authenticate"]


@pytest.mark.parametrize("subcode", [458, 459, 460, 463, 464, 467])
def test_it_answers_each_token_subcode(sandbox, page, subcode):
    sandbox.expire_token(page["access_token"], subcode=subcode)
    response = sandbox.post(f"{page['id']}/feed", page["access_token"], message="x")
    assert error_of(response) == (190, subcode)
    assert response.json()["error"]["is_transient"] is False
    sandbox.restore_token(page["access_token"])
    assert sandbox.post(f"{page['id']}/feed", page["access_token"], message="x").status_code == 200


def test_it_expires_a_page_token_when_its_time_comes(sandbox, world):
    page = next(p for p in world["pages"] if "token_expiring" in p["problems"])
    assert sandbox.get(page["id"], page["access_token"]).status_code == 200
    sandbox.advance_clock(8 * 86_400)
    response = sandbox.get(page["id"], page["access_token"])
    assert error_of(response) == (190, 463)
    assert "Session has expired" in response.json()["error"]["message"]


def test_it_invalidates_a_page_token_whose_user_lost_the_page_with_492(sandbox, world, page):
    sandbox.set_tasks(page["id"], tasks=[])
    assert error_of(sandbox.get(page["id"], page["access_token"])) == (190, 492)


# --- Permissions ----------------------------------------------------------------------------


def test_it_needs_the_create_content_task_to_publish(sandbox, world, page):
    moderator = next(p for p in world["pages"] if "no_create_content" in p["problems"])
    refused = sandbox.post(f"{moderator['id']}/feed", moderator["access_token"], message="x")
    assert error_of(refused) == (200, None)
    assert "pages_manage_posts" in refused.json()["error"]["message"]
    assert refused.status_code == 403
    sandbox.set_tasks(page["id"], revoke=["CREATE_CONTENT"])
    assert error_of(sandbox.post(f"{page['id']}/feed", page["access_token"], message="x"))[0] == 200


def test_it_needs_a_page_token_to_publish_and_read_insights(sandbox, world, page):
    system = world["system_user"]["token"]
    assert error_of(sandbox.post(f"{page['id']}/feed", system, message="x"))[0] == 200
    other = next(p for p in world["pages"] if p["id"] != page["id"])
    assert (
        error_of(sandbox.post(f"{page['id']}/feed", other["access_token"], message="x"))[0] == 200
    )
    insights = sandbox.get(f"{page['id']}/insights", system, metric="page_media_view")
    assert error_of(insights) == (190, None)
    assert "Page Access Token" in insights.json()["error"]["message"]


def test_it_answers_a_missing_permission_with_10(sandbox, world, page):
    sandbox.set_scopes(page["access_token"], revoke=["pages_manage_posts"])
    assert error_of(sandbox.post(f"{page['id']}/feed", page["access_token"], message="x")) == (
        10,
        None,
    )
    sandbox.set_scopes(page["access_token"], revoke=["read_insights"])
    insights = sandbox.get(f"{page['id']}/insights", page["access_token"], metric="page_media_view")
    assert error_of(insights) == (10, None)
    assert sandbox.get(page["id"], world["user"]["token"]).status_code == 200  # public fields


# --- appsecret_proof -------------------------------------------------------------------------


def test_it_checks_appsecret_proof_when_required(sandbox, world, page):
    token, secret = page["access_token"], world["app"]["secret"]
    sandbox.configure(require_appsecret_proof=True)
    missing = sandbox.get(page["id"], token)
    assert error_of(missing) == (100, None)
    assert missing.json()["error"]["type"] == "GraphMethodException"
    assert "require an appsecret_proof" in missing.json()["error"]["message"]
    wrong = sandbox.get(page["id"], token, appsecret_proof="0" * 64)
    assert (
        wrong.json()["error"]["message"] == "Invalid appsecret_proof provided in the API argument"
    )
    assert (
        sandbox.get(page["id"], token, appsecret_proof=appsecret_proof(secret, token)).status_code
        == 200
    )


def test_it_checks_a_proof_that_is_given_even_when_not_required(sandbox, page):
    assert error_of(sandbox.get(page["id"], page["access_token"], appsecret_proof="abc"))[0] == 100


# --- Rate limits ----------------------------------------------------------------------------


def test_it_throttles_a_page_with_80001_and_says_when_access_comes_back(sandbox, page):
    sandbox.set_limits(buc_calls=3, buc_window_min=60)
    token = page["access_token"]
    for _ in range(3):
        assert sandbox.get(page["id"], token).status_code == 200
    throttled = sandbox.get(page["id"], token)
    assert error_of(throttled) == (80001, None)
    assert throttled.json()["error"]["is_transient"] is True
    usage = json.loads(throttled.headers["x-business-use-case-usage"])[page["id"]][0]
    assert usage["call_count"] >= 100
    assert 0 < usage["estimated_time_to_regain_access"] <= 60
    sandbox.advance_clock(usage["estimated_time_to_regain_access"] * 60)
    recovered = sandbox.get(page["id"], token)
    assert recovered.status_code == 200
    assert (
        json.loads(recovered.headers["x-business-use-case-usage"])[page["id"]][0][
            "estimated_time_to_regain_access"
        ]
        == 0
    )


def test_it_keeps_the_block_going_while_the_client_keeps_calling(sandbox, page):
    sandbox.set_limits(buc_calls=2, buc_window_min=10)
    token = page["access_token"]
    for _ in range(2):
        sandbox.get(page["id"], token)

    def regain() -> int:
        response = sandbox.get(page["id"], token)
        return json.loads(response.headers["x-business-use-case-usage"])[page["id"]][0][
            "estimated_time_to_regain_access"
        ]

    first = regain()
    sandbox.advance_clock(5 * 60)
    for _ in range(3):
        regain()
    assert regain() >= first


def test_it_throttles_a_person_on_a_page_with_32(sandbox, world):
    sandbox.set_limits(buc_calls=1)
    centre = world["pages"][0]
    person = world["user"]["token"]
    assert sandbox.get(centre["id"], person).status_code == 200
    assert error_of(sandbox.get(centre["id"], person)) == (32, None)


def test_it_throttles_the_app_with_4_and_a_user_with_17(sandbox, world):
    system = world["system_user"]["token"]
    sandbox.set_limits(app_calls=2)
    sandbox.get("me", system)
    sandbox.get("me", system)
    app_limited = sandbox.get("me", system)
    assert error_of(app_limited) == (4, None)
    assert json.loads(app_limited.headers["x-app-usage"])["call_count"] >= 100
    sandbox.reset()
    sandbox.set_limits(user_calls=2)
    sandbox.get("me", system)
    sandbox.get("me", system)
    assert error_of(sandbox.get("me", system)) == (17, None)


def test_it_answers_unusual_volume_with_613(sandbox, page):
    sandbox.set_limits(burst_calls=3)
    for _ in range(3):
        sandbox.get(page["id"], page["access_token"])
    assert error_of(sandbox.get(page["id"], page["access_token"])) == (613, 1996)


def test_it_counts_page_calls_per_page(sandbox, world):
    first, second = world["pages"][3], world["pages"][4]
    sandbox.set_limits(buc_calls=100)
    for _ in range(10):
        sandbox.get(first["id"], first["access_token"])
    one = json.loads(
        sandbox.get(first["id"], first["access_token"]).headers["x-business-use-case-usage"]
    )
    two = json.loads(
        sandbox.get(second["id"], second["access_token"]).headers["x-business-use-case-usage"]
    )
    assert one[first["id"]][0]["call_count"] == 11
    assert two[second["id"]][0]["call_count"] == 1


# --- Every code of the reference's table ------------------------------------------------------


def test_it_can_return_any_error_through_an_injected_fault(sandbox, page):
    for code, subcode in [(1, None), (2, None), (341, None), (190, 459), (368, 1390008)]:
        sandbox.inject_fault("error", page_id=page["id"], code=code, subcode=subcode)
        response = sandbox.get(page["id"], page["access_token"])
        assert error_of(response) == (code, subcode)
        assert response.status_code == (500 if code in (1, 2) else 400)
    sandbox.inject_fault("5xx", page_id=page["id"], method="POST")
    assert sandbox.get(page["id"], page["access_token"]).status_code == 200  # only a POST
    assert error_of(sandbox.post(f"{page['id']}/feed", page["access_token"], message="x")) == (
        2,
        None,
    )
    assert sandbox.ledger(page["id"])["counts"]["total"] == 0
