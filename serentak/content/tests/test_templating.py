"""Package templates: every unit's variables, moments in its zone, blocks, errors, sandbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from jinja2.exceptions import SecurityError

from serentak.content import templating
from serentak.content.templating import (
    MAX_OUTPUT_CHARS,
    VARIABLES,
    Block,
    TemplateInvalid,
    UnitVars,
    render_for_units,
    template_blocks,
    template_check,
    template_moments,
    unit_context,
)
from serentak.org.rows import UnitRow

# 06:00 UTC: 13.00 WIB, 14.00 WITA, 15.00 WIT.
WORKSHOP = {"acara": "2021-11-10T06:00:00Z"}

BOMBANA = UnitVars(
    "74.06",
    "KPU Kabupaten Bombana",
    "Kabupaten Bombana",
    "Sulawesi Tenggara",
    "Asia/Makassar",
    "KPU",
)
BANDUNG = UnitVars(
    "32.04", "KPU Kabupaten Bandung", "Kabupaten Bandung", "Jawa Barat", "Asia/Jakarta", "KPU"
)
JAYAPURA = UnitVars("91.71", "KPU Kota Jayapura", "Kota Jayapura", "Papua", "Asia/Jayapura", "KPU")
THREE_ZONES = [BANDUNG, BOMBANA, JAYAPURA]


def render(body: str, unit: UnitVars = BOMBANA, **kwargs) -> str:
    return render_for_units(body, units=[unit], moments=WORKSHOP, **kwargs)[unit.key]


def messages(body: str, moments=WORKSHOP) -> list[str]:
    return [p.message for p in template_check(body, moments=moments)]


# --- Rendering ------------------------------------------------------------------------------


def test_it_renders_a_moment_in_each_units_own_time_zone():
    texts = render_for_units('Workshop {{ waktu("acara") }}', units=THREE_ZONES, moments=WORKSHOP)
    assert texts == {
        "32.04": "Workshop Rabu, 10 November 2021 pukul 13.00 WIB",
        "74.06": "Workshop Rabu, 10 November 2021 pukul 14.00 WITA",
        "91.71": "Workshop Rabu, 10 November 2021 pukul 15.00 WIT",
    }


def test_it_renders_the_date_and_the_time_on_their_own():
    body = 'pada hari {{ tanggal("acara") }} dimulai pukul {{ jam("acara") }}'
    assert render(body) == "pada hari Rabu, 10 November 2021 dimulai pukul 14.00 WITA"
    assert render(body, JAYAPURA).endswith("pukul 15.00 WIT")


def test_the_local_date_follows_the_zone_across_midnight():
    late = {"acara": dt.datetime(2021, 11, 10, 16, 30, tzinfo=dt.UTC)}
    texts = render_for_units('{{ tanggal("acara") }} {{ jam("acara") }}', units=THREE_ZONES,
                             moments=late)  # fmt: skip
    assert texts["32.04"] == "Rabu, 10 November 2021 23.30 WIB"
    assert texts["91.71"] == "Kamis, 11 November 2021 01.30 WIT"


def test_it_renders_every_unit_variable():
    body = "{{ satker }} | {{ wilayah }} | {{ provinsi }} | {{ zona }} | {{ lembaga }}"
    assert render(body) == (
        "KPU Kabupaten Bombana | Kabupaten Bombana | Sulawesi Tenggara | WITA | KPU"
    )


def test_the_help_table_documents_exactly_the_names_a_template_may_use():
    names = {v.name for v in VARIABLES}
    assert names == {*templating.VARIABLE_NAMES, *templating.FUNCTION_NAMES}
    for variable in VARIABLES:
        assert str(variable.description)
        assert template_check(variable.syntax, moments=WORKSHOP) == [], variable.syntax


def test_the_help_table_examples_are_what_bombana_gets():
    for variable in VARIABLES:
        if variable.name in {"blok", "foto"}:
            continue
        assert render(variable.syntax) == variable.example, variable.name


def test_unit_context_gives_the_province_of_a_regency_and_the_own_region_above_it():
    rows = {
        "00": UnitRow("00", None, "centre", "RI", "KPU RI", "Asia/Jakarta"),
        "74": UnitRow(
            "74", "00", "province", "Sulawesi Tenggara", "KPU Provinsi Sulawesi Tenggara",
            "Asia/Makassar",
        ),
        "74.06": UnitRow(
            "74.06", "74", "regency", "Kabupaten Bombana", "KPU Kabupaten Bombana",
            "Asia/Makassar",
        ),
    }  # fmt: skip
    regency = unit_context(rows["74.06"], province_name="Sulawesi Tenggara", institution="KPU")
    province = unit_context(rows["74"], province_name=None, institution="KPU")
    centre = unit_context(rows["00"], province_name=None, institution="KPU")
    assert regency == BOMBANA
    assert province.province == "Sulawesi Tenggara"
    assert centre.province == "RI"
    assert render("{{ provinsi }} {{ zona }}", centre) == "RI WIB"


@pytest.mark.django_db
def test_unit_context_of_a_stored_unit_is_keyed_by_its_primary_key(unit, kpu):
    bombana = unit("74.06")
    variables = unit_context(
        bombana, province_name=unit("74").region_name, institution=kpu.short_name
    )
    assert variables.key == bombana.pk
    assert render("{{ satker }}, Provinsi {{ provinsi }} ({{ zona }})", variables) == (
        "KPU Kabupaten Bombana, Provinsi Sulawesi Tenggara (WITA)"
    )


def test_conditions_on_the_zone_are_allowed():
    body = '{% if zona == "WIT" %}timur{% elif zona in ["WITA"] %}tengah{% else %}barat{% endif %}'
    texts = render_for_units(body, units=THREE_ZONES, moments={})
    assert list(texts.values()) == ["barat", "tengah", "timur"]


def test_the_allowed_filters_work():
    assert render("{{ satker | upper }} {{ wilayah | lower }}") == (
        "KPU KABUPATEN BOMBANA kabupaten bombana"
    )


def test_dates_can_be_written_in_english_when_asked():
    assert render('{{ waktu("acara") }}', language="en") == (
        "Wednesday, 10 November 2021 at 14:00 WITA"
    )


def test_moments_may_be_given_as_datetimes():
    moments = {"acara": dt.datetime(2021, 11, 10, 14, tzinfo=dt.timezone(dt.timedelta(hours=8)))}
    assert render_for_units('{{ jam("acara") }}', units=[BOMBANA], moments=moments) == {
        "74.06": "14.00 WITA"
    }


def test_the_template_is_compiled_once_and_renders_553_units(monkeypatch):
    units = [
        UnitVars(i, f"KPU Kabupaten {i}", f"Kabupaten {i}", "Papua", "Asia/Jayapura", "KPU")
        for i in range(553)
    ]
    body = "{{ satker }} {{ waktu('acara') }} # once"
    compiled = []
    original = templating._ENV.from_string

    def counting(tree):
        compiled.append(tree)
        return original(tree)

    monkeypatch.setattr(templating._ENV, "from_string", counting)
    texts = render_for_units(body, units=units, moments=WORKSHOP)
    render_for_units(body, units=units, moments=WORKSHOP)
    assert len(texts) == 553
    assert texts[552] == "KPU Kabupaten 552 Rabu, 10 November 2021 pukul 15.00 WIT # once"
    assert len(compiled) == 1


# --- Blocks ---------------------------------------------------------------------------------

WITH_BLOCKS = """Pembuka.

