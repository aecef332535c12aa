"""Reading and publishing through the sandbox: paging, visibility, the posting rules."""

from __future__ import annotations

import json
import time

from serentak.graph.sandbox.testing import graph_error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DAY = 86_400


def error_of(response) -> tuple[int, int | None]:
    error = graph_error(response)  # also checks the documented shape
    return error["code"], error.get("error_subcode")


def test_it_pages_through_me_accounts_with_cursors(sandbox, world):
    token = world["system_user"]["token"]
    seen, after, pages = [], None, 0
    while True:
        params = {"limit": 7, **({"after": after} if after else {})}
        body = sandbox.get("me/accounts", token, **params).json()
        seen += [item["id"] for item in body["data"]]
        pages += 1
        if "next" not in body["paging"]:
            break
        assert "v25.0/me/accounts" in body["paging"]["next"]
        after = body["paging"]["cursors"]["after"]
    listed = [p["id"] for p in world["pages"] if p["in_me_accounts"]]
    assert seen == listed
    assert len(set(seen)) == len(seen)
    assert pages == -(-len(listed) // 7)
    # Back one page with the `before` cursor of the second page.
    second = sandbox.get(
        "me/accounts",
        token,
        limit=7,
        after=sandbox.get("me/accounts", token, limit=7).json()["paging"]["cursors"]["after"],
    ).json()
    back = sandbox.get(
        "me/accounts", token, limit=7, before=second["paging"]["cursors"]["before"]
    ).json()
    assert [item["id"] for item in back["data"]] == listed[:7]


def test_it_lists_business_only_pages_through_the_business_edges(sandbox, world):
    token = world["system_user"]["token"]
    business = world["business"]["id"]
    owned = sandbox.get(f"{business}/owned_pages", token, limit=100).json()["data"]
    clients = sandbox.get(f"{business}/client_pages", token, limit=100).json()["data"]
    accounts = sandbox.get("me/accounts", token, limit=100).json()["data"]
    hidden = [p["id"] for p in world["pages"] if "business_only" in p["problems"]]
    assert hidden
    assert not set(hidden) & {p["id"] for p in accounts}
    assert {p["id"] for p in owned + clients} == {p["id"] for p in world["pages"]}
    assert set(owned[0]) == {"id", "name"}
    # The Page token of a business-only Page is still reachable with the system user.
    page_id = hidden[0]
    body = sandbox.get(page_id, token, fields="access_token").json()
    assert body["access_token"]
    # A person's token cannot list the business's Pages (code 10).
    assert error_of(sandbox.get(f"{business}/owned_pages", world["user"]["token"]))[0] == 10


def test_it_hides_unpublished_pages_and_personal_profiles(sandbox, world):
    unpublished = next(p for p in world["pages"] if "unpublished" in p["problems"])
    system = world["system_user"]["token"]
    assert (
        sandbox.get(unpublished["id"], system, fields="is_published").json()["is_published"]
        is False
    )
    person = sandbox.get(unpublished["id"], world["user"]["token"])
    assert error_of(person) == (100, 33)
    profile = world["profiles"][0]
    response = sandbox.get(profile["id"], system)
    assert error_of(response) == (100, 33)
    assert "does not exist" in response.json()["error"]["message"]


def test_it_shows_the_seeded_page_problems(sandbox, world):
    system = world["system_user"]["token"]
    fields = "name,website,picture"
    by_problem = {
        p: next(x for x in world["pages"] if p in x["problems"])
        for p in ("misnamed", "no_website", "no_picture")
    }
    misnamed = sandbox.get(by_problem["misnamed"]["id"], system, fields=fields).json()
    assert misnamed["name"] != by_problem["misnamed"]["official_name"]
    assert (
        "website" not in sandbox.get(by_problem["no_website"]["id"], system, fields=fields).json()
    )
    no_picture = sandbox.get(by_problem["no_picture"]["id"], system, fields=fields).json()
    assert no_picture["picture"]["data"]["is_silhouette"] is True
    moderator = next(p for p in world["pages"] if "no_create_content" in p["problems"])
    assert "CREATE_CONTENT" not in moderator["tasks"]


def test_it_refuses_unknown_fields_paths_and_versions(sandbox, page):
    token = page["access_token"]
    assert sandbox.get(page["id"], token, fields="id,nonsense").json()["error"]["message"] == (
        "(#100) Tried accessing nonexisting field (nonsense) on node type (Page)"
    )
    assert error_of(sandbox.get(f"{page['id']}/nonsense", token))[0] == 100
    assert error_of(sandbox.get("999999999999999", token)) == (100, 33)
    assert (
        error_of(sandbox.http.get(f"/v24.0/{page['id']}", params={"access_token": token}))[0] == 100
    )
    unversioned = sandbox.http.get(f"/{page['id']}", params={"access_token": token})
    assert unversioned.status_code == 200
    assert unversioned.headers["facebook-api-version"] == "v25.0"
    assert error_of(sandbox.get(f"{page['id']}/feed", token, limit=101))[0] == 100


def test_it_accepts_query_form_json_and_bearer_tokens(sandbox, page):
    token = page["access_token"]
    path = f"/v25.0/{page['id']}/feed"
    as_query = sandbox.http.post(path, params={"access_token": token, "message": "query"})
    as_json = sandbox.http.post(path, json={"access_token": token, "message": "json"})
    as_bearer = sandbox.http.post(
        path, data={"message": "bearer"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert [r.status_code for r in (as_query, as_json, as_bearer)] == [200, 200, 200]
    messages = [row["message"] for row in sandbox.ledger(page["id"])["posts"]]
    assert messages == ["query", "json", "bearer"]


def test_it_pages_through_the_feed_newest_first(sandbox, page):
    token = page["access_token"]
    for n in range(5):
        assert sandbox.post(f"{page['id']}/feed", token, message=f"post {n}").status_code == 200
    first = sandbox.get(f"{page['id']}/feed", token, limit=2).json()
    assert [p["message"] for p in first["data"]] == ["post 4", "post 3"]
    second = sandbox.get(
        f"{page['id']}/feed", token, limit=2, after=first["paging"]["cursors"]["after"]
    ).json()
    third = sandbox.get(
        f"{page['id']}/feed", token, limit=2, after=second["paging"]["cursors"]["after"]
    ).json()
    assert [p["message"] for p in second["data"] + third["data"]] == ["post 2", "post 1", "post 0"]
    assert "next" not in third["paging"]
    assert "previous" in third["paging"]
    published = sandbox.get(f"{page['id']}/published_posts", token, limit=100).json()["data"]
    assert len(published) == 5


def test_it_enforces_the_scheduling_window_at_both_ends(sandbox, page):
    token = page["access_token"]
    now = time.time()
    feed = f"{page['id']}/feed"

    def schedule(seconds: float, **extra):
        return sandbox.post(
            feed,
            token,
            message=f"in {seconds}",
            published="false",
            scheduled_publish_time=str(int(now + seconds)),
            **extra,
        )

    assert error_of(schedule(9 * 60)) == (100, None)
    assert error_of(schedule(31 * DAY)) == (100, None)
    assert schedule(11 * 60).status_code == 200
    assert schedule(29 * DAY).status_code == 200
    published = sandbox.post(feed, token, message="x", scheduled_publish_time=str(int(now + 3600)))
    assert error_of(published)[0] == 100  # scheduling needs published=false
    iso = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(now + 2 * 3600))
    assert (
        sandbox.post(
            feed, token, message="iso", published="false", scheduled_publish_time=iso
        ).status_code
        == 200
    )
    assert (
        error_of(
            sandbox.post(
                feed, token, message="php", published="false", scheduled_publish_time="+1 day"
            )
        )[0]
        == 100
    )
    scheduled = sandbox.get(f"{page['id']}/scheduled_posts", token).json()["data"]
    assert len(scheduled) == 3
    assert sandbox.get(feed, token).json()["data"] == []


def test_it_publishes_scheduled_posts_when_their_time_comes(sandbox, page):
    token = page["access_token"]
    when = int(time.time() + 20 * 60)
    post = sandbox.post(
        f"{page['id']}/feed",
        token,
        message="nanti",
        published="false",
        scheduled_publish_time=str(when),
    ).json()
    assert sandbox.get(post["id"], token, fields="is_published").json()["is_published"] is False
    sandbox.advance_clock(18 * 60)  # 2 minutes before: frozen
    frozen = sandbox.post(post["id"], token, message="ubah")
    assert error_of(frozen)[0] == 100
    sandbox.advance_clock(3 * 60)
    feed = sandbox.get(f"{page['id']}/feed", token, fields="id,created_time,is_published").json()[
        "data"
    ]
    assert [p["id"] for p in feed] == [post["id"]]
    assert feed[0]["is_published"] is True
    assert sandbox.ledger(page["id"])["counts"]["published"] == 1


def test_it_refuses_an_identical_consecutive_post_with_506(sandbox, page):
    token = page["access_token"]
    feed = f"{page['id']}/feed"
    assert sandbox.post(feed, token, message="Sama", link="https://kpu.go.id").status_code == 200
    assert error_of(sandbox.post(feed, token, message="Sama", link="https://kpu.go.id")) == (
        506,
        None,
    )
    assert (
        sandbox.post(feed, token, message="Sama", link="https://kpu.go.id/lain").status_code == 200
    )
    assert sandbox.post(feed, token, message="Sama", link="https://kpu.go.id").status_code == 200
    assert sandbox.ledger(page["id"])["counts"]["total"] == 3


def test_it_blocks_a_token_that_posts_too_fast_with_368(sandbox, page):
    token = page["access_token"]
    limits = sandbox.limits()
    for n in range(limits["spam_posts"]):
        assert sandbox.post(f"{page['id']}/feed", token, message=f"cepat {n}").status_code == 200
    blocked = sandbox.post(f"{page['id']}/feed", token, message="satu lagi")
    assert error_of(blocked) == (368, 1390008)
    assert blocked.json()["error"]["is_transient"] is True
    assert blocked.json()["error"]["error_user_msg"]
    sandbox.advance_clock(limits["spam_window_min"] * 60 + 1)
    assert error_of(sandbox.post(f"{page['id']}/feed", token, message="masih diblokir"))[0] == 368
    sandbox.advance_clock(limits["spam_block_min"] * 60)
    assert sandbox.post(f"{page['id']}/feed", token, message="boleh lagi").status_code == 200


def test_it_validates_messages_and_links(sandbox, page):
    token, feed = page["access_token"], f"{page['id']}/feed"
    assert error_of(sandbox.post(feed, token))[0] == 100
    assert error_of(sandbox.post(feed, token, message="x" * 63_207))[0] == 100
    assert sandbox.post(feed, token, message="y" * 63_206).status_code == 200
    assert error_of(sandbox.post(feed, token, message="a", link="not a url"))[0] == 100
    assert (
        error_of(sandbox.post(feed, token, message="b", link="https://gone.invalid/x"))[0]
        == 1609005
    )


def test_it_posts_photos_and_attaches_unpublished_ones(sandbox, page):
    token = page["access_token"]
    first = sandbox.post(
        f"{page['id']}/photos", token, url="https://example.org/1.jpg", published="false"
    ).json()
    second = sandbox.post(
        f"{page['id']}/photos",
        token,
        files={"source": ("2.png", PNG, "image/png")},
        published="false",
    ).json()
    media = [{"media_fbid": first["id"]}, {"media_fbid": second["id"]}]
    post = sandbox.post(
        f"{page['id']}/feed", token, message="Dua foto", attached_media=json.dumps(media)
    )
    assert post.status_code == 200, post.text
    again = sandbox.post(
        f"{page['id']}/feed", token, message="Lagi", **{"attached_media[0]": json.dumps(media[0])}
    )
    assert error_of(again) == (100, 1366051)
    body = sandbox.get(
        post.json()["id"], token, fields="attachments,full_picture,status_type"
    ).json()
    assert body["status_type"] == "added_photos"
    assert len(body["attachments"]["data"]) == 2
    bad = sandbox.post(
        f"{page['id']}/photos", token, files={"source": ("x.gif", b"GIF89a", "image/gif")}
    )
    assert error_of(bad) == (100, 1366046)
    assert error_of(sandbox.post(f"{page['id']}/photos", token))[0] == 324
    scheduled = sandbox.post(
        f"{page['id']}/photos", token, url="https://example.org/3.jpg", published="false"
    ).json()
    later = str(int(time.time() + 3600))
    not_temporary = sandbox.post(
        f"{page['id']}/feed",
        token,
        message="Nanti",
        published="false",
        scheduled_publish_time=later,
        attached_media=json.dumps([{"media_fbid": scheduled["id"]}]),
    )
    assert error_of(not_temporary)[0] == 100


def test_it_edits_and_deletes_posts(sandbox, page):
    token = page["access_token"]
    post_id = sandbox.post(f"{page['id']}/feed", token, message="Lama").json()["id"]
    assert sandbox.post(post_id, token, message="Baru").json() == {"success": True}
    assert sandbox.get(post_id, token).json()["message"] == "Baru"
    assert sandbox.delete(post_id, token).json() == {"success": True}
    assert error_of(sandbox.get(post_id, token)) == (100, 33)
    assert error_of(sandbox.delete(post_id, token)) == (100, 33)
    counts = sandbox.ledger(page["id"])["counts"]
    assert counts["deleted"] == 1
    assert counts["existing"] == 0
    hidden = sandbox.post(f"{page['id']}/feed", token, message="Disembunyikan").json()["id"]
    sandbox.post(hidden, token, is_hidden="true")
    assert sandbox.get(f"{page['id']}/published_posts", token).json()["data"] == []
    assert (
        len(
            sandbox.get(f"{page['id']}/published_posts", token, include_hidden="true").json()[
                "data"
            ]
        )
        == 1
    )


def test_it_reads_back_fields_after_a_write(sandbox, page):
    response = sandbox.post(
        f"{page['id']}/feed",
        page["access_token"],
        message="Baca",
        fields="id,permalink_url,created_time",
    )
    body = response.json()
    assert set(body) == {"id", "permalink_url", "created_time"}
    assert body["permalink_url"].startswith("https://www.facebook.com/")


def test_it_installs_the_app_on_a_page(sandbox, page):
    token, edge = page["access_token"], f"{page['id']}/subscribed_apps"
    assert sandbox.get(edge, token).json() == {"data": []}
    assert error_of(sandbox.post(edge, token))[0] == 100
    assert sandbox.post(edge, token, subscribed_fields="feed").json() == {"success": True}
    installed = sandbox.get(edge, token).json()["data"]
    assert installed[0]["subscribed_fields"] == ["feed"]
    assert sandbox.delete(edge, token).json() == {"success": True}


def test_it_reads_several_ids_at_once(sandbox, world):
    token = world["system_user"]["token"]
    ids = [p["id"] for p in world["pages"][:3]]
    body = sandbox.get("", token, ids=",".join(ids), fields="id,name").json()
    assert sorted(body) == sorted(ids)
    missing = sandbox.get("", token, ids=f"{ids[0]},123")
    assert error_of(missing)[0] == 803
