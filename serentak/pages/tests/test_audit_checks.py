"""The audit's checks as pure functions: no database, no network."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.utils import translation

from serentak.pages import checks
from serentak.pages.checks import PresenceState, TokenState, UnitState, unit_evaluate

NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
EXPECTED = "KPU Kabupaten Bombana"

GOOD_TOKEN = TokenState(
    is_valid=True, expires_at=None, tasks=("ANALYZE", "CREATE_CONTENT", "MODERATE")
)
GOOD_PAGE = PresenceState(
    id=1,
    kind="page",
    is_official=True,
    fetched_at=NOW,
    name=EXPECTED,
    website="https://kab-bombana.kpu.go.id",
    about="Akun resmi Komisi Pemilihan Umum Kabupaten Bombana.",
    picture_is_silhouette=False,
    has_cover=True,
    is_published=True,
    new_pages_experience=True,
    last_post_at=NOW - dt.timedelta(days=2),
    token=GOOD_TOKEN,
    assigned=True,
)


def found(page: PresenceState, *others: PresenceState) -> dict[str, dict]:
    evaluation = unit_evaluate(
        UnitState(code="74.06", expected_name=EXPECTED, presences=(page, *others)), now=NOW
    )
    return {f.code: f.params for f in evaluation.found}


def test_a_good_page_passes_every_check():
    assert found(GOOD_PAGE) == {}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "KPU Kab. Bombana"}, checks.NAME_MISMATCH),
        ({"name": "KPU KABUPATEN BOMBANA"}, checks.NAME_MISMATCH),
        ({"name": "KPU Kabupaten Bombana (Official)"}, checks.NAME_MISMATCH),
        ({"website": ""}, checks.WEBSITE_MISSING),
        ({"website": "https://kpubombana.blogspot.com"}, checks.WEBSITE_NOT_OFFICIAL),
        ({"website": "https://go.id.example.com"}, checks.WEBSITE_NOT_OFFICIAL),
        ({"about": "  "}, checks.ABOUT_MISSING),
        ({"picture_is_silhouette": True}, checks.PICTURE_MISSING),
        ({"has_cover": False}, checks.COVER_MISSING),
        ({"is_published": False}, checks.PAGE_UNPUBLISHED),
        ({"new_pages_experience": False}, checks.CLASSIC_PAGE),
        ({"last_post_at": NOW - dt.timedelta(days=31)}, checks.NO_RECENT_POST),
        ({"last_post_at": None}, checks.NO_RECENT_POST),
        ({"assigned": False}, checks.PAGE_NOT_ASSIGNED),
        ({"token": None}, checks.PAGE_NOT_CONNECTED),
        ({"token": replace(GOOD_TOKEN, is_valid=False)}, checks.TOKEN_INVALID),
        ({"token": replace(GOOD_TOKEN, tasks=("ANALYZE",))}, checks.TOKEN_NO_CREATE_CONTENT),
        ({"token": replace(GOOD_TOKEN, tasks=("CREATE_CONTENT",))}, checks.TOKEN_NO_ANALYZE),
        ({"token": replace(GOOD_TOKEN, last_error="retry_later: (2)")}, checks.PAGE_UNREACHABLE),
    ],
)
def test_each_check_finds_its_problem(change, code):
    assert set(found(replace(GOOD_PAGE, **change))) == {code}


def test_the_name_finding_says_what_the_name_should_be():
    params = found(replace(GOOD_PAGE, name="KPU Kab. Bombana"))[checks.NAME_MISMATCH]
    assert params == {"expected": EXPECTED, "actual": "KPU Kab. Bombana"}
    message = checks.CHECKS_BY_CODE[checks.NAME_MISMATCH].message_for(params)
    assert '"KPU Kab. Bombana"' in message
    assert f'"{EXPECTED}"' in message


@pytest.mark.parametrize(
    "website",
    [
        "https://kab-bombana.kpu.go.id",
        "http://www.kpu.go.id/",
        "https://jdih.kpu.go.id/peraturan?id=1",
        "HTTPS://KPU.GO.ID",
        "https://bombanakab.go.id",
        "https://www.instagram.com/kpu https://kab-bombana.kpu.go.id",
    ],
)
def test_any_site_under_go_id_is_official(website):
    assert checks.website_is_official(website)


@pytest.mark.parametrize(
    "website",
    ["kab-bombana.kpu.go.id", "https://go.id", "https://kpu.go.id.evil.com", "ftp://kpu.go.id"],
)
def test_other_sites_are_not(website):
    assert not checks.website_is_official(website)


def test_a_token_expiring_within_14_days_is_a_warning_with_its_date():
    expires = NOW + dt.timedelta(days=5, hours=3)
    page = replace(GOOD_PAGE, token=replace(GOOD_TOKEN, expires_at=expires))
    assert found(page) == {checks.TOKEN_EXPIRING: {"days": 5, "date": "2026-03-06"}}
    assert checks.CHECKS_BY_CODE[checks.TOKEN_EXPIRING].severity == "warning"


def test_a_token_valid_for_longer_is_fine():
    later = replace(GOOD_TOKEN, expires_at=NOW + dt.timedelta(days=15))
    assert found(replace(GOOD_PAGE, token=later)) == {}


def test_a_unit_without_an_official_page_has_that_finding_only():
    evaluation = unit_evaluate(UnitState(code="74.06", expected_name=EXPECTED), now=NOW)
    assert [(f.code, f.presence_id, f.params) for f in evaluation.found] == [
        (checks.NO_OFFICIAL_PAGE, None, {"expected": EXPECTED})
    ]


def test_an_unofficial_page_is_not_the_official_one():
    unofficial = replace(GOOD_PAGE, is_official=False)
    assert set(found(unofficial)) == {checks.NO_OFFICIAL_PAGE}


def test_a_personal_profile_is_found_next_to_the_page():
    profile = PresenceState(
        id=2, kind="profile", is_official=False, url="https://facebook.com/kpu.bombana"
    )
    result = found(GOOD_PAGE, profile)
    assert result == {checks.PERSONAL_PROFILE: {"url": "https://facebook.com/kpu.bombana"}}
    assert checks.CHECKS_BY_CODE[checks.PERSONAL_PROFILE].severity == "blocker"


def test_what_cannot_be_decided_is_not_decided():
    never_read = PresenceState(
        id=1, kind="page", is_official=True, token=TokenState(is_valid=None, expires_at=None)
    )
    evaluation = unit_evaluate(
        UnitState(code="74.06", expected_name=EXPECTED, presences=(never_read,)), now=NOW
    )
    assert evaluation.found == []
    decided = {code for _, code in evaluation.decided}
    assert decided == {checks.NO_OFFICIAL_PAGE, checks.PAGE_NOT_CONNECTED, checks.PAGE_UNREACHABLE}
    assert evaluation.presence_ids == {1}


def test_the_score_weighs_blockers_heavily_and_floors_at_zero():
    assert checks.unit_score([]) == 100
    assert checks.unit_score([checks.NAME_MISMATCH]) == 90
    assert checks.unit_score([checks.PAGE_UNPUBLISHED]) == 75
    assert checks.unit_score([checks.COVER_MISSING]) == 97
    assert checks.unit_score([checks.NO_OFFICIAL_PAGE]) == 0
    assert checks.unit_score([checks.PAGE_UNPUBLISHED] * 5) == 0
    assert checks.unit_score(["a_check_that_no_longer_exists"]) == 100


def test_no_page_never_scores_better_than_a_page_with_warnings():
    warnings = [c.code for c in checks.CHECKS if c.severity == "warning"]
    assert checks.unit_score([checks.NO_OFFICIAL_PAGE]) <= checks.unit_score(warnings)


def test_every_check_has_texts_and_known_dependencies():
    codes = {check.code for check in checks.CHECKS}
    assert len(codes) == len(checks.CHECKS)
    for check in checks.CHECKS:
        assert check.severity in checks.SEVERITY_WEIGHTS
        assert set(check.depends_on) <= codes
        with translation.override("id"):
            for text in (check.title, check.message_for({}), check.fix_for({})):
                assert str(text).strip()


def test_missing_params_show_a_dash_rather_than_failing():
    check = checks.CHECKS_BY_CODE[checks.NO_RECENT_POST]
    assert "—" in check.message_for({"last": ""})
    assert "2026-01-31" in check.message_for({"last": "2026-01-31"})
