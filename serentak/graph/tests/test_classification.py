"""The error model's classification, as a pure function (the contract tests cover the wire)."""

from __future__ import annotations

import json

import pytest

from serentak.graph.config import GraphConfig
from serentak.graph.errors import GraphError, Outcome, classify, default_wait
from serentak.graph.throttle import Throttle, parse_app_usage, parse_buc_usage


def error(
    code: int, subcode: int | None = None, message: str = "", status: int = 400
) -> GraphError:
    body = {"error": {"code": code, "message": message, "type": "OAuthException"}}
    if subcode is not None:
        body["error"]["error_subcode"] = subcode
    return GraphError.from_body(body, status)


@pytest.mark.parametrize(
    ("code", "subcode", "outcome"),
    [
        (1, None, Outcome.RETRY_LATER),
        (2, None, Outcome.RETRY_LATER),
        (4, None, Outcome.RETRY_LATER),
        (10, None, Outcome.REJECTED),
        (17, None, Outcome.RETRY_LATER),
        (32, None, Outcome.RETRY_LATER),
        (100, None, Outcome.REJECTED),
        (100, 33, Outcome.REJECTED),
        (190, 463, Outcome.RECONNECT),
        (190, 460, Outcome.RECONNECT),
        (190, 492, Outcome.RECONNECT),
        (200, None, Outcome.REJECTED),
        (368, 1390008, Outcome.RETRY_LATER),
        (368, None, Outcome.REJECTED),
        (506, None, Outcome.REJECTED),
        (613, None, Outcome.RETRY_LATER),
        (80001, None, Outcome.RETRY_LATER),
        (1609005, None, Outcome.REJECTED),
    ],
)
def test_it_classifies_each_documented_code(code, subcode, outcome):
    assert classify(error(code, subcode)) is outcome


def test_a_duplicate_after_an_unknown_outcome_means_reconcile():
    assert classify(error(506), after_unknown=True) is Outcome.UNKNOWN
    duplicate_368 = error(368, message="You've already posted this. Posting the same content...")
    assert classify(duplicate_368) is Outcome.REJECTED
    assert classify(duplicate_368, after_unknown=True) is Outcome.UNKNOWN


def test_posting_too_fast_waits_long_and_rate_limits_a_minute():
    assert default_wait(error(368, 1390008)) >= 600
    assert default_wait(error(80001)) == 60
    assert default_wait(error(2)) < 60


def test_it_reads_odd_error_bodies_without_crashing():
    assert GraphError.from_body("<html>Bad gateway</html>", 502).code == 0
    assert classify(GraphError.from_body(None, 502)) is Outcome.RETRY_LATER
    assert (
        GraphError.from_body({"error": {"code": "190", "error_subcode": "463"}}, 400).subcode == 463
    )


def test_it_parses_usage_headers_in_minutes():
    headers = {
        "x-app-usage": json.dumps({"call_count": 28, "total_time": 25, "total_cputime": 91}),
        "x-business-use-case-usage": json.dumps(
            {
                "123": [
                    {
                        "type": "pages",
                        "call_count": 97,
                        "total_cputime": 23,
                        "total_time": 23,
                        "estimated_time_to_regain_access": 2,
                    }
                ]
            }
        ),
    }
    assert parse_app_usage(headers) == 91
    (usage,) = parse_buc_usage(headers)
    assert (usage.object_id, usage.percent, usage.regain_seconds) == ("123", 97, 120)
    assert parse_buc_usage({"x-business-use-case-usage": "not json"}) == []


def test_a_blocked_page_waits_while_others_go_on():
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0])
    throttle.observe(
        {
            "x-business-use-case-usage": json.dumps(
                {
                    "123": [
                        {"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 1}
                    ]
                }
            )
        }
    )
    assert 60 <= throttle.wait_for("123") <= 66
    assert throttle.wait_for("456") == 0
    now[0] += 70
    assert throttle.wait_for("123") == 0


def test_appsecret_proof_is_the_hmac_of_the_token():
    config = GraphConfig(app_secret="s3cret")
    assert (
        config.proof("token") == "115dc49a2bd4eaf3ace9d48bffe3479f871ecd032d1aca57d1034634546a686f"
    )
    assert GraphConfig().proof("token") is None
