"""The originality score: how much of a unit's post is its own text, and its command."""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import unicodedata

import pytest
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from serentak.content.cli import originality as originality_cli
from serentak.content.cli.bench import sample_text
from serentak.content.originality import originality, originality_band, words

SOURCE = sample_text("kpu-bombana-workshop-2021-11-10.txt")
PARAGRAPHS = SOURCE.split("\n\n")

# The same news told again in other words, keeping its facts (names, places, the platform).
REWRITTEN = """Pelatihan Pengelolaan Halaman Facebook untuk Satker KPU Se-Indonesia

Bombana — Sebagai bagian dari penguatan kehumasan, Biro Partisipasi dan Humas KPU RI
menggelar pelatihan daring pengaturan halaman Facebook resmi bagi jajaran KPU di daerah.
Kegiatan berlangsung Rabu sore lewat Zoom dengan menghadirkan perwakilan Meta untuk kawasan
Asia Pasifik sebagai pemateri.

Karena jumlah peserta dari seluruh provinsi dan kabupaten/kota begitu besar, panitia
membaginya ke dalam tiga sesi. Tim kami dari Bombana ikut pada sesi kedua.

Pemateri menekankan pentingnya halaman resmi ketimbang profil pribadi. Profil perorangan
yang dipakai atas nama instansi mudah dibekukan Facebook dan rentan dibobol pihak tak
bertanggung jawab.

Moderator menjelaskan bahwa unggahan dari pusat merupakan sarana pendidikan pemilih,
sekaligus bukti bahwa penyelenggara tetap bekerja meski tahapan pemilihan belum dimulai.
Ia meminta satuan kerja di daerah memaklumi derasnya arus materi dari Jakarta.

Pihak biro juga mempersilakan materi pusat diolah ulang sesuai kekhasan setempat, misalnya
memakai bahasa daerah, agar tidak sekadar disalin begitu saja.

Sesi tanya jawab berlangsung hangat. Verifikasi lencana biru akan diurus langsung oleh
pusat. Di akhir acara, pemateri mengingatkan agar pengelola akun rajin menelaah aturan
komunitas, mencontohkan penertiban iklan masker bertarif tinggi saat pandemi.

Peserta mengusulkan pelatihan lanjutan serta wadah diskusi bersama bagi admin media sosial.
"""

UNRELATED = (
    "Harga cabai rawit di pasar tradisional Kendari naik tajam sepekan terakhir. Pedagang "
    "menyebut pasokan dari petani menurun akibat hujan deras yang merusak tanaman. Warga "
    "berharap pemerintah segera menggelar operasi pasar agar harga kembali stabil."
)

LOCAL_GREETING = (
    "Mombe'ito! Tabe' sahabat pemilih Bombana. KPU Kabupaten Bombana mengikuti workshop ini "
    "dari kantor di Rumbia bersama operator dari Poleang dan Kabaena."
)


def test_identical_text_scores_zero():
    assert originality(SOURCE, SOURCE) == 0.0


def test_only_whitespace_punctuation_and_case_changed_scores_zero():
    variant = re.sub(r"[.,:\"()]", " ", SOURCE.upper()).replace(" ", "  \n ")
    assert originality(SOURCE, variant) == 0.0
    curly = SOURCE.replace('"', "“").replace("\xa0", " ")
    assert originality(SOURCE, curly) == 0.0


def test_reordered_paragraphs_are_a_small_change():
    shuffled = PARAGRAPHS[:]
    random.Random(1).shuffle(shuffled)
    score = originality(SOURCE, "\n\n".join(shuffled))
    assert 0.0 < score < 0.3


def test_a_full_rewrite_scores_near_one():
    assert originality(SOURCE, REWRITTEN) > 0.9
    assert originality(SOURCE, UNRELATED) > 0.95


def test_a_local_paragraph_with_regional_words_earns_a_partial_score():
    with_greeting = LOCAL_GREETING + "\n\n" + SOURCE
    score = originality(SOURCE, with_greeting)
    assert 0.02 < score < 0.4
    # A larger local share earns more; the greeting alone is nearly all new (it shares
    # "KPU Kabupaten Bombana mengikuti" with the source).
    longer = LOCAL_GREETING + "\n\n" + "\n\n".join(PARAGRAPHS[:6])
    assert originality(SOURCE, longer) > score
    assert 0.8 < originality(SOURCE, LOCAL_GREETING) < 1.0


def test_regional_words_are_words():
    assert words("Mombe'ito! Tabe', sahabat.") == ["mombe", "ito", "tabe", "sahabat"]
    assert words("Rabu (10/11/2021) pukul 14.00 WITA") == [
        "rabu", "10", "11", "2021", "pukul", "14", "00", "wita",
    ]  # fmt: skip


def test_cutting_the_source_down_is_still_copying():
    # Only the shingles at the cut (the text's new end) are new.
    assert originality(SOURCE, "\n\n".join(PARAGRAPHS[:3])) < 0.05


