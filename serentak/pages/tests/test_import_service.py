"""`presences_import` and `presence_set_kind`: checking rows, writing all or nothing, upserts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from serentak.core.models import ChangeLogEntry
from serentak.core.services import changelog_for
from serentak.pages.models import Presence
from serentak.pages.services.imports import (
    ImportFailed,
    RowsFile,
    presence_set_kind,
    presences_import,
)

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files" / "presences"
ID = "100064123456789"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def csv_file(*rows: str, header: str = "unit_code,url") -> RowsFile:
    return RowsFile(data=("\n".join([header, *rows]) + "\n").encode(), filename="pages.csv")


def snapshot() -> tuple[object, ...]:
    return (
        list(Presence.objects.order_by("pk").values_list("pk", "unit_id", "kind", "canonical_url")),
        ChangeLogEntry.objects.count(),
    )


def errors(report) -> dict[int, str]:
    return {row.line: row.error for row in report.rows if row.error}


def test_it_registers_every_row_of_a_good_file(kpu, unit):
    report = presences_import(
        institution=kpu,
        rows_source=csv_file(
            "74.06,facebook.com/KPU.Bombana",
            f"74.02,https://m.facebook.com/profile.php?id={ID}&mibextid=ZbWKwL",
            "74.71,https://www.facebook.com/groups/123456/permalink/789/",
            "74.72,https://www.facebook.com/pages/KPU-Baubau/123456789012345",
        ),
    )
    assert report.written
    assert report.counts == {
        "created": 4,
        "updated": 0,
        "linked": 0,
        "unchanged": 0,
        "invalid": 0,
    }
    bombana = Presence.objects.get(unit=unit("74.06"))
    assert bombana.canonical_url == "https://www.facebook.com/kpu.bombana"
    assert bombana.url == "facebook.com/KPU.Bombana"
    assert bombana.username == "kpu.bombana"
    assert (bombana.kind, bombana.source, bombana.match_status) == (
        "unknown-needs-lookup",
        "import",
        "confirmed",
    )
    assert bombana.institution == kpu
    assert not bombana.is_official
    konawe = Presence.objects.get(unit=unit("74.02"))
    assert konawe.canonical_url == f"https://www.facebook.com/profile.php?id={ID}"
    assert konawe.page_id == ""  # a number is not known to be a Page's
    group = Presence.objects.get(unit=unit("74.71"))
    assert (group.kind, group.username) == ("group", "")
    page = Presence.objects.get(unit=unit("74.72"))
    assert (page.kind, page.page_id) == ("page", "123456789012345")

    entry = changelog_for(bombana).get()
    assert (entry.action, entry.source) == ("create", "pages import")
    assert entry.changes["unit"] == [None, "74.06"]


def test_it_reads_an_indonesian_excel_csv_with_a_bom_and_semicolons(kpu, unit):
    report = presences_import(institution=kpu, rows_source=FILES / "excel_semicolon_bom.csv")
    assert [(r.line, r.unit_code, r.kind, r.canonical_url) for r in report.rows] == [
        (2, "74.06", "unknown-needs-lookup", "https://www.facebook.com/kpu.bombana"),
        (3, "74.02", "unknown-needs-lookup", f"https://www.facebook.com/profile.php?id={ID}"),
        (4, "74.71", "group", "https://www.facebook.com/groups/kpukendari"),
    ]
    assert report.written
    assert Presence.objects.count() == 3


def test_it_reads_a_workbook_and_repairs_codes_excel_made_numbers(kpu, unit, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append(["URL", "Unit Code"])  # any order, any case
    sheet.append(["https://www.facebook.com/kpubutonutara", 74.1])  # 74.10, shown as 74.1
    sheet.append(["https://www.facebook.com/kpusultra", 74])
    sheet.append([None, None])  # blank rows are skipped
    sheet.append(["https://www.facebook.com/kpukolaka", "74.01"])
    path = tmp_path / "pages.xlsx"
    book.save(path)

    report = presences_import(institution=kpu, rows_source=path)
    assert [(r.line, r.unit_code) for r in report.rows] == [(2, "74.10"), (3, "74"), (5, "74.01")]
    assert report.written
    assert Presence.objects.get(unit=unit("74.10")).username == "kpubutonutara"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(kpu):
    before = snapshot()
    report = presences_import(institution=kpu, rows_source=FILES / "bad_rows.csv")
    assert snapshot() == before
    assert not report.written
    assert errors(report) == {
        3: "the unit code is empty",
        4: "unknown unit code 99.99",
        5: "not a Facebook address (www.instagram.com)",
        6: "this is a link to a video that does not show whose it is: give the address of "
        "the Page, profile or group instead",
        7: "the same account as line 2",  # KPU.Bombana is kpubombana
        8: "the address is empty",
    }
    assert [row.line for row in report.valid] == [2, 9]
    not_facebook = next(row for row in report.rows if row.line == 5)
    assert not_facebook.kind == "not-facebook"


def test_a_row_with_a_bad_unit_and_a_bad_address_gets_both_errors(kpu):
    report = presences_import(institution=kpu, rows_source=csv_file("99.99,Bombana"))
    assert errors(report) == {2: 'unknown unit code 99.99; "Bombana" is not a web address'}


def test_a_code_excel_made_a_date_is_reported(kpu, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.append(["unit_code", "url"])
    sheet.append([dt.date(2024, 6, 14), "https://www.facebook.com/kpubombana"])  # was "6.14"
    path = tmp_path / "dates.xlsx"
    book.save(path)
    report = presences_import(institution=kpu, rows_source=path)
    assert "Excel turned this code into a date" in (report.rows[0].error or "")


def test_skip_invalid_writes_the_good_rows_and_reports_the_others(kpu, unit):
    report = presences_import(
        institution=kpu, rows_source=FILES / "bad_rows.csv", skip_invalid=True
    )
    assert report.written
    assert len(report.invalid) == 6
    assert sorted(Presence.objects.values_list("unit__code", flat=True)) == ["74.01", "74.06"]


def test_a_dry_run_plans_everything_and_writes_nothing(kpu):
    before = snapshot()
    report = presences_import(
        institution=kpu, rows_source=csv_file("74.06,fb.com/kpubombana"), dry_run=True
    )
    assert snapshot() == before
    assert not report.written
    assert report.rows[0].action == "create"
    assert report.rows[0].canonical_url == "https://www.facebook.com/kpubombana"


def test_importing_twice_changes_nothing_the_second_time(kpu):
    source = csv_file("74.06,https://www.facebook.com/kpubombana", f"74.02,facebook.com/{ID}")
    presences_import(institution=kpu, rows_source=source)
    before = snapshot()
    report = presences_import(institution=kpu, rows_source=source)
    assert snapshot() == before
    assert report.counts["unchanged"] == 2


def test_the_same_account_written_differently_updates_instead_of_duplicating(kpu, unit):
    presences_import(institution=kpu, rows_source=csv_file("74.06,facebook.com/kpubombana"))
    report = presences_import(
        institution=kpu, rows_source=csv_file("74.06,https://m.facebook.com/KPU.Bombana?ref=x")
    )
    assert report.counts["updated"] == 1
    presence = Presence.objects.get()
    assert presence.canonical_url == "https://www.facebook.com/kpu.bombana"
    assert presence.url == "https://m.facebook.com/KPU.Bombana?ref=x"
    entry = changelog_for(presence).filter(action="update").get()
    assert entry.source == "pages import"
    assert entry.changes["canonical_url"] == [
        "https://www.facebook.com/kpubombana",
        "https://www.facebook.com/kpu.bombana",
    ]


def test_a_proof_of_a_page_settles_an_unknown_kind_but_never_a_settled_one(kpu, unit):
    presences_import(
        institution=kpu,
        rows_source=csv_file(f"74.06,facebook.com/{ID}", f"74.02,facebook.com/{ID[:-1]}"),
    )
    konawe = Presence.objects.get(unit=unit("74.02"))
    presence_set_kind(actor=_superuser(), presence=konawe, kind="profile")
    presences_import(
        institution=kpu,
        rows_source=csv_file(
            f"74.06,https://www.facebook.com/pages/KPU/{ID}",
            f"74.02,https://www.facebook.com/pages/KPU/{ID[:-1]}",
        ),
    )
    assert Presence.objects.get(unit=unit("74.06")).kind == "page"
    assert Presence.objects.get(unit=unit("74.02")).kind == "profile"


def test_a_connected_page_with_the_same_username_or_id_is_linked_not_duplicated(kpu, unit):
    by_username = Presence.objects.create(
        institution=kpu,
        kind="page",
        source="connect",
        page_id="555000111",
        username="KPUBombana",
        name="KPU Kabupaten Bombana",
        match_status="unmatched",
    )
    by_id = Presence.objects.create(
        institution=kpu,
        kind="page",
        source="connect",
        page_id=ID,
        name="KPU Kabupaten Konawe",
        proposed_unit=unit("74.01"),
        match_status="proposed",
    )
    report = presences_import(
        institution=kpu,
        rows_source=csv_file(
            "74.06,https://www.facebook.com/kpu.bombana/posts/1",
            f"74.02,https://www.facebook.com/people/KPU-Konawe/{ID}/",
        ),
    )
    assert report.counts["linked"] == 2
    assert Presence.objects.count() == 2
    by_username.refresh_from_db()
    by_id.refresh_from_db()
    assert (by_username.unit, by_username.match_status) == (unit("74.06"), "confirmed")
    assert (by_id.unit, by_id.match_status) == (unit("74.02"), "confirmed")
    assert (by_username.kind, by_username.source) == ("page", "connect")  # the Graph's word
    assert by_username.is_official  # as when confirmed on the connect screen
    entry = changelog_for(by_id).get()
    assert entry.changes["unit"] == [None, "74.02"]


def test_a_linked_page_does_not_take_the_place_of_an_official_presence(kpu, unit):
    Presence.objects.create(
        institution=kpu, unit=unit("74.06"), kind="page", source="connect", page_id="1",
        is_official=True,
    )  # fmt: skip
    second = Presence.objects.create(
        institution=kpu, kind="page", source="connect", page_id="2", username="kpubombana2"
    )
    presences_import(institution=kpu, rows_source=csv_file("74.06,facebook.com/kpubombana2"))
    second.refresh_from_db()
    assert (second.unit, second.is_official) == (unit("74.06"), False)


def test_an_account_registered_for_another_unit_is_an_error(kpu, unit):
    presences_import(institution=kpu, rows_source=csv_file("74.02,facebook.com/kpukonawe"))
    before = snapshot()
    report = presences_import(
        institution=kpu, rows_source=csv_file("74.06,facebook.com/kpu.konawe")
    )
    assert errors(report) == {2: "this account is already registered for the unit 74.02"}
    assert snapshot() == before


def test_two_rows_reaching_one_known_presence_by_different_names_are_duplicates(kpu, unit):
    Presence.objects.create(
        institution=kpu, unit=unit("74.06"), kind="page", source="connect", page_id=ID,
        username="kpubombana",
    )  # fmt: skip
    report = presences_import(
        institution=kpu,
        rows_source=csv_file("74.06,facebook.com/kpubombana", f"74.06,fb.com/profile.php?id={ID}"),
    )
    assert errors(report) == {3: "the same account as line 2"}


def test_an_actor_imports_only_for_the_units_they_may_change(kpu, persona):
    before = snapshot()
    report = presences_import(
        institution=kpu,
        actor=persona("sultra"),
        rows_source=csv_file(
            "74.06,facebook.com/kpubombana",
            "73.01,facebook.com/kpuselayar",
        ),
    )
    assert errors(report) == {3: "you may not change the unit 73.01"}
    assert snapshot() == before
    report = presences_import(
        institution=kpu,
        actor=persona("bombana"),  # an editor: writes content, does not change the unit
        rows_source=csv_file("74.06,facebook.com/kpubombana"),
    )
    assert errors(report) == {2: "you may not change the unit 74.06"}


def test_an_import_by_a_person_is_logged_under_their_name(kpu, persona):
    sultra = persona("sultra")
    presences_import(
        institution=kpu, actor=sultra, rows_source=csv_file("74.06,facebook.com/kpubombana")
    )
    assert changelog_for(Presence.objects.get()).get().actor == sultra


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"unit_code,url\n", "header but no rows"),
        (b"code,address\n74.06,facebook.com/kpubombana\n", "missing column unit_code"),
        (b"unit_code,url,URL\n74.06,a,b\n", "appears twice"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel"),
    ],
)
def test_a_file_that_cannot_be_used_fails_as_a_whole(kpu, content, words):
    with pytest.raises(ImportFailed) as caught:
        presences_import(institution=kpu, rows_source=RowsFile(content, "pages.csv"))
    assert words in " ".join(str(p) for p in caught.value.problems)


def test_an_unreadable_path_is_reported(kpu, tmp_path):
    with pytest.raises(ImportFailed, match="cannot read the file"):
        presences_import(institution=kpu, rows_source=tmp_path / "missing.csv")


# --- presence_set_kind -----------------------------------------------------------------------


def _superuser():
    from serentak.accounts.models import User

    return User.objects.create_superuser(username="root", email="root@example.org")


@pytest.fixture
def unknown(kpu, unit) -> Presence:
    presences_import(institution=kpu, rows_source=csv_file("74.06,facebook.com/kpubombana"))
    return Presence.objects.get()


def test_a_province_admin_settles_an_unknown_as_a_personal_profile(unknown, persona):
    sultra = persona("sultra")
    presence_set_kind(actor=sultra, presence=unknown, kind="profile")
    unknown.refresh_from_db()
    assert unknown.kind == "profile"
    entry = changelog_for(unknown).filter(action="update").get()
    assert (entry.actor, entry.changes) == (sultra, {"kind": ["unknown-needs-lookup", "profile"]})


def test_setting_the_same_kind_again_logs_nothing(unknown, persona):
    presence_set_kind(actor=persona("pusat"), presence=unknown, kind="page")
    presence_set_kind(actor=persona("pusat"), presence=unknown, kind="page")
    assert changelog_for(unknown).filter(action="update").count() == 1


@pytest.mark.parametrize("username", ["bombana", "konawe", "tamu"])
def test_only_those_who_may_change_the_unit_set_a_kind(unknown, persona, username):
    with pytest.raises(PermissionDenied):
        presence_set_kind(actor=persona(username), presence=unknown, kind="page")


def test_a_kind_is_one_a_person_can_tell(unknown, persona):
    for kind in ("not-facebook", "unknown-needs-lookup", "nonsense"):
        with pytest.raises(ValidationError):
            presence_set_kind(actor=persona("pusat"), presence=unknown, kind=kind)


def test_a_connected_page_stays_a_page(kpu, unit, persona):
    page = Presence.objects.create(
        institution=kpu, unit=unit("74.06"), kind="page", source="connect", page_id="1"
    )
    with pytest.raises(ValidationError):
        presence_set_kind(actor=persona("pusat"), presence=page, kind="profile")
