"""`serentak bench rules`: the checker against a naive one-regex-per-rule loop.

    serentak bench rules [--posts 100000] [--rules 1000] [--seed 1] [--workers 1]
                         [--naive-sample 0]

Generates ``--posts`` realistic ~400-character Indonesian posts (about 1 in 20 carries a
violation, some written evasively) and a rulebook of ``--rules`` rules: 85% phrases, 10%
word lists, 5% regular expressions, plus the shipped detectors. Prints
``{"posts", "rules", "seconds", "naive_seconds", "speedup", "mb_per_s", "workers"}``:
``seconds`` is `check` on every post (normalisation included, compile excluded),
``naive_seconds`` one precompiled regex per rule over the same, already normalised, texts.
With ``--workers 2`` the checker side runs in two processes (fork) and ``seconds`` is wall
time. With ``--naive-sample K`` the naive side runs on the first K posts only and is
extrapolated linearly; the JSON then says ``naive_sampled_posts``. Everything is in memory;
no database. A benchmark, not a test: the suite only checks that it runs.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import random
import re
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from serentak.compliance.checker import check, compile_rulebook
from serentak.compliance.normalize import normalize
from serentak.compliance.rulebook import WIB, Pattern, Rule, Rulebook

AT = dt.datetime(2024, 2, 12, 10, 0, tzinfo=WIB)  # inside a quiet period: more rules apply

SENTENCES = [
    "KPU Kabupaten {place} menggelar rapat koordinasi persiapan pemutakhiran data pemilih "
    "bersama PPK dan PPS se-kabupaten.",
    "Masyarakat {place} diimbau memeriksa namanya di DPT melalui laman cekdptonline.kpu.go.id.",
    "Sosialisasi tahapan pemilihan digelar di aula kantor camat dengan menghadirkan tokoh "
    "masyarakat, pemuda dan penyandang disabilitas.",
    "Ketua KPU {place} menyampaikan terima kasih kepada seluruh jajaran badan ad hoc atas "
    "kerja keras selama rekapitulasi.",
    "Bimbingan teknis KPPS dilaksanakan hari ini, peserta berlatih mengisi formulir "
    "C.Hasil dan menggunakan aplikasi Sirekap.",
    "Jangan lupa datang ke TPS membawa KTP elektronik dan surat pemberitahuan, pukul 07.00 "
    "sampai 13.00 waktu setempat.",
    "Distribusi logistik pemilu ke desa terpencil di {place} menggunakan perahu motor "
    "karena akses jalan terputus banjir.",
    "Informasi lebih lanjut dapat diperoleh di kantor KPU {place} pada jam kerja atau "
    "melalui media sosial resmi kami.",
    "Rapat pleno terbuka penetapan rekapitulasi hasil penghitungan suara tingkat "
    "kabupaten berlangsung tertib dan lancar.",
    "Relawan demokrasi {place} mengajak pemilih pemula untuk menggunakan hak pilihnya "
    "secara cerdas dan bertanggung jawab.",
]
PLACES = ["Bombana", "Konawe", "Kolaka", "Muna", "Buton", "Wakatobi", "Kendari", "Baubau"]
VIOLATIONS = [
    "Yuk main di situs s l o t  g a c o r malam ini, pasti maxwiiin!",
    "Ready masker N95 harga grosir, hubungi 0812-3456-7890.",
    "NIK saya 7406015208900001 mohon dicek ya.",
    "Ayo coblos nomor 2, jangan pilih partai lain!",
    "Kalau setuju, like dan share, tag 5 teman kamu.",
    "jud1 0nl1ne deposit pulsa tanpa potongan.",
]
SYLLABLES = ["ba", "ka", "ra", "ma", "ta", "la", "sa", "pa", "ga", "da", "ni", "ri", "ku",
             "lo", "ne", "to", "su", "wi", "ja", "ho"]  # fmt: skip
COMMERCE = ["jual", "dijual", "ready", "stok", "promo", "order", "grosir"]


def register(sub: Any) -> None:
    parser = sub.add_parser("rules", help="the compliance checker vs a naive regex loop")
    parser.add_argument("--posts", type=int, default=100000, help="posts (default 100000)")
    parser.add_argument("--rules", type=int, default=1000, help="rules (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--workers", type=int, default=1, help="checker processes (1 or 2)")
    parser.add_argument(
        "--naive-sample", type=int, default=0, help="time the naive loop on K posts only"
    )
    parser.set_defaults(handler=handle_bench_rules)


def handle_bench_rules(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["posts"] < 1 or options["rules"] < 1 or options["workers"] < 1:
        raise CommandError("--posts, --rules and --workers must be at least 1.")
    figures = bench_rules(
        posts=options["posts"],
        rules=options["rules"],
        seed=options["seed"],
        workers=options["workers"],
        naive_sample=options["naive_sample"],
    )
    command.stdout.write(json.dumps(figures))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4)))


def make_posts(count: int, rng: random.Random) -> list[str]:
    posts = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < 380:
            parts.append(rng.choice(SENTENCES).format(place=rng.choice(PLACES)))
        if rng.random() < 0.05:
            parts[rng.randrange(len(parts))] = rng.choice(VIOLATIONS)
        posts.append(" ".join(parts))
    return posts


def make_rulebook(count: int, rng: random.Random) -> Rulebook:
    rules = [
        Rule("nik", "personal_data", "block", (Pattern("detector", "nik"),), "NIK", "UU 27/2022"),
        Rule("hp", "personal_data", "warn", (Pattern("detector", "phone"),), "HP", "UU 27/2022"),
    ]
    for index in range(count):
        roll = rng.random()
        if roll < 0.85:
            words = [_word(rng) for _ in range(rng.randint(1, 3))]
            if index % 50 == 0:  # some rules real posts can hit
                words = rng.choice(
                    [["slot", "gacor"], ["judi", "online"], ["like", "dan", "share"]]
                )
            patterns: tuple[Pattern, ...] = (Pattern("phrase", " ".join(words)),)
        elif roll < 0.95:
            patterns = tuple(Pattern("phrase", _word(rng)) for _ in range(8))
        else:
            source = rf"\b(?:{'|'.join(rng.sample(COMMERCE, 3))}) (?:\w+ ){{0,3}}{_word(rng)}\b"
            patterns = (Pattern("regex", source),)
        severity = "block" if index % 3 else "warn"
        rules.append(Rule(f"r{index}", "bench", severity, patterns, "contoh", "bench"))
    return Rulebook(tuple(rules), (), f"bench-{count}-{rng.random()}")


def naive_patterns(rulebook: Rulebook) -> list[re.Pattern[str]]:
    """One regex per rule, as a straightforward implementation would have it."""
    compiled = []
    for rule in rulebook.rules:
        parts = []
        for pattern in rule.patterns:
            if pattern.kind == "phrase":
                parts.append(r"\b" + re.escape(normalize(pattern.value).strip()) + r"\b")
            elif pattern.kind == "regex":
                parts.append(pattern.value)
        if parts:
            compiled.append(re.compile("|".join(f"(?:{p})" for p in parts)))
    return compiled


_SHARED: dict[str, Any] = {}


def _check_all(posts: list[str]) -> int:
    rulebook = _SHARED["rulebook"]
    return sum(len(check(p, at=AT, unit=None, rulebook=rulebook)) for p in posts)


def bench_rules(
    *, posts: int, rules: int, seed: int = 1, workers: int = 1, naive_sample: int = 0
) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
    corpus = make_posts(posts, rng)
    rulebook = make_rulebook(rules, rng)
    compile_rulebook(rulebook)
    _SHARED["rulebook"] = rulebook
    started = time.perf_counter()
    if workers == 1:
        _check_all(corpus)
    else:
        chunks = [corpus[i::workers] for i in range(workers)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_check_all, chunks)
    seconds = time.perf_counter() - started

    naive = naive_patterns(rulebook)
    sample = corpus[:naive_sample] if 0 < naive_sample < posts else corpus
    texts = [normalize(p) for p in sample]
    started = time.perf_counter()
    for text in texts:
        for pattern in naive:
            for _ in pattern.finditer(text):
                pass
    naive_seconds = (time.perf_counter() - started) * posts / len(sample)

    size = sum(len(p.encode("utf-8")) for p in corpus)
    figures: dict[str, Any] = {
        "posts": posts,
        "rules": len(rulebook.rules),
        "seconds": round(seconds, 4),
        "naive_seconds": round(naive_seconds, 4),
        "speedup": round(naive_seconds / seconds, 1) if seconds else None,
        "mb_per_s": round(size / seconds / 1e6, 2) if seconds else None,
        "workers": workers,
    }
    if len(sample) < posts:
        figures["naive_sampled_posts"] = len(sample)
    return figures