{{ blok("kutipan", "Tulis kutipan ketua KPU setempat") }}

{{ foto("kegiatan", "Foto kegiatan") }}

Penutup dari {{ satker }}."""


def test_template_blocks_lists_the_blocks_with_their_hints():
    assert template_blocks(WITH_BLOCKS) == [
        Block("kutipan", "Tulis kutipan ketua KPU setempat", "text"),
        Block("kegiatan", "Foto kegiatan", "photo"),
    ]
    assert template_blocks('{{ blok("a") }} {{ blok("a", "later") }}') == [Block("a", "")]
    assert template_blocks("{{ satker }") == []


def test_a_filled_block_shows_the_units_text():
    text = render(WITH_BLOCKS, blocks_by_unit={"74.06": {"kutipan": "“Mombe'ito!” kata ketua."}})
    assert text == "Pembuka.\n\n“Mombe'ito!” kata ketua.\n\nPenutup dari KPU Kabupaten Bombana."


def test_an_empty_block_leaves_no_gap_and_a_photo_no_text():
    assert render(WITH_BLOCKS) == "Pembuka.\n\nPenutup dari KPU Kabupaten Bombana."
    assert render(WITH_BLOCKS, blocks_by_unit={"74.06": {"kutipan": "   "}}) == (
        "Pembuka.\n\nPenutup dari KPU Kabupaten Bombana."
    )


def test_a_blocks_text_is_never_read_as_a_template():
    filled = {"74.06": {"kutipan": "{{ satker.__class__ }} {% for %}"}}
    assert "{{ satker.__class__ }} {% for %}" in render(WITH_BLOCKS, blocks_by_unit=filled)


def test_blocks_only_reach_their_own_unit():
    texts = render_for_units(
        '{{ blok("kutipan") }}.',
        units=[BOMBANA, JAYAPURA],
        moments={},
        blocks_by_unit={"74.06": {"kutipan": "Tabe'"}},
    )
    assert texts == {"74.06": "Tabe'.", "91.71": "."}


def test_template_moments_lists_the_moments_used():
    body = '{{ waktu("acara") }} {{ jam("rapat") }} {{ tanggal("acara") }}'
    assert template_moments(body) == ["acara", "rapat"]


# --- Template errors ------------------------------------------------------------------------


def test_a_correct_template_has_no_problem():
    assert template_check(WITH_BLOCKS + ' {{ waktu("acara") }}', moments=WORKSHOP) == []


def test_a_syntax_error_is_reported_with_its_line_and_column():
    body = "Halo,\n\nSalam dari {{ satker }"
    [problem] = template_check(body, moments={})
    assert (problem.line, problem.column) == (3, 22)
    assert "unexpected '}'" in problem.message
    assert str(problem).startswith("line 3, column 22: ")


def test_an_unclosed_if_points_at_its_opening():
    [problem] = template_check('a\nb {% if zona == "WIT" %}timur', moments={})
    assert (problem.line, problem.column) == (2, 3)
    assert problem.message == "“{% if %}” is opened but never closed with “{% endif %}”."


def test_an_unclosed_quote_is_reported_where_it_starts():
    [problem] = template_check('x\n  {{ waktu("acara) }}', moments=WORKSHOP)
    assert (problem.line, problem.column) == (2, 12)
    assert problem.message == "A quotation mark is not closed."


def test_an_unknown_variable_is_reported_with_a_suggestion():
    [problem] = template_check("Salam\n  dari {{ satkre }}.", moments={})
    assert (problem.line, problem.column) == (2, 11)
    assert problem.message == "Unknown variable “satkre”. Did you mean “satker”?"


def test_every_unknown_variable_is_reported_in_order():
    problems = template_check("{{ kabupaten }} {{ satker }}\n{{ ketua }}", moments={})
    assert [(p.line, p.column) for p in problems] == [(1, 4), (2, 4)]
    assert problems[0].message.startswith("Unknown variable “kabupaten”. Available: satker")


def test_an_unknown_moment_is_reported_with_the_known_ones():
    [problem] = template_check('Rapat\n{{ jam("rapat") }}', moments=WORKSHOP)
    assert (problem.line, problem.column) == (2, 4)
    assert problem.message == "Unknown moment “rapat”. This package has: acara."
    [none_yet] = messages('{{ waktu("acara") }}', moments={})
    assert none_yet == "Unknown moment “acara”: this package has no moments yet."


def test_a_moment_name_must_be_written_in_quotes():
    assert messages("{{ waktu(acara) }}") == [
        '“waktu” needs the name of a moment in quotes, e.g. {{ waktu("acara") }}.'
    ]
    assert messages("{{ jam }}") == ['“jam” needs a name in quotes, e.g. {{ jam("acara") }}.']


def test_a_malformed_moment_value_is_a_problem():
    assert messages("x", moments={"acara": "besok"}) == [
        "The moment “acara” is not a date and time."
    ]
    assert messages("x", moments={"acara": "2021-11-10T14:00"}) == [
        "The moment “acara” has no time zone."
    ]


def test_a_block_written_as_a_tag_gets_a_hint():
    [message] = messages('{% blok "kutipan" %}isi{% endblok %}')
    assert message.startswith("“blok” is written between {{ and }}")


def test_a_block_name_cannot_be_both_text_and_photo():
    assert messages('{{ blok("a") }} {{ foto("a") }}') == [
        "“a” is used both as a text block and as a photo block."
    ]


def test_a_text_longer_than_facebook_allows_is_refused():
    body = "{{ satker }} " + "x" * MAX_OUTPUT_CHARS
    [problem] = template_check(body, moments={})
    assert problem.line == 0
    assert "Facebook allows 63.206" in problem.message
    with pytest.raises(TemplateInvalid):
        render(body)


def test_a_filled_block_can_make_one_units_text_too_long():
    with pytest.raises(TemplateInvalid, match="KPU Kabupaten Bombana"):
        render(WITH_BLOCKS, blocks_by_unit={"74.06": {"kutipan": "x" * MAX_OUTPUT_CHARS}})


def test_rendering_a_wrong_template_raises_with_the_problems():
    with pytest.raises(TemplateInvalid) as caught:
        render("{{ satker }}\n{{ wilaya }}")
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (2, 4)


def test_a_render_time_error_is_reported_with_its_line():
    [problem] = template_check("ok\n{{ satker + 1 }}", moments={})
    assert problem.line == 2
    assert problem.message.startswith("The template cannot be rendered")


# --- Sandbox --------------------------------------------------------------------------------

REFUSED = [
    "{{ satker.__class__ }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ satker.upper() }}",
    "{{ satker[0] }}",
    "{{ satker['__class__'] }}",
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ range(10) }}",
    "{{ 'x' * 1000000000 }}",
    "{{ 9 ** 9 ** 9 }}",
    "{{ self }}",
    "{{ self._TemplateReference__context }}",
    "{{ config }}",
    "{{ cycler('a', 'b') }}",
    "{{ joiner() }}",
    "{{ namespace() }}",
    "{{ lipsum() }}",
    "{{ dict(a=1) }}",
    "{% set x = satker ~ satker %}{{ x }}",
    "{% macro m() %}x{% endmacro %}",
    "{% include 'x' %}",
    "{% extends 'x' %}",
    "{% import 'x' as y %}",
    "{% with a = 1 %}{% endwith %}",
    "{{ satker | replace('a', 'b') }}",
    "{{ satker | center(1000000000) }}",
    "{{ satker | attr('__class__') }}",
    "{{ satker | format(1) }}",
    "{{ waktu.__globals__ }}",
    "{{ satker() }}",
    "{{ {'a': 1} }}",
]


@pytest.mark.parametrize("body", REFUSED)
def test_the_sandbox_refuses_anything_beyond_the_variables(body):
    problems = template_check(body, moments=WORKSHOP)
    assert problems, body
    assert all(p.line == 1 and p.column >= 1 for p in problems)
    with pytest.raises(TemplateInvalid):
        render(body)


def test_even_without_the_static_check_the_environment_refuses_attributes_and_operators():
    env = templating._ENV
    with pytest.raises(SecurityError):
        env.from_string("{{ satker.__class__ }}").render(satker="x")
    with pytest.raises(SecurityError):
        env.from_string("{{ satker.upper() }}").render(satker="x")
    with pytest.raises(SecurityError):
        env.from_string("{{ satker[0] }}").render(satker="x")
    with pytest.raises(SecurityError):
        env.from_string("{{ satker * 1000000000 }}").render(satker="x")
    assert env.globals == {}
    assert set(env.filters) == set(templating.SAFE_FILTERS)


def test_problems_are_told_in_the_language_of_the_reader(monkeypatch):
    body = "{{ satkre }} # cached per language"
    with translation.override("en"):
        [english] = messages(body)
    # A stand-in translation: the analysis is cached by text *and* language, so the
    # Indonesian reader gets messages made in Indonesian, the English one the cached ones.
    monkeypatch.setattr(templating, "_", lambda text: "ID " + text)
    with translation.override("id"):
        assert messages(body) == ["ID " + english]
    with translation.override("en"):
        assert messages(body) == [english]


def test_render_problems_are_told_in_the_readers_language_not_the_posts(monkeypatch):
    monkeypatch.setattr(templating, "_", lambda text: f"[{translation.get_language()}] {text}")
    with translation.override("en"):
        [problem] = messages("{{ satker + 1 }} # reader")
        [too_long] = messages("{{ satker }} # reader " + "x" * MAX_OUTPUT_CHARS)
    assert problem.startswith("[en] The template cannot be rendered")
    assert too_long.startswith("[en] The text for")


def test_a_huge_template_is_refused_before_parsing():
    assert messages("x" * (templating.MAX_TEMPLATE_CHARS + 1)) == [
        "The template is longer than 100.000 characters."
    ]
