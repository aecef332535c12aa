from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from serentak.core.models import ChangeLogEntry
from serentak.org import importers
from serentak.org.importers import ImportFailed, units_import_file
from serentak.org.models import Institution, Unit
from serentak.org.rows import Problem, RowsInvalid

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files" / "units"

HEADER = ["code", "parent_code", "name", "kind", "timezone"]
BAWASLU = [
    ["00", "", "Bawaslu RI", "centre", "Asia/Jakarta"],
    ["74", "00", "Bawaslu Provinsi Sulawesi Tenggara", "province", "Asia/Makassar"],
    ["73", "00", "Bawaslu Provinsi Sulawesi Selatan", "province", "Asia/Makassar"],
    ["74.06", "74", "Bawaslu Kabupaten Bombana", "regency", "Asia/Makassar"],
    ["74.71", "74", "Bawaslu Kota Kendari", "city", "Asia/Makassar"],
    ["73.71", "73", "Bawaslu Kota Makassar", "city", "Asia/Makassar"],
]


DASH, APOSTROPHE = "\u2013", "\u2019"  # what Windows-1252 has at 0x96 and 0x92
CYRILLIC = "\u0411\u0430\u0432\u0430\u0441\u043b\u0443 \u041c\u043e\u0441\u043a\u0432\u0430"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",") -> Path:
    path.write_text("\n".join(delimiter.join(row) for row in [HEADER, *rows]) + "\n")
    return path


def tree(slug: str = "bawaslu") -> dict[str, tuple[str | None, str, str, str]]:
    """code -> (parent code, kind, name, time zone) of the active units."""
    units = {u.path: u for u in Unit.objects.filter(institution__slug=slug, is_active=True)}
    steplen = Unit.steplen
    return {
        u.code: (
            units[u.path[:-steplen]].code if u.depth > 1 else None,
            u.kind,
            u.name,
            u.timezone,
        )
        for u in units.values()
    }


def snapshot() -> tuple[object, ...]:
    return (
        Institution.objects.count(),
        list(Unit.objects.order_by("pk").values_list("pk", "code", "name", "path", "is_active")),
        ChangeLogEntry.objects.count(),
    )


def failures(path: Path, slug: str = "bawaslu", **kwargs: object) -> list[tuple[int, str]]:
    """Import ``path``, expect it to fail having written nothing; (line, field) of each problem."""
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        units_import_file(path=path, slug=slug, **kwargs)  # type: ignore[arg-type]
    assert snapshot() == before
    problems = caught.value.problems
    assert problems
    assert all(isinstance(p, Problem) and p.message for p in problems)
    return [(p.line, p.field) for p in problems]


def messages(path: Path, slug: str = "bawaslu") -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        units_import_file(path=path, slug=slug)
    return [str(p) for p in caught.value.problems]


# --- Good files ---------------------------------------------------------------------------------


def test_it_creates_a_new_institution_and_its_tree_from_a_csv():
    institution, report = units_import_file(path=FILES / "bawaslu.csv", slug="bawaslu")

    assert institution.slug == "bawaslu"
    assert Institution.objects.get(slug="bawaslu").name == "BAWASLU"
    assert institution.short_name == "BAWASLU"
    assert institution.default_timezone == "Asia/Jakarta"
    assert sorted(report.created) == ["00", "73", "73.71", "74", "74.06", "74.71"]
    assert tree() == {
        "00": (None, "centre", "Bawaslu RI", "Asia/Jakarta"),
        "74": ("00", "province", "Bawaslu Provinsi Sulawesi Tenggara", "Asia/Makassar"),
        "73": ("00", "province", "Bawaslu Provinsi Sulawesi Selatan", "Asia/Makassar"),
        "74.06": ("74", "regency", "Bawaslu Kabupaten Bombana", "Asia/Makassar"),
        "74.71": ("74", "city", "Bawaslu Kota Kendari", "Asia/Makassar"),
        "73.71": ("73", "city", "Bawaslu Kota Makassar", "Asia/Makassar"),
    }
    bombana = Unit.objects.get(institution=institution, code="74.06")
    assert bombana.region_name == "Bawaslu Kabupaten Bombana"
    assert ChangeLogEntry.objects.filter(source="units import").count() == 6
    assert Unit.objects.filter(institution__slug="kpu").count() == 553


