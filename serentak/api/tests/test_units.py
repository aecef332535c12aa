"""The unit endpoints: each persona sees exactly its scope, in every list, filter and detail."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from serentak.accounts.models import User
from serentak.api.tests.utils import PERSONAS, all_units, codes, token_client_for
from serentak.org.models import Unit
from serentak.org.scoping import Action

pytestmark = pytest.mark.django_db

VISIBLE_COUNT = {"pusat": 553, "sultra": 18, "bombana": 1, "konawe": 1, "tamu": 0}


def _detail(code: str, institution: str = "kpu") -> str:
    return reverse("api:unit-detail", args=[institution, code])


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_exactly_the_units_the_persona_may_see(client_as, persona):
    listed = codes(client_as(persona))
    user = User.objects.get(username=persona)
    expected = list(Unit.objects.for_user(user, Action.VIEW).values_list("code", flat=True))
    assert len(listed) == VISIBLE_COUNT[persona]
    assert listed == expected  # same units, same tree order


def test_it_counts_a_province_and_its_seventeen_regencies_and_cities_for_sultra(client_as):
    units = all_units(client_as("sultra"))
    kinds = [unit["kind"] for unit in units]
    assert kinds.count("province") == 1
    assert kinds.count("regency") + kinds.count("city") == 17
    assert {unit["code"][:2] for unit in units} == {"74"}


def test_it_hides_konawe_from_bombana_in_every_list_and_filter(client_as):
    client = client_as("bombana")
    filters: list[dict[str, str | int]] = [
        {},
        {"q": "Konawe"},
        {"q": "74.02"},
        {"q": "74"},
        {"parent": "74"},
        {"parent": "74.02"},
        {"kind": "regency"},
        {"institution": "kpu"},
        {"offset": 1},
    ]
    for params in filters:
        units = all_units(client, **params)
        assert "74.02" not in [unit["code"] for unit in units], params
        assert "74.02" not in [unit["parent"] for unit in units], params
    assert client.get(_detail("74.02")).status_code == 404


def test_it_accepts_dotted_codes_in_the_detail_url(client_as):
    url = _detail("74.06")
    assert url == "/api/v1/units/kpu/74.06/"
    body = client_as("sultra").get(url).json()
    assert body["name"] == "KPU Kabupaten Bombana"
    assert body["url"] == "http://testserver/api/v1/units/kpu/74.06/"
    assert body["web_url"] == "http://testserver" + reverse(
        "org:unit-detail", args=["kpu", "74.06"]
    )


def test_it_gives_the_full_item_shape(client_as, unit):
    item = next(u for u in all_units(client_as("pusat"), q="Bombana") if u["code"] == "74.06")
    assert item == {
        "institution": "kpu",
        "code": "74.06",
        "name": "KPU Kabupaten Bombana",
        "region_name": "Kabupaten Bombana",
        "kind": "regency",
        "parent": "74",
        "timezone": "Asia/Makassar",
        "tz_label": "WITA",
        "depth": unit("74.06").depth,
        "is_active": True,
        "url": "http://testserver/api/v1/units/kpu/74.06/",
        "web_url": "http://testserver/units/kpu/74.06/",
    }


def test_it_gives_contacts_and_visible_children_in_the_detail(client_as, unit):
    Unit.objects.filter(pk=unit("74").pk).update(
        emails=["humas@sultra.kpu.go.id"], phones=["+62 401 000 000"]
    )
    body = client_as("sultra").get(_detail("74")).json()
    assert body["emails"] == ["humas@sultra.kpu.go.id"]
    assert body["phones"] == ["+62 401 000 000"]
    assert body["children_count"] == 17
    assert body["children"][:3] == ["74.01", "74.02", "74.03"]
    assert body["parent"] is None  # KPU RI is outside sultra's scope
    # pusat sees the same unit with its parent; a leaf has no children.
    assert client_as("pusat").get(_detail("74")).json()["parent"] == "00"
    leaf = client_as("pusat").get(_detail("74.06")).json()
    assert (leaf["children"], leaf["children_count"]) == ([], 0)


def test_it_counts_only_the_children_the_caller_may_see(client_as, unit):
    from serentak.org.models import Membership, Role

    bombana = User.objects.get(username="bombana")
    Membership.objects.create(user=bombana, unit=unit("74"), role=Role.EDITOR)
    body = client_as("bombana").get(_detail("74")).json()
    assert body["children"] == ["74.06"]  # an editor of 74 does not reach its subtree
    assert body["children_count"] == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("pusat", {"00": None, "74": "00", "74.06": "74", "74.71": "74"}),
        ("sultra", {"74": None, "74.06": "74", "74.71": "74"}),
        ("bombana", {"74.06": None}),
    ],
)
def test_it_gives_each_unit_its_parent_code_when_the_parent_is_visible(
    client_as, persona, expected
):
    parents = {u["code"]: u["parent"] for u in all_units(client_as(persona))}
    assert {code: parents[code] for code in expected} == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_only_refers_to_parents_the_caller_can_open(client_as, persona):
    units = all_units(client_as(persona))
    listed = {unit["code"] for unit in units}
    assert {unit["parent"] for unit in units} - {None} <= listed


def test_it_filters_by_kind_parent_query_and_institution(client_as):
    client = client_as("pusat")
    assert len(codes(client, kind="province")) == 38
    assert len(codes(client, kind="city")) == 98
    assert len(codes(client, parent="00")) == 38
    children = all_units(client, parent="74")
    assert len(children) == 17
    assert {u["parent"] for u in children} == {"74"}
    assert codes(client, q="Bombana") == ["74.06"]
    assert codes(client, q="kabupaten bombana") == ["74.06"]
    assert codes(client, q="74.0") == [f"74.0{n}" for n in range(1, 10)]
    assert codes(client, kind="city", parent="74") == ["74.71", "74.72"]
    assert len(codes(client, institution="kpu")) == 553
    assert codes(client, institution="bawaslu") == []
    assert len(codes(client, kind="", q="", parent="")) == 553  # empty means no filter


def test_it_keeps_filters_inside_the_scope(client_as):
    client = client_as("sultra")
    assert codes(client, parent="00") == []  # 74 is a child of 00, but 00 is out of scope
    assert codes(client, parent="73") == []
    assert codes(client, q="Gowa") == []
    assert codes(client, kind="province") == ["74"]


def test_it_rejects_a_bad_filter_value(client_as):
    response = client_as("pusat").get(reverse("api:unit-list"), {"kind": "village"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_it_paginates_with_limit_and_offset(client_as):
    client = client_as("pusat")
    url = reverse("api:unit-list")
    first = client.get(url, {"limit": 10}).json()
    assert first["count"] == 553
    assert len(first["results"]) == 10
    assert first["results"][0]["code"] == "00"
    assert first["previous"] is None
    assert "offset=10" in first["next"]
    second = client.get(first["next"]).json()
    assert [u["code"] for u in first["results"] + second["results"]] == codes(client)[:20]
    last = client.get(url, {"limit": 10, "offset": 550}).json()
    assert len(last["results"]) == 3
    assert last["next"] is None
    default = client.get(url).json()
    assert len(default["results"]) == 100  # PAGE_SIZE
    assert len(client.get(url, {"limit": 5000}).json()["results"]) == 553  # capped at 1000


def _queries(client, limit: int) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("api:unit-list"), {"limit": limit})
    assert response.status_code == 200
    assert len(response.json()["results"]) == limit
    return len(context.captured_queries)


@pytest.mark.parametrize("auth", ["session", "token"])
def test_it_lists_units_in_a_constant_number_of_queries(client_as, auth):
    client = client_as("pusat") if auth == "session" else token_client_for("pusat")
    small, large = _queries(client, 10), _queries(client, 100)
    assert small == large
    # session or token + user, the grants, the count and the page (+ the zone middleware)
    assert large <= 6


def test_it_opens_a_unit_in_a_constant_number_of_queries(client_as):
    client = token_client_for("pusat")
    with CaptureQueriesContext(connection) as leaf:
        client.get(_detail("74.06"))
    with CaptureQueriesContext(connection) as centre:
        client.get(_detail("00"))
    assert len(leaf.captured_queries) == len(centre.captured_queries) <= 4
