"""Faults over a real socket: resets, timeouts, lost responses, feed lag, chaos shortening."""

from __future__ import annotations

import json

import httpx
import pytest

from serentak.graph.sandbox import SandboxConfig, start_sandbox
from serentak.graph.sandbox.app import create_app
from serentak.graph.sandbox.config import fault_profile
from serentak.graph.sandbox.faults import Faults
from serentak.graph.sandbox.state import SandboxState

SANDBOX = {"pages": 20, "seed": 11}


def test_it_resets_the_connection_before_applying_anything(sandbox, page):
    sandbox.inject_fault("reset", page_id=page["id"])
    with pytest.raises(httpx.TransportError):
        sandbox.post(f"{page['id']}/feed", page["access_token"], message="hilang")
    assert sandbox.ledger(page["id"])["counts"]["total"] == 0
    assert (
        sandbox.post(f"{page['id']}/feed", page["access_token"], message="ada").status_code == 200
    )


def test_it_applies_a_post_whose_response_is_lost(sandbox, page):
    sandbox.inject_fault("lost", page_id=page["id"], method="POST")
    with pytest.raises(httpx.TransportError):
        sandbox.post(f"{page['id']}/feed", page["access_token"], message="terkirim?")
    ledger = sandbox.ledger(page["id"])
    assert ledger["counts"]["existing"] == 1
    assert ledger["counts"]["response_lost"] == 1
    post = ledger["posts"][0]
    assert post["response_lost"] is True
    assert post["status"] == "published"
    # Reconciliation can find it: the post is really there.
    feed = sandbox.get(f"{page['id']}/published_posts", page["access_token"]).json()["data"]
    assert [p["id"] for p in feed] == [post["id"]]


def test_it_applies_a_post_whose_client_times_out(handle, page):
    with handle.client(timeout=0.3) as impatient:
        impatient.inject_fault("lost_timeout", page_id=page["id"], seconds=1)
        with pytest.raises(httpx.ReadTimeout):
            impatient.post(f"{page['id']}/feed", page["access_token"], message="lambat")
        assert impatient.ledger(page["id"])["counts"]["response_lost"] == 1


def test_it_times_out_before_applying_anything(handle, page):
    with handle.client(timeout=0.3) as impatient:
        impatient.inject_fault("timeout", page_id=page["id"], seconds=1)
        with pytest.raises(httpx.ReadTimeout):
            impatient.post(f"{page['id']}/feed", page["access_token"], message="tidak")
        assert impatient.ledger(page["id"])["counts"]["total"] == 0


def test_it_answers_a_proxy_error_page(sandbox, page):
    sandbox.inject_fault("502")
    response = sandbox.get(page["id"], page["access_token"])
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")


def test_it_lists_a_new_post_only_after_the_feed_lag(sandbox, page):
    token = page["access_token"]
    sandbox.inject_fault("lag", page_id=page["id"], seconds=30)
    post_id = sandbox.post(f"{page['id']}/feed", token, message="tertunda").json()["id"]
    assert sandbox.get(post_id, token).json()["message"] == "tertunda"  # by id: at once
    assert sandbox.get(f"{page['id']}/feed", token).json()["data"] == []
    assert sandbox.get(f"{page['id']}/published_posts", token).json()["data"] == []
    sandbox.advance_clock(31)
    assert [p["id"] for p in sandbox.get(f"{page['id']}/feed", token).json()["data"]] == [post_id]


def test_it_draws_the_same_random_faults_for_the_same_seed():
    def draws(seed: int) -> list[tuple[str | None, str | None, int | None]]:
        faults = Faults(fault_profile("chaos"), seed)
        plans = [faults.plan_request(targets=[("1", "POST")], batch_size=10) for _ in range(400)]
        return [(p.before, p.after, p.batch_cut_at) for p in plans]

    first = draws(5)
    assert first == draws(5)
    assert first != draws(6)
    kinds = {kind for before, after, _ in first for kind in (before, after) if kind}
    assert {"reset", "timeout", "502"} <= kinds
    assert kinds & {"lost", "lost_timeout"}


def test_it_shortens_every_wait_under_chaos(tmp_path):
    state_file = tmp_path / "chaos.json"
    with start_sandbox(pages=10, faults="chaos", seed=2, state_file=state_file) as chaos:
        data = json.loads(state_file.read_text())
        assert data["minute_seconds"] == 1.0
        assert data["faults"] == "chaos"
        with chaos.client() as sandbox:
            sandbox.random_faults(False)
            world = sandbox.world()
            page = next(p for p in world["pages"] if not p["problems"] and p["unit_code"] != "00")
            limits = sandbox.limits()
            assert limits["buc_calls"] <= 100
            assert limits["buc_window_min"] <= 10
            for _ in range(limits["buc_calls"]):
                sandbox.get(page["id"], page["access_token"])
            throttled = sandbox.get(page["id"], page["access_token"])
            assert throttled.json()["error"]["code"] == 80001
            usage = json.loads(throttled.headers["x-business-use-case-usage"])[page["id"]][0]
            wait_s = usage["estimated_time_to_regain_access"] * 60  # the header is in minutes
            assert 0 < wait_s <= 11  # but the wait is seconds (rounded up)
            sandbox.advance_clock(wait_s)
            assert sandbox.get(page["id"], page["access_token"]).status_code == 200
            sandbox.expire_token(page["access_token"])  # no restore time given: chaos's own
            assert (
                sandbox.get(page["id"], page["access_token"]).json()["error"]["error_subcode"]
                == 463
            )
            sandbox.advance_clock(limits["token_restore_s"])
            assert sandbox.get(page["id"], page["access_token"]).status_code == 200


@pytest.mark.anyio
async def test_it_serves_in_process_through_the_asgi_transport():
    state = SandboxState(SandboxConfig.build(pages=5, seed=1))
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        token = state.world.system_user_token
        response = await client.get("/v25.0/me/accounts", params={"access_token": token})
        assert response.status_code == 200
        assert len(response.json()["data"]) >= 1
        state.faults.inject(kind="reset")
        with pytest.raises(ConnectionResetError):
            await client.get("/v25.0/me", params={"access_token": token})


@pytest.fixture
def anyio_backend():
    return "asyncio"
