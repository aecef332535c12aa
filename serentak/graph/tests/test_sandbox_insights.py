"""Page and post insights with the metrics that are valid in 2026."""

from __future__ import annotations

import time

from serentak.graph.sandbox.insights import DEPRECATED_METRICS, PAGE_METRICS, POST_METRICS

SANDBOX = {"pages": 12, "seed": 5}


def insights(sandbox, page, **params):
    return sandbox.get(f"{page['id']}/insights", page["access_token"], **params)


def test_it_serves_every_metric_maintained_clients_use(sandbox, page):
    body = insights(sandbox, page, metric=",".join(PAGE_METRICS), period="day").json()
    assert {entry["name"] for entry in body["data"]} == set(PAGE_METRICS)
    follows = next(e for e in body["data"] if e["name"] == "page_follows")
    assert all(isinstance(v["value"], int) and v["value"] > 0 for v in follows["values"])
    by_country = next(e for e in body["data"] if e["name"] == "page_follows_country")
    assert isinstance(by_country["values"][0]["value"], dict)


def test_it_fails_the_whole_request_for_one_deprecated_metric(sandbox, page):
    assert {
        "page_impressions",
        "page_fans",
        "post_impressions_unique",
        "page_video_views",
    } <= DEPRECATED_METRICS
    for metric in (
        "page_impressions",
        "page_impressions_unique",
        "page_fans",
        "page_engaged_users",
        "page_video_views",
    ):
        response = insights(sandbox, page, metric=f"page_media_view,{metric}")
        error = response.json()["error"]
        assert (error["code"], error["message"]) == (
            100,
            "(#100) The value must be a valid insights metric",
        )


def test_it_needs_a_metric(sandbox, page):
    error = insights(sandbox, page).json()["error"]
    assert (error["code"], error["error_subcode"]) == (3001, 1504028)


def test_it_checks_period_and_range(sandbox, page):
    assert (
        insights(sandbox, page, metric="page_media_view", period="fortnight").json()["error"][
            "code"
        ]
        == 100
    )
    now = int(time.time())
    too_long = insights(sandbox, page, metric="page_media_view", since=now - 91 * 86_400, until=now)
    assert too_long.json()["error"]["code"] == 100
    week = insights(
        sandbox, page, metric="page_media_view", period="day", since=now - 7 * 86_400, until=now
    ).json()
    assert len(week["data"][0]["values"]) in (7, 8)
    assert "since=" in week["paging"]["next"]
    every_period = insights(sandbox, page, metric="page_media_view").json()["data"]
    assert [entry["period"] for entry in every_period] == ["day", "week", "days_28"]
    by_metric = sandbox.get(
        f"{page['id']}/insights/page_views_total", page["access_token"], period="week"
    ).json()
    assert [entry["name"] for entry in by_metric["data"]] == ["page_views_total"]
    preset = insights(
        sandbox, page, metric="page_media_view", period="day", date_preset="last_7d"
    ).json()
    assert preset["data"][0]["values"]


def test_it_serves_post_insights(sandbox, page):
    post_id = sandbox.post(f"{page['id']}/feed", page["access_token"], message="Ukur").json()["id"]
    sandbox.advance_clock(86_400)
    body = sandbox.get(
        f"{post_id}/insights", page["access_token"], metric=",".join(POST_METRICS)
    ).json()
    assert {entry["name"] for entry in body["data"]} == set(POST_METRICS)
    assert all(entry["period"] == "lifetime" for entry in body["data"])
    reactions = next(e for e in body["data"] if e["name"] == "post_reactions_by_type_total")
    assert set(reactions["values"][0]["value"]) == {"like", "love", "wow", "haha", "sorry", "anger"}
    deprecated = sandbox.get(f"{post_id}/insights", page["access_token"], metric="post_impressions")
    assert deprecated.json()["error"]["code"] == 100
