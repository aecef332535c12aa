"""The map of the provinces: 38 linked, titled, coloured paths, small and cached."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from serentak.pages import mapsvg

SVG = "{http://www.w3.org/2000/svg}"


def render(scores: dict[str, float | None]) -> str:
    return str(mapsvg.province_map(scores=scores, link=lambda code: f"/audit/kpu/{code}/"))


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it well-formed


def test_it_draws_38_provinces_each_a_link_with_a_title():
    svg = render({"74": 81.5, "11": 12.0})
    root = parse(svg)
    links = root.findall(f"{SVG}a")
    assert len(links) == 38
    codes = set()
    for link in links:
        path = link.find(f"{SVG}path")
        assert path is not None
        code = path.get("data-code")
        codes.add(code)
        assert link.get("href") == f"/audit/kpu/{code}/"
        assert path.get("fill") in mapsvg.COLOURS
        assert re.fullmatch(r"(M[-0-9., ]+Z)+", path.get("d") or "")
        title = path.find(f"{SVG}title")
        assert title is not None
        assert title.text
    assert len(codes) == 38
    assert {"11", "74", "96"} <= codes


def test_it_colours_each_province_by_its_score_bucket():
    svg = render({"74": 95, "73": 80, "72": 60, "71": 30, "11": 0, "12": None})
    root = parse(svg)
    fills = {p.get("data-code"): p.get("fill") for p in root.iter(f"{SVG}path")}
    assert fills["74"] == mapsvg.colour_for(95) == "#1b7f3b"
    assert fills["73"] == mapsvg.colour_for(80)
    assert fills["72"] == mapsvg.colour_for(60)
    assert fills["71"] == mapsvg.colour_for(30)
    assert fills["11"] == mapsvg.colour_for(0) == "#c62828"
    assert fills["12"] == fills["13"] == mapsvg.NO_DATA
    assert len(set(fills.values())) == 6
    titles = {p.get("data-code"): p.findtext(f"{SVG}title") for p in root.iter(f"{SVG}path")}
    assert titles["74"] == "Sulawesi Tenggara: 95"


def test_the_legend_shows_every_colour():
    root = parse(render({}))
    legend = [rect.get("fill") for rect in root.iter(f"{SVG}rect")]
    assert set(legend) == mapsvg.COLOURS


def test_it_escapes_what_it_is_given():
    svg = str(mapsvg.province_map(scores={}, link=lambda code: f'/x?a="{code}"&b=<'))
    parse(svg)
    assert '"&b=<' not in svg


def test_the_geometry_is_small_and_computed_once():
    first = mapsvg.province_shapes()
    assert mapsvg.province_shapes() is first
    assert first.width == 1000
    assert 300 < first.height < 450  # Indonesia is about 2.7 times wider than tall
    assert sum(len(shape.d) for shape in first.shapes) < 60_000
    points = [
        tuple(map(float, pair.split(",")))
        for shape in first.shapes
        for pair in re.findall(r"-?[\d.]+,-?[\d.]+", shape.d)
    ]
    assert all(0 <= x <= first.width and 0 <= y <= first.height for x, y in points)
