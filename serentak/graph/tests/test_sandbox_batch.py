"""Batch requests: 50 operations, references between them, failures item by item."""

from __future__ import annotations

import json

from serentak.graph.sandbox.auth import appsecret_proof

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

SANDBOX = {"pages": 60, "seed": 3}


def publishable(world):
    return [
        p
        for p in world["pages"]
        if "no_create_content" not in p["problems"] and "token_expiring" not in p["problems"]
    ]


def bodies(response):
    return [json.loads(item["body"]) if item else None for item in response.json()]


def test_it_runs_a_batch_of_50_posts_on_50_pages(sandbox, world):
    pages = publishable(world)[:50]
    operations = [
        {
            "method": "POST",
            "relative_url": f"{p['id']}/feed",
            "body": f"message=Sosialisasi+{n}&access_token={p['access_token']}",
        }
        for n, p in enumerate(pages)
    ]
    response = sandbox.batch(operations, world["system_user"]["token"])
    assert response.status_code == 200
    items = response.json()
    assert len(items) == 50
    assert all(item["code"] == 200 for item in items)
    ids = [json.loads(item["body"])["id"] for item in items]
    assert [i.split("_")[0] for i in ids] == [p["id"] for p in pages]
    ledger = sandbox.ledger()
    assert ledger["counts"]["published"] == 50
    assert all(row["in_batch"] for row in ledger["posts"])
    buc = json.loads(response.headers["x-business-use-case-usage"])
    assert len(buc) == 32  # a header holds at most 32 objects


def test_it_refuses_more_than_50_operations_and_malformed_batches(sandbox, world):
    page = world["pages"][0]
    system = world["system_user"]["token"]
    response = sandbox.batch([{"method": "GET", "relative_url": page["id"]}] * 51, system)
    error = response.json()["error"]
    assert error["code"] == 1
    assert error["type"] == "GraphBatchException"
    assert "50" in error["message"]
    assert error["is_transient"] is False
    assert sandbox.post("", system, batch="not json").json()["error"]["code"] == 100


def test_it_answers_items_in_order_and_fails_them_one_by_one(sandbox, world):
    page = publishable(world)[1]
    token = page["access_token"]
    operations = [
        {"method": "POST", "relative_url": f"{page['id']}/feed", "body": "message=satu"},
        {"method": "GET", "relative_url": "404404404404404"},
        {"method": "POST", "relative_url": f"{page['id']}/feed", "body": "message=satu"},
        {"method": "GET", "relative_url": f"{page['id']}?fields=name"},
    ]
    response = sandbox.batch(operations, token)
    assert response.status_code == 200
    codes = [item["code"] for item in response.json()]
    assert codes == [200, 400, 400, 200]
    results = bodies(response)
    assert results[1]["error"]["error_subcode"] == 33
    assert results[2]["error"]["code"] == 506
    assert results[3]["name"] == page["name"]


def test_it_passes_results_between_operations_with_jsonpath(sandbox, world):
    page = publishable(world)[2]
    operations = [
        {
            "method": "POST",
            "relative_url": f"{page['id']}/feed",
            "body": "message=berantai",
            "name": "post",
        },
        {"method": "GET", "relative_url": "{result=post:$.id}?fields=message"},
    ]
    first, second = sandbox.batch(operations, page["access_token"]).json()
    assert first is None  # named, so left out unless omit_response_on_success is false
    assert json.loads(second["body"])["message"] == "berantai"
    listing = [
        {
            "method": "GET",
            "relative_url": "me/accounts?limit=3",
            "name": "accounts",
            "omit_response_on_success": False,
        },
        {"method": "GET", "relative_url": "?ids={result=accounts:$.data.*.id}&fields=id,name"},
    ]
    accounts, names = bodies(sandbox.batch(listing, world["system_user"]["token"]))
    assert sorted(names) == sorted(item["id"] for item in accounts["data"])