def test_it_uses_the_names_given_for_a_new_institution_and_keeps_an_existing_ones():
    institution, _ = units_import_file(
        path=FILES / "bawaslu.csv",
        slug="bawaslu",
        name="Badan Pengawas Pemilihan Umum",
        short_name="Bawaslu",
    )
    assert (institution.name, institution.short_name) == (
        "Badan Pengawas Pemilihan Umum",
        "Bawaslu",
    )

    units_import_file(path=FILES / "bawaslu.csv", slug="bawaslu", name="Something else")
    assert Institution.objects.get(slug="bawaslu").name == "Badan Pengawas Pemilihan Umum"


def test_it_changes_nothing_on_a_second_import():
    units_import_file(path=FILES / "bawaslu.csv", slug="bawaslu")
    before = snapshot()

    _, report = units_import_file(path=FILES / "bawaslu.csv", slug="bawaslu")

    assert not report.changed
    assert report.unchanged == 6
    assert snapshot() == before


def test_it_updates_a_changed_name_in_place_keeping_ids(tmp_path):
    units_import_file(path=FILES / "bawaslu.csv", slug="bawaslu")
    ids = dict(Unit.objects.filter(institution__slug="bawaslu").values_list("code", "id"))
    rows = [list(row) for row in BAWASLU if row[0] != "73.71"]
    rows[4][2] = "Bawaslu Kota Kendari (baru)"

    _, report = units_import_file(path=write_csv(tmp_path / "u.csv", rows), slug="bawaslu")

    assert report.updated == ["74.71"]
    assert report.deactivated == ["73.71"]  # missing from the file: deactivated, never deleted
    assert report.unchanged == 4
    kendari = Unit.objects.get(institution__slug="bawaslu", code="74.71")
    assert kendari.id == ids["74.71"]
    assert (kendari.name, kendari.region_name) == ("Bawaslu Kota Kendari (baru)",) * 2
    assert dict(Unit.objects.filter(institution__slug="bawaslu").values_list("code", "id")) == ids


def test_it_reads_an_indonesian_excel_csv_with_semicolons_and_a_bom():
    # BOM, ';', CRLF, Indonesian kinds, WITA, "asia/makassar", a non-breaking space, a name
    # with a comma, 74.10 saved as 74.1, 73 as 73.0, empty ';;;;' rows at the end.
    units_import_file(path=FILES / "bawaslu-excel-id.csv", slug="bawaslu")

    assert tree() == {
        "00": (None, "centre", "Bawaslu RI", "Asia/Jakarta"),
        "74": ("00", "province", "Bawaslu Provinsi Sulawesi Tenggara", "Asia/Makassar"),
        "73": ("00", "province", "Bawaslu Provinsi Sulawesi Selatan", "Asia/Makassar"),
        "74.06": ("74", "regency", "Bawaslu Kabupaten Bombana, Rumbia", "Asia/Makassar"),
        "74.10": ("74", "regency", "Bawaslu Kabupaten Buton Utara", "Asia/Makassar"),
        "73.71": ("73", "city", "Bawaslu Kota Makassar", "Asia/Makassar"),
    }


def test_it_honours_an_excel_sep_line(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("sep=;\n" + "\n".join(";".join(r) for r in [HEADER, *BAWASLU]) + "\n")

    units_import_file(path=path, slug="bawaslu")

    assert len(tree()) == 6


def write_xlsx(path: Path, rows: list[list[object]], *, header: list[str] = HEADER) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.create_sheet("notes").append(["not", "read"])
    book.save(path)
    return path


def test_it_reads_an_xlsx_whose_codes_excel_made_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "bawaslu.xlsx",
        [
            ["00", None, "Bawaslu RI", "Pusat", "Asia/Jakarta"],
            [74, "00", "  Bawaslu Provinsi Sulawesi Tenggara\u00a0", "provinsi", "Asia/Makassar"],
            [73.0, "00", "Bawaslu Provinsi Sulawesi Selatan", "province", "Asia/Makassar"],
            [],
            [74.06, 74, "Bawaslu Kabupaten Bombana", "kabupaten", "Asia/Makassar"],
            [74.1, 74.0, "Bawaslu Kabupaten Buton Utara", "KABUPATEN", "Asia/Makassar"],
            [73.71, 73, "Bawaslu Kota Makassar", "kota", "Asia/Makassar"],
        ],
    )

    _, report = units_import_file(path=path, slug="bawaslu")

    assert len(report.created) == 6
    assert tree() == {
        "00": (None, "centre", "Bawaslu RI", "Asia/Jakarta"),
        "74": ("00", "province", "Bawaslu Provinsi Sulawesi Tenggara", "Asia/Makassar"),
        "73": ("00", "province", "Bawaslu Provinsi Sulawesi Selatan", "Asia/Makassar"),
        "74.06": ("74", "regency", "Bawaslu Kabupaten Bombana", "Asia/Makassar"),
        "74.10": ("74", "regency", "Bawaslu Kabupaten Buton Utara", "Asia/Makassar"),
        "73.71": ("73", "city", "Bawaslu Kota Makassar", "Asia/Makassar"),
    }


