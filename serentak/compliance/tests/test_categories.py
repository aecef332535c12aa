"""Each category of the shipped rulebook, with positive and negative examples and dates."""

from __future__ import annotations

import pytest

from serentak.compliance.checker import UnitContext, verdict
from serentak.compliance.tests.helpers import findings, rules, wib


def test_it_blocks_an_n95_sale_in_april_2020_but_not_in_2024():
    text = "Jual masker N95 murah, stok terbatas!"
    assert "covid-masker-medis" in rules(text, wib(2020, 4, 1, 10))
    assert verdict(findings(text, wib(2020, 4, 1, 10))) == "block"
    assert findings(text, wib(2024, 5, 1, 10)) == []


def test_it_allows_cloth_masks_from_10_june_2020():
    text = "Ready masker kain motif batik, bisa dicuci."
    assert rules(text, wib(2020, 4, 1, 10)) == {"covid-masker-semua"}
    assert findings(text, wib(2020, 7, 1, 10)) == []
    assert findings(text, wib(2020, 6, 10, 0)) == []
    assert rules(text, wib(2020, 6, 9, 23, 59)) == {"covid-masker-semua"}


def test_it_adds_sanitiser_on_19_march_2020():
    text = "Dijual hand sanitizer 100 ml, harga grosir."
    assert findings(text, wib(2020, 3, 18, 12)) == []
    assert rules(text, wib(2020, 3, 20, 12)) == {"covid-sanitiser-alat-tes"}


def test_a_face_mask_for_skin_is_not_a_medical_supply():
    assert findings("Promo masker wajah organik untuk kulit kering", wib(2020, 4, 1)) == []


@pytest.mark.parametrize(
    "text", ["Ayo coblos nomor 2!", "Dukung paslon kita", "Jangan pilih partai X, ya"]
)
def test_it_blocks_taking_sides_in_an_election(text):
    assert rules(text) == {"netralitas-dukungan"}
    assert verdict(findings(text)) == "block"


def test_voter_education_on_the_ballot_is_not_taking_sides():
    assert findings("Simulasi pendidikan pemilih: coblos nomor 2 pada contoh surat suara.") == []
    assert findings("Ayo gunakan hak pilih Anda pada 14 Februari.") == []


def test_an_exception_only_covers_its_own_sentence():
    found = findings("Simulasi: coblos nomor 2. Besok, coblos nomor 2 ya!")
    assert [f.span for f in found] == [(33, 45)]


@pytest.mark.parametrize(
    ("at", "blocked"),
    [
        (wib(2024, 2, 10, 23, 59), False),
        (wib(2024, 2, 11, 0, 0), True),
        (wib(2024, 2, 13, 23, 59), True),
        (wib(2024, 2, 14, 0, 0), False),
        (wib(2024, 11, 24, 0, 0), True),
        (wib(2024, 11, 26, 23, 59), True),
        (wib(2024, 11, 27, 0, 1), False),
        (wib(2024, 11, 23, 23, 59), False),
    ],
)
def test_campaign_content_is_blocked_in_the_quiet_period_only(at, blocked):
    text = "Simak visi misi dan program kerja paslon kami."
    assert ("masa-tenang-kampanye" in rules(text, at)) is blocked


def test_the_quiet_period_is_in_wib_whatever_the_offset_given():
    # 10 Feb 2024 17:00 UTC is 11 Feb 00:00 WIB: already quiet.
    import datetime as dt

    at = dt.datetime(2024, 2, 10, 17, 0, tzinfo=dt.UTC)
    assert "masa-tenang-kampanye" in rules("Ini visi misi kami", at)


def test_reporting_the_quiet_period_rules_is_not_campaigning():
    assert (
        findings("Selama masa tenang dilarang berkampanye di media sosial.", wib(2024, 2, 12)) == []
    )


@pytest.mark.parametrize(
    ("at", "blocked"),
    [
        (wib(2024, 2, 14, 14, 59), True),
        (wib(2024, 2, 14, 15, 0), False),
        (wib(2024, 11, 27, 9, 0), True),
        (wib(2024, 11, 27, 16, 0), False),
        (wib(2024, 2, 13, 14, 0), False),
        (wib(2024, 3, 1, 10, 0), False),
    ],
)
def test_quick_count_results_wait_until_15_00_wib_on_voting_day(at, blocked):
    text = "Hasil quick count sementara: paslon 01 unggul 52 persen."
    assert ("hitung-cepat-sebelum-1500" in rules(text, at)) is blocked


@pytest.mark.parametrize(
    "text",
    [
        "Daftar sekarang di situs toto terpercaya",
        "Main slot gacor malam ini pasti maxwin",
        "Judi online deposit pulsa tanpa potongan",
    ],
)
def test_it_blocks_gambling(text):
    assert rules(text) == {"judi-online"}


def test_a_campaign_against_online_gambling_is_allowed():
    assert findings("Stop judi online! Bahaya judi online mengintai keluarga.") == []


def test_it_blocks_drugs_weapons_and_hate_speech():
    assert rules("Jual sabu dan pil ekstasi, hubungi admin") == {"narkoba"}
    assert rules("Jual senpi rakitan murah") == {"senjata"}
    assert rules("Ayo bakar gereja itu!") == {"sara-hasutan"}
    assert findings("Gereja dan masjid bergotong royong membersihkan TPS.") == []


def test_profanity_warns_but_a_sniffer_dog_does_not():
    assert verdict(findings("Dasar bangsat kau!")) == "warn"
    assert findings("Anjing pelacak membantu polisi mengamankan gudang logistik.") == []


@pytest.mark.parametrize(
    "text", ["Like dan share ya!", "Tag 5 teman kamu", "Bagikan ke 10 grup WA"]
)
def test_engagement_bait_warns(text):
    assert rules(text) == {"umpan-interaksi"}
    assert verdict(findings(text)) == "warn"


def test_an_ordinary_announcement_is_ok():
    text = (
        "KPU Kabupaten Bombana menggelar bimbingan teknis KPPS pada Sabtu, 10 Februari 2024 "
        "pukul 09.00 WITA di aula kantor. Informasi: kpu-bombanakab.go.id."
    )
    assert findings(text, wib(2024, 2, 12)) == []


def test_phone_numbers_warn_except_the_units_own():
    text = "Info: 0812-3456-7890 atau +62 813 1111 2222 atau 6281299998888."
    assert [f.excerpt for f in findings(text)] == [
        "0812-3456-7890",
        "+62 813 1111 2222",
        "6281299998888",
    ]
    assert verdict(findings(text)) == "warn"
    desk = UnitContext(code="74.06", phones=("081234567890", "+6281311112222"))
    assert [f.excerpt for f in findings(text, unit=desk)] == ["6281299998888"]


def test_scope_limits_a_rule_to_its_institutions(tmp_path):
    from serentak.compliance.checker import check
    from serentak.compliance.rulebook import load_rulebook

    (tmp_path / "r.yaml").write_text(
        "rules:\n  - id: x\n    category: c\n    severity: warn\n    patterns: [{phrase: rapat}]\n"
        "    explanation: e\n    source: s\n    scope: {institutions: [bawaslu]}\n"
    )
    book = load_rulebook(tmp_path)
    at = wib(2025, 1, 1)
    assert check("rapat", at=at, unit=UnitContext(institution="kpu"), rulebook=book) == []
    assert check("rapat", at=at, unit=UnitContext(institution="bawaslu"), rulebook=book)
