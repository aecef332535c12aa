"""`serentak bench content` runs and prints its figures (timings are not asserted)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from serentak.content.cli.bench import kpu_unit_vars, light_edit, sample_text
from serentak.content.originality import originality
from serentak.content.templating import render_for_units, template_check
from serentak.core.management.commands.bench import bench_areas


def test_bench_content_prints_its_figures_as_json():
    out = io.StringIO()
    call_command("bench", "content", "--units", "20", "--repeat", "1", stdout=out)
    payload = json.loads(out.getvalue())
    assert set(payload) == {"render_seconds", "score_seconds", "units"}
    assert payload["units"] == 20
    assert payload["render_seconds"] >= 0
    assert payload["score_seconds"] >= 0


def test_bench_content_cycles_past_the_553_units():
    units = kpu_unit_vars(600)
    assert len({unit.key for unit in units}) == 600


def test_bench_content_refuses_nonsense_counts():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("bench", "content", "--units", "0", stdout=io.StringIO())


def test_bench_areas_are_found_in_the_apps():
    assert "serentak.content.cli.bench" in [module.__name__ for module in bench_areas()]


def test_the_sample_template_is_valid_and_lightly_edited_posts_score_low():
    template = sample_text("workshop-template.txt")
    assert template_check(template, moments={"acara": "2021-11-10T06:00Z"}) == []
    units = kpu_unit_vars(553)
    rendered = render_for_units(template, units=units, moments={"acara": "2021-11-10T06:00Z"})
    bombana = next(unit for unit in units if unit.key == "74.06")
    text = rendered["74.06"]
    assert "dimulai pada pukul 14.00 WITA melalui media Zoom" in text
    assert "KPU Kabupaten Bombana mengikuti pada gelombang II" in text
    assert "Provinsi Sulawesi Tenggara" in text
    assert 0.0 < originality(text, light_edit(text, bombana, 1)) < 0.4