def test_it_reads_utf16_unicode_text_from_excel(tmp_path):
    rows = [list(row) for row in BAWASLU]
    rows[5][2] = f"Bawaslu Kota Makassar {DASH} Ujung Pandang"
    text = "\r\n".join("\t".join(row) for row in [HEADER, *rows]) + "\r\n"
    path = tmp_path / "bawaslu.txt"
    path.write_bytes(text.encode("utf-16"))  # with a BOM, as Excel writes "Unicode text"

    units_import_file(path=path, slug="bawaslu")

    assert tree()["73.71"][2] == f"Bawaslu Kota Makassar {DASH} Ujung Pandang"
    assert len(tree()) == 6


def test_it_reads_a_windows_1252_export(tmp_path):
    rows = [list(row) for row in BAWASLU]
    rows[3][2] = f"Bawaslu Kabupaten Bombana {DASH} Rumbia"
    rows[4][2] = f"Bawaslu Kota Kendari (Ma{APOSTROPHE}rifat)"
    path = tmp_path / "bawaslu.csv"
    path.write_bytes(
        ("\r\n".join(",".join(row) for row in [HEADER, *rows]) + "\r\n").encode("cp1252")
    )

    units_import_file(path=path, slug="bawaslu")

    assert tree()["74.06"][2] == f"Bawaslu Kabupaten Bombana {DASH} Rumbia"
    assert tree()["74.71"][2] == f"Bawaslu Kota Kendari (Ma{APOSTROPHE}rifat)"


def test_it_writes_nothing_on_a_dry_run_but_reports():
    before = snapshot()

    institution, report = units_import_file(
        path=FILES / "bawaslu.csv", slug="bawaslu", dry_run=True
    )

    assert len(report.created) == 6
    assert institution.slug == "bawaslu"
    assert institution.pk is None  # it was never saved
    assert snapshot() == before

    units_import_file(path=FILES / "bawaslu.csv", slug="bawaslu")
    before = snapshot()
    _, report = units_import_file(path=FILES / "bawaslu-excel-id.csv", slug="bawaslu", dry_run=True)
    assert report.created == ["74.10"]
    assert report.deactivated == ["74.71"]
    assert report.updated == ["74.06"]
    assert snapshot() == before


# --- Bad files: every problem, with its line and column, and nothing written ----------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown-parent.csv", [(8, "parent_code")]),
        ("cycle.csv", [(3, "parent_code")]),
        ("duplicate-code.csv", [(8, "code")]),
        ("bad-timezone.csv", [(6, "timezone")]),
        ("empty-name.csv", [(4, "name")]),
        ("missing-column.csv", [(1, "timezone")]),
        ("two-roots.csv", [(4, "parent_code")]),
        ("no-root.csv", [(0, "parent_code"), (2, "parent_code")]),
        ("unknown-kind.csv", [(5, "kind")]),
        ("empty.csv", [(0, "")]),
        ("header-only.csv", [(0, "")]),
        ("csv-named.xlsx", [(0, "")]),
        (
            "several-problems.csv",
            [(3, "name"), (4, "kind"), (5, "timezone"), (6, "code"), (7, "parent_code")],
        ),
    ],
)
def test_it_reports_each_problem_of_a_bad_file_and_writes_nothing(name, expected):
    assert failures(FILES / name) == expected


