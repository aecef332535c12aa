"""Discovering the sandbox's 553 Pages and matching them to the 553 KPU units."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from serentak.graph.config import GraphConfig
from serentak.graph.sandbox.runner import start_sandbox
from serentak.pages.matching import Matcher, UnitName
from serentak.pages.models import MatchStatus, PageToken, Presence
from serentak.pages.services.registry import Decision, pages_discover, presences_confirm
from serentak.pages.services.tokens import token_read

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    state = tmp_path_factory.mktemp("sandbox") / "state.json"
    handle = start_sandbox(pages=553, seed=11, state_file=state)
    yield handle
    handle.stop()


@pytest.fixture
def config(sandbox) -> GraphConfig:
    assert sandbox.state_file is not None
    return GraphConfig.from_state_file(sandbox.state_file)


def test_it_discovers_every_page_and_proposes_units(kpu, config, sandbox):
    report = pages_discover(institution=kpu, config=config)
    assert report.reached == 553
    assert report.new == 553
    assert report.proposed >= 500
    world = {page["id"]: page for page in sandbox.client().world()["pages"]}
    presences = Presence.objects.filter(institution=kpu).select_related("proposed_unit")
    right = 0
    for presence in presences.filter(match_status=MatchStatus.PROPOSED):
        seeded = world[presence.page_id]
        assert presence.proposed_unit is not None
        if seeded.get("unit_code") == presence.proposed_unit.code:
            right += 1
    # Proposals are right: a wrong one would put a unit's posts on another unit's Page.
    assert right == report.proposed
    # Tokens are kept, encrypted.
    sample = presences.order_by("pk")[0]
    assert PageToken.objects.filter(presence__institution=kpu).count() == 553
    plain = token_read(presence=sample)
    assert plain
    assert plain not in PageToken.objects.get(presence=sample).encrypted


def test_discovery_twice_changes_nothing(kpu, config):
    pages_discover(institution=kpu, config=config)
    again = pages_discover(institution=kpu, config=config)
    assert (again.new, again.updated) == (0, 0)
    assert Presence.objects.filter(institution=kpu).count() == 553


def test_the_centre_confirms_in_bulk_and_pages_become_official(kpu, config, persona, unit):
    pages_discover(institution=kpu, config=config)
    proposed = list(
        Presence.objects.filter(match_status=MatchStatus.PROPOSED).select_related("proposed_unit")
    )
    decisions = [Decision(p.pk, p.proposed_unit.code) for p in proposed if p.proposed_unit]
    presences_confirm(actor=persona("pusat"), institution=kpu, decisions=decisions)
    bombana = Presence.objects.get(unit=unit("74.06"))
    assert bombana.match_status == MatchStatus.CONFIRMED
    assert bombana.is_official
    assert Presence.objects.filter(is_official=True).count() == len(proposed)


def test_a_province_admin_cannot_place_unowned_pages_or_reach_other_provinces(
    kpu, config, persona, unit
):
    pages_discover(institution=kpu, config=config)
    page = Presence.objects.filter(unit__isnull=True).order_by("pk")[0]
    with pytest.raises(PermissionDenied):
        presences_confirm(
            actor=persona("sultra"), institution=kpu, decisions=[Decision(page.pk, "74.06")]
        )
    presences_confirm(
        actor=persona("pusat"), institution=kpu, decisions=[Decision(page.pk, "74.06")]
    )
    # Owned by a Sulawesi Tenggara unit now: sultra may move it inside the province...
    presences_confirm(
        actor=persona("sultra"), institution=kpu, decisions=[Decision(page.pk, "74.02")]
    )
    # ...but not out of it, and an operator not at all.
    with pytest.raises(PermissionDenied):
        presences_confirm(
            actor=persona("sultra"), institution=kpu, decisions=[Decision(page.pk, "73.01")]
        )
    with pytest.raises(PermissionDenied):
        presences_confirm(
            actor=persona("konawe"), institution=kpu, decisions=[Decision(page.pk, "74.02")]
        )


def test_discovery_needs_the_centre(kpu, config, persona):
    with pytest.raises(PermissionDenied):
        pages_discover(institution=kpu, config=config, actor=persona("sultra"))


def test_the_cli_connects_with_a_state_file(kpu, sandbox, capsys):
    call_command("pages", "connect", "--graph-state", str(sandbox.state_file), "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["reached"] == 553
    assert {"page_id", "name", "status", "proposed_unit", "score"} <= set(out["pages"][0])


@pytest.mark.parametrize(
    ("name", "username", "expected"),
    [
        ("KPU Kab. Bombana", "", "KPU Kabupaten Bombana"),
        ("Kpu Bombana", "kpu.bombana", "KPU Kabupaten Bombana"),
        ("KPUD Bombana", "kpukabbombana", "KPU Kabupaten Bombana"),
        ("KPU Konawe Selatan", "", "KPU Kabupaten Konawe Selatan"),
        ("KPU Kota Bima", "", "KPU Kota Bima"),
        ("KIP Aceh Selatan", "", "KIP Kabupaten Aceh Selatan"),
        ("Komisi Pemilihan Umum", "", "KPU RI"),
        # Exact for one unit, a near miss for another (Badung / Bandung)
        ("KPU Kabupaten Badung", "kpukabbadung", "KPU Kabupaten Badung"),
        # The name fits two units; the username says which
        ("KPU Banjar", "kpukabbanjar", "KPU Kabupaten Banjar"),
    ],
)
def test_the_matcher_reads_the_names_people_give_pages(kpu, name, username, expected):
    from serentak.pages.services.registry import matcher_for

    match = matcher_for(kpu).match(name=name, username=username)
    assert match.proposed
    from serentak.org.models import Unit

    assert Unit.objects.get(pk=match.unit_id).name == expected


def test_an_ambiguous_name_is_left_for_a_person():
    matcher = Matcher(
        [
            UnitName(1, "KPU Kabupaten Bima", "Kabupaten Bima"),
            UnitName(2, "KPU Kota Bima", "Kota Bima"),
        ]
    )
    assert not matcher.match(name="KPU Bima").proposed


def test_a_page_known_by_its_address_is_linked_not_duplicated(kpu, config, sandbox, unit):
    seeded = next(p for p in sandbox.client().world()["pages"] if p["unit_code"] == "74.06")
    imported = Presence.objects.create(
        institution=kpu,
        unit=unit("74.06"),
        kind="unknown-needs-lookup",
        source="import",
        canonical_url=f"https://www.facebook.com/{seeded['username']}",
        username=seeded["username"],
        match_status=MatchStatus.CONFIRMED,
    )
    pages_discover(institution=kpu, config=config)
    imported.refresh_from_db()
    assert imported.page_id == seeded["id"]
    assert imported.kind == "page"
    assert imported.unit == unit("74.06")
    assert Presence.objects.filter(institution=kpu).count() == 553
