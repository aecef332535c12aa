"""`serentak bench content`: the time to render a package for every unit and to score them.

    serentak bench content [--units 553] [--repeat 5]

Prints ``{"render_seconds": x, "score_seconds": y, "units": n}``, the best of ``--repeat``
runs: rendering the sample package (``content/samples/workshop-template.txt``, compiled afresh
each run) for ``n`` units of the KPU tree, and scoring ``n`` lightly edited adaptations
against their rendered source. Everything is in memory, built from the KPU preset shipped
in the repository, so the bench needs no database. The goal on the development machine is
under 0.1 s for each with 553 units. It is a benchmark, not a test: the test suite only
checks that it runs.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from importlib import resources
from itertools import cycle, islice
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from serentak.content.originality import originality
from serentak.content.templating import UnitVars, render_for_units, unit_context
from serentak.org.services import kpu_preset

MOMENTS = {"acara": dt.datetime(2021, 11, 10, 6, 0, tzinfo=dt.UTC)}  # 14.00 WITA


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "content", help="render a package for N units and score N adaptations (seconds)"
    )
    parser.add_argument("--units", type=int, default=553, help="how many units (default: 553)")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best is kept (default 5)")
    parser.set_defaults(handler=handle_bench_content)


def handle_bench_content(command: BaseCommand, options: dict[str, Any]) -> None:
    count, repeat = options["units"], options["repeat"]
    if count < 1 or repeat < 1:
        raise CommandError("--units and --repeat must be at least 1.")
    command.stdout.write(json.dumps(bench_content(units=count, repeat=repeat)))


def sample_text(name: str) -> str:
    return resources.files("serentak.content").joinpath("samples", name).read_text("utf-8")


def kpu_unit_vars(count: int) -> list[UnitVars]:
    """``count`` units of the KPU preset as template variables (cycling past 553)."""
    spec, rows = kpu_preset()
    by_code = {row.code: row for row in rows}
    units = []
    for index, row in enumerate(islice(cycle(rows), count)):
        parent = by_code.get(row.parent_code or "")
        in_province = row.kind in {"regency", "city"} and parent is not None
        unit = unit_context(
            row,
            province_name=parent.region_name if in_province and parent else None,
            institution=spec["short_name"],
        )
        key = unit.key if index < len(rows) else f"{unit.key}#{index}"
        units.append(
            UnitVars(
                key, unit.name, unit.region_name, unit.province, unit.timezone, unit.institution
            )
        )
    return units


def light_edit(text: str, unit: UnitVars, index: int) -> str:
    """What a unit's officer typically does: a local greeting, one paragraph rewritten."""
    paragraphs = text.split("\n\n")
    target = 2 + index % max(1, len(paragraphs) - 3)
    paragraphs[target] = (
        f"Dalam kesempatan ini, {unit.name} mengajak masyarakat {unit.region_name} untuk "
        "mengikuti kanal resmi kami agar tidak termakan kabar bohong seputar pemilihan."
    )
    greeting = "Mombe'ito" if index % 2 else "Tabe'"
    return f"{greeting}, sahabat pemilih di {unit.region_name}!\n\n" + "\n\n".join(paragraphs)


def _best(repeat: int, run: Callable[[int], object]) -> float:
    best = float("inf")
    for attempt in range(repeat):
        started = time.perf_counter()
        run(attempt)
        best = min(best, time.perf_counter() - started)
    return best


def bench_content(*, units: int, repeat: int) -> dict[str, Any]:
    template = sample_text("workshop-template.txt")
    unit_vars = kpu_unit_vars(units)
    blocks = {
        unit.key: {"kutipan": f"“Kami siap,” kata Ketua {unit.name}."} for unit in unit_vars[::3]
    }

    def render(attempt: int) -> object:
        # A different comment each run: the compile, cached by text, is measured too.
        body = f"{template}{{# bench run {attempt} #}}"
        return render_for_units(body, units=unit_vars, moments=MOMENTS, blocks_by_unit=blocks)

    render_seconds = _best(repeat, render)
    rendered = render_for_units(template, units=unit_vars, moments=MOMENTS, blocks_by_unit=blocks)
    pairs = [
        (rendered[unit.key], light_edit(rendered[unit.key], unit, index))
        for index, unit in enumerate(unit_vars)
    ]
    score_seconds = _best(repeat, lambda _attempt: [originality(s, v) for s, v in pairs])
    return {
        "render_seconds": round(render_seconds, 4),
        "score_seconds": round(score_seconds, 4),
        "units": len(unit_vars),
    }