def test_it_orders_with_depends_on_and_fails_dependents_of_a_failure(sandbox, world):
    page = publishable(world)[3]
    token = page["access_token"]
    operations = [
        {"method": "POST", "relative_url": f"{page['id']}/feed", "body": "", "name": "broken"},
        {
            "method": "POST",
            "relative_url": f"{page['id']}/feed",
            "body": "message=setelah",
            "depends_on": "broken",
        },
        {"method": "GET", "relative_url": "{result=broken:$.id}"},
        {"method": "POST", "relative_url": f"{page['id']}/feed", "body": "message=mandiri"},
        {
            "method": "POST",
            "relative_url": f"{page['id']}/feed",
            "body": "message=berurutan",
            "name": "ok",
            "omit_response_on_success": False,
        },
        {"method": "GET", "relative_url": f"{page['id']}/feed?fields=message", "depends_on": "ok"},
    ]
    items = sandbox.batch(operations, token).json()
    assert [item["code"] for item in items] == [400, 400, 400, 200, 200, 200]
    assert "broken" in json.loads(items[1]["body"])["error"]["message"]
    feed = json.loads(items[5]["body"])["data"]
    assert [p["message"] for p in feed] == ["berurutan", "mandiri"]
    assert sandbox.ledger(page["id"])["counts"]["total"] == 2


def test_it_leaves_out_headers_when_asked(sandbox, world):
    page = world["pages"][0]
    items = sandbox.batch(
        [{"method": "GET", "relative_url": page["id"]}],
        world["system_user"]["token"],
        include_headers="false",
    ).json()
    assert set(items[0]) == {"code", "body"}


def test_it_needs_a_top_level_token_and_per_operation_proofs(sandbox, world):
    page = publishable(world)[4]
    operations = [
        {"method": "GET", "relative_url": f"{page['id']}?access_token={page['access_token']}"}
    ]
    assert sandbox.batch(operations, None).json()["error"]["code"] == 104
    system = world["system_user"]["token"]
    secret = world["app"]["secret"]
    sandbox.configure(require_appsecret_proof=True)
    assert sandbox.batch(operations, system).json()["error"]["code"] == 100  # top level
    items = sandbox.batch(
        operations, system, appsecret_proof=appsecret_proof(secret, system)
    ).json()
    assert json.loads(items[0]["body"])["error"]["code"] == 100  # the operation's own token
    proof = appsecret_proof(secret, page["access_token"])
    operations[0]["relative_url"] += f"&appsecret_proof={proof}"
    items = sandbox.batch(
        operations, system, appsecret_proof=appsecret_proof(secret, system)
    ).json()
    assert items[0]["code"] == 200


def test_it_uploads_attached_files_in_a_batch(sandbox, world):
    page = publishable(world)[5]
    operations = [
        {
            "method": "POST",
            "relative_url": f"{page['id']}/photos",
            "body": "published=false",
            "attached_files": "file1",
            "name": "photo",
            "omit_response_on_success": False,
        },
        {
            "method": "POST",
            "relative_url": f"{page['id']}/feed",
            "body": 'message=Foto&attached_media=[{"media_fbid":"{result=photo:$.id}"}]',
        },
    ]
    response = sandbox.batch(
        operations, page["access_token"], files={"file1": ("a.png", PNG, "image/png")}
    )
    photo, post = bodies(response)
    assert set(photo) == {"id"}
    assert post["id"].startswith(page["id"] + "_")


def test_it_answers_null_for_operations_a_timed_out_batch_never_ran(sandbox, world):
    pages = publishable(world)[:6]
    sandbox.inject_fault("batch_cut", after_ops=4)
    operations = [
        {
            "method": "POST",
            "relative_url": f"{p['id']}/feed",
            "body": f"message=n&access_token={p['access_token']}",
        }
        for p in pages
    ]
    items = sandbox.batch(operations, world["system_user"]["token"]).json()
    assert [item is not None for item in items] == [True] * 4 + [False] * 2
    assert sandbox.ledger()["counts"]["total"] == 4