def test_empty_texts():
    assert originality("", "") == 0.0
    assert originality(SOURCE, "") == 1.0
    assert originality("", "Tabe'") == 1.0
    assert originality("...", " !? ") == 0.0
    assert originality("Ya", "ya.") == 0.0
    assert originality("Ya", "Tidak") == 1.0


def test_the_score_grows_as_more_of_the_text_is_rewritten():
    sentences = re.split(r"(?<=[.!?])\s+", SOURCE)
    vocabulary = words(REWRITTEN)
    rng = random.Random(3)
    rewritten = [" ".join(rng.sample(vocabulary, 12)) + "." for _ in sentences]
    scores = []
    for share in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        count = round(len(sentences) * share)
        variant = " ".join(rewritten[:count] + sentences[count:])
        scores.append(originality(SOURCE, variant))
    assert scores == sorted(scores)
    assert len(set(scores)) == len(scores)
    assert scores[0] == 0.0
    assert scores[-1] > 0.9


def test_unicode_is_normalised_and_case_folded():
    fullwidth = "\uff2b\uff30\uff35 provinsi SULAWESI tenggara"
    assert originality("KPU Provinsi Sulawesi Tenggara", fullwidth) == 0.0
    assert originality("Straße Café", "STRASSE cafe\u0301") == 0.0
    assert originality("Salam 🙏 dari Bombana", "salam dari bombana") == 0.0


def test_the_fast_tokeniser_agrees_with_the_regular_expression():
    pattern = re.compile(r"[^\W_]+")
    alphabet = [*"aZ09 _-.,'\"\n\t", "\xa0", "é", "e\u0301", "“", "”", "\u2019", "—", "🙏"]
    alphabet += ["ﬁ", "İ", "ß", "\u2028", "\u3000", "\u0661", "Ⅻ", "\u200b", "\ufeff"]
    alphabet += ["\x1c", "…", "•"]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(25)))
        expected = pattern.findall(unicodedata.normalize("NFKC", text).casefold())
        assert words(text) == expected, repr(text)


@pytest.mark.parametrize(
    ("score", "band"),
    [(0.0, "copied"), (0.099, "copied"), (0.1, "light"), (0.399, "light"), (0.4, "localised"),
     (1.0, "localised")],
)  # fmt: skip
def test_bands_for_the_centres_view(score, band):
    assert originality_band(score) == band


# --- serentak content originality -----------------------------------------------------------


def run_originality(*args: str) -> str:
    parser = argparse.ArgumentParser()
    originality_cli.register(parser.add_subparsers())
    options = vars(parser.parse_args(["originality", *args]))
    out = io.StringIO()
    options["handler"](BaseCommand(stdout=out), options)
    return out.getvalue().strip()


def test_the_command_prints_the_score_as_json(tmp_path):
    source, variant = tmp_path / "source.txt", tmp_path / "variant.txt"
    source.write_text(SOURCE, encoding="utf-8")
    variant.write_bytes("\ufeff".encode() + SOURCE.encode())  # a BOM is tolerated
    assert json.loads(run_originality("--source", str(source), "--variant", str(variant),
                                      "--json")) == {"score": 0.0}  # fmt: skip
    variant.write_text(UNRELATED, encoding="utf-8")
    payload = json.loads(
        run_originality("--source", str(source), "--variant", str(variant), "--json")
    )
    assert set(payload) == {"score"}
    assert payload["score"] == 1.0


def test_the_command_prints_the_score_and_its_band(tmp_path):
    source, variant = tmp_path / "source.txt", tmp_path / "variant.txt"
    source.write_text(SOURCE, encoding="utf-8")
    variant.write_text(REWRITTEN, encoding="utf-8")
    assert re.fullmatch(r"0\.9\d\d \(localised\)", run_originality(
        "--source", str(source), "--variant", str(variant)))  # fmt: skip


def test_the_command_names_a_missing_or_unreadable_file(tmp_path):
    source = tmp_path / "source.txt"
    source.write_text("Tabe'", encoding="utf-8")
    with pytest.raises(CommandError, match=r"--variant: no file '.*nope\.txt'"):
        run_originality("--source", str(source), "--variant", str(tmp_path / "nope.txt"))
    with pytest.raises(CommandError, match="is a folder"):
        run_originality("--source", str(tmp_path), "--variant", str(source))
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Café".encode("latin-1"))
    with pytest.raises(CommandError, match=r"--source: .* is not UTF-8 text"):
        run_originality("--source", str(latin), "--variant", str(source))


def test_serentak_content_originality_is_wired_to_this_command(tmp_path):
    source, variant = tmp_path / "source.txt", tmp_path / "variant.txt"
    source.write_text(SOURCE, encoding="utf-8")
    variant.write_text(LOCAL_GREETING + "\n\n" + SOURCE, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "content", "originality", "--source", str(source), "--variant", str(variant), "--json",
        stdout=out,
    )  # fmt: skip
    expected = round(originality(SOURCE, variant.read_text(encoding="utf-8")), 4)
    assert json.loads(out.getvalue()) == {"score": expected}
    assert 0.0 < expected < 0.4