def test_it_reports_problems_in_words_a_person_can_act_on():
    assert messages(FILES / "unknown-parent.csv") == ["line 8, parent_code: unknown parent 75"]
    assert messages(FILES / "duplicate-code.csv") == [
        "line 8, code: duplicate code 74.06 (first on line 5)"
    ]
    assert messages(FILES / "cycle.csv") == [
        "line 3, parent_code: cycle in the tree: 74 → 74.71 → 74.06 → 74"
    ]
    assert messages(FILES / "missing-column.csv") == ["line 1, timezone: missing column timezone"]
    assert "kecamatan" in messages(FILES / "unknown-kind.csv")[0]
    assert "pusat" in messages(FILES / "unknown-kind.csv")[0]
    assert messages(FILES / "csv-named.xlsx") == [
        "the file is named .xlsx but is a text (CSV) file: rename it to .csv"
    ]
    assert messages(FILES / "empty.csv") == ["the file is empty"]


def test_it_leaves_an_existing_tree_alone_when_a_file_is_bad():
    units_import_file(path=FILES / "bawaslu.csv", slug="bawaslu")
    assert failures(FILES / "several-problems.csv")[0] == (3, "name")
    assert failures(FILES / "header-only.csv") == [(0, "")]  # not "deactivate everything"
    assert len(tree()) == 6


def test_it_refuses_bytes_that_are_not_utf8_nor_windows_1252_with_the_line(tmp_path):
    rows = [list(row) for row in BAWASLU]
    rows[2][2] = CYRILLIC  # a Cyrillic (Windows-1251) export
    path = tmp_path / "bawaslu.csv"
    path.write_bytes(("\n".join(",".join(row) for row in [HEADER, *rows]) + "\n").encode("cp1251"))

    assert failures(path) == [(4, "")]
    assert messages(path) == ["line 4: the file is not UTF-8 (save it as 'CSV UTF-8')"]


def test_it_refuses_bytes_windows_1252_does_not_define(tmp_path):
    path = tmp_path / "bawaslu.csv"
    text = "\n".join(",".join(row) for row in [HEADER, *BAWASLU]) + "\n"
    path.write_bytes(text.encode().replace(b"Bawaslu Kota Kendari", b"Bawaslu \x81\x8d\x9d"))

    assert failures(path) == [(6, "")]


def test_it_does_not_guess_windows_1252_when_a_utf8_bom_says_utf8(tmp_path):
    rows = [list(row) for row in BAWASLU]
    rows[4][2] = f"Bawaslu Kota Kendari {DASH} Baru"
    text = "\n".join(",".join(row) for row in [HEADER, *rows]) + "\n"
    path = tmp_path / "bawaslu.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))

    assert failures(path) == [(6, "")]


def test_it_points_at_an_unclosed_quote(tmp_path):
    rows = [list(row) for row in BAWASLU]
    rows[3][2] = '"Bawaslu Kabupaten Bombana'
    path = write_csv(tmp_path / "bawaslu.csv", rows)

    assert failures(path)[0] == (5, "name")
    assert "line break" in messages(path)[0]


def test_it_refuses_binary_garbage_named_csv(tmp_path):
    path = tmp_path / "bawaslu.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(2000))

    assert failures(path) == [(0, "")]
    assert "not a text (CSV) file" in messages(path)[0]


def test_it_refuses_a_workbook_named_csv(tmp_path):
    path = write_xlsx(tmp_path / "bawaslu.xlsx", [list(row) for row in BAWASLU])
    named_csv = path.rename(tmp_path / "bawaslu.csv")

    assert failures(named_csv) == [(0, "")]
    assert messages(named_csv) == [
        "the file is named .csv but is an Excel workbook: rename it to .xlsx"
    ]


def test_it_refuses_an_old_xls_workbook(tmp_path):
    path = tmp_path / "bawaslu.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))

    assert failures(path) == [(0, "")]
    assert ".xls" in messages(path)[0]


def test_it_refuses_a_damaged_workbook(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", [list(row) for row in BAWASLU]).read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good[: len(good) // 2])
    not_a_workbook = tmp_path / "other.xlsx"
    with io.BytesIO() as buffer:
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        not_a_workbook.write_bytes(buffer.getvalue())

    for path in (truncated, not_a_workbook):
        assert failures(path) == [(0, "")]
        assert "damaged or not an .xlsx file" in messages(path)[0]


def test_it_reports_xlsx_problems_by_row_number_and_column(tmp_path):
    path = write_xlsx(
        tmp_path / "bawaslu.xlsx",
        [
            ["00", None, "Bawaslu RI", "centre", "Asia/Jakarta"],
            [74, "00", "Bawaslu Provinsi Sulawesi Tenggara", "province", "Asia/Makassar"],
            [],
            [dt.date(2024, 1, 11), 74, "Bawaslu Kabupaten Buton", "regency", "Asia/Makassar"],
            [74.06, 74, None, "kabupaten", "Asia/Makassar"],
            [74.71, 47, "Bawaslu Kota Kendari", "kota", None],
        ],
    )

    assert failures(path) == [
        (5, "code"),
        (6, "name"),
        (7, "timezone"),
        (7, "parent_code"),
    ]
    assert "format the column as Text" in messages(path)[0]


def test_it_reports_every_missing_column_and_ignores_extra_ones(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("kode;Nama;parent_code;catatan\n00;;Bawaslu RI;\n")

    assert failures(path) == [(1, "code"), (1, "name"), (1, "kind"), (1, "timezone")]


def test_it_refuses_a_bad_slug_together_with_the_files_problems():
    assert failures(FILES / "unknown-kind.csv", slug="Bawaslu RI") == [
        (0, "institution"),
        (5, "kind"),
    ]


def test_it_reports_a_missing_file(tmp_path):
    assert failures(tmp_path / "nowhere.csv") == [(0, "")]


def test_it_leaves_no_institution_behind_when_the_sync_fails(monkeypatch):
    def failing_sync(**kwargs):
        Unit.objects.add_root(
            {
                "institution": kwargs["institution"],
                "code": "00",
                "kind": "centre",
                "region_name": "x",
                "name": "x",
                "timezone": "Asia/Jakarta",
            }
        )
        raise RowsInvalid([Problem(2, "code", "boom")])

    monkeypatch.setattr(importers, "units_sync", failing_sync)

    assert failures(FILES / "bawaslu.csv") == [(2, "code")]
    assert not Institution.objects.filter(slug="bawaslu").exists()


def test_it_refuses_a_root_other_than_kpus_00():
    # Excel saved KPU's "00" as the number 0: importing must not replace (or deactivate) the
    # 553 units, and says which root the institution has.
    assert failures(FILES / "kpu-root-zero.csv", slug="kpu") == [(2, "code")]
    assert "root unit is 00" in messages(FILES / "kpu-root-zero.csv", slug="kpu")[0]
    assert Unit.objects.filter(institution__slug="kpu", is_active=True).count() == 553


# --- The command line ---------------------------------------------------------------------------


def test_it_imports_from_the_command_line():
    out = io.StringIO()
    call_command(
        "units", "import", str(FILES / "bawaslu.csv"), "--institution", "bawaslu", stdout=out
    )
    assert out.getvalue().startswith("BAWASLU: 6 created, 0 updated, 0 moved")

    out = io.StringIO()
    call_command(
        "units",
        "import",
        str(FILES / "bawaslu-excel-id.csv"),
        "--institution",
        "bawaslu",
        "--dry-run",
        stdout=out,
    )
    assert out.getvalue().startswith("BAWASLU: 1 created, 1 updated, 0 moved, 1 deactivated")
    assert "would be" in out.getvalue()
    assert len(tree()) == 6
    assert "74.10" not in tree()


def test_it_lists_the_problems_of_a_bad_file_on_the_command_line():
    err = io.StringIO()
    path = FILES / "several-problems.csv"
    before = snapshot()

    with pytest.raises(CommandError, match="5 problem"):
        call_command("units", "import", str(path), "--institution", "bawaslu", stderr=err)

    lines = err.getvalue().splitlines()
    assert [line.split(":")[1].strip().split(",")[0] for line in lines] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 7",
    ]
    assert lines[-1] == f"{path}: line 7, parent_code: unknown parent 37"
    assert snapshot() == before
