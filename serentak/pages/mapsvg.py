"""A map of Indonesia's 38 provinces as inline SVG, coloured by audit score.

The polygons come from ``org/data/kpu/provinces.geojson`` (feature id = province code).
They are projected once per process (``province_shapes`` is cached): equirectangular over
Indonesia's bounding box (near the equator the distortion is negligible), simplified with
Douglas-Peucker to about half a pixel at the default width, and rounded to one decimal,
which keeps the whole map around 40 kB. Pure Python: no tiles, no JavaScript.

Each province is a link (``<a href>``) around a ``<path>`` with a ``<title>`` (name and
score, shown on hover); the legend explains the colours.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 1000.0
TOLERANCE = 0.5  # pixels: points closer than this to the simplified line are dropped
MIN_RING_AREA = 1.0  # square pixels: islands smaller than this are left out
LEGEND_HEIGHT = 34.0
Point = tuple[float, float]

# (lowest score of the bucket, colour); a score falls in the first bucket it reaches.
BUCKETS: tuple[tuple[int, str], ...] = (
    (90, "#1b7f3b"),
    (75, "#7cb342"),
    (50, "#f9a825"),
    (25, "#ef6c00"),
    (0, "#c62828"),
)
NO_DATA = "#c9cdd2"
COLOURS = frozenset({colour for _, colour in BUCKETS} | {NO_DATA})


@dataclass(frozen=True)
class ProvinceShape:
    code: str
    name: str
    d: str  # the SVG path data, in map pixels


@dataclass(frozen=True)
class MapGeometry:
    width: float
    height: float
    shapes: tuple[ProvinceShape, ...]


def colour_for(score: float | None) -> str:
    if score is None:
        return NO_DATA
    for lowest, colour in BUCKETS:
        if score >= lowest:
            return colour
    return BUCKETS[-1][1]


def _rings(geometry: Mapping[str, Any]) -> list[list[Point]]:
    """The outer rings of a (Multi)Polygon: holes are too small to matter at this size."""
    coordinates = geometry["coordinates"]
    polygons = coordinates if geometry["type"] == "MultiPolygon" else [coordinates]
    return [[(float(lon), float(lat)) for lon, lat, *_ in polygon[0]] for polygon in polygons]


def _simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative (a long coastline would exceed the recursion limit)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, distance = -1, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                gap = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length
            else:
                gap = math.hypot(px - x1, py - y1)
            if gap > distance:
                farthest, distance = index, gap
        if farthest >= 0:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _area(points: Sequence[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(points)) / 2)


def _path_data(rings: list[list[Point]]) -> str:
    parts = []
    for ring in rings:
        rounded: list[Point] = []
        for x, y in ring:
            point = (round(x, 1), round(y, 1))
            if not rounded or rounded[-1] != point:
                rounded.append(point)
        coords = " ".join(f"{x:g},{y:g}" for x, y in rounded[:-1] or rounded)
        parts.append(f"M{coords}Z")
    return "".join(parts)


@lru_cache(maxsize=1)
def province_shapes(width: float = WIDTH) -> MapGeometry:
    """The 38 provinces, projected and simplified (computed once per process)."""
    text = resources.files("serentak.org").joinpath("data", "kpu", "provinces.geojson")
    features = json.loads(text.read_text("utf-8"))["features"]
    raw = [(feature, _rings(feature["geometry"])) for feature in features]
    lons = [lon for _, rings in raw for ring in rings for lon, _ in ring]
    lats = [lat for _, rings in raw for ring in rings for _, lat in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    # Equirectangular with the standard parallel through the middle of the box.
    squeeze = math.cos(math.radians((north + south) / 2))
    scale = width / ((east - west) * squeeze)
    height = (north - south) * scale
    shapes = []
    for feature, rings in raw:
        projected = [
            [((lon - west) * squeeze * scale, (north - lat) * scale) for lon, lat in ring]
            for ring in rings
        ]
        simplified = [_simplify(ring, TOLERANCE) for ring in projected]
        kept = [ring for ring in simplified if len(ring) >= 4 and _area(ring) >= MIN_RING_AREA]
        if not kept:  # never lose a province: keep its largest island
            kept = [max(simplified, key=_area)]
        properties = feature.get("properties") or {}
        code = str(feature.get("id") or properties.get("code"))
        name = str(properties.get("name_title") or properties.get("name") or code)
        shapes.append(ProvinceShape(code=code, name=name, d=_path_data(kept)))
    shapes.sort(key=lambda shape: shape.code)
    return MapGeometry(width=width, height=round(height, 1), shapes=tuple(shapes))


def _score_text(score: float | None) -> str:
    return _("no data") if score is None else f"{score:.0f}"


def province_map(
    *,
    scores: Mapping[str, float | None],
    link: Callable[[str], str],
    names: Mapping[str, str] | None = None,
    label: str = "",
) -> SafeString:
    """The map as inline SVG: ``scores`` by province code (None: no data), ``link(code)``
    the URL each province opens, ``names`` to override the GeoJSON's province names."""
    geometry = province_shapes()
    width, height = geometry.width, geometry.height
    total = height + LEGEND_HEIGHT
    out: list[str] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" '
            'class="province-map" aria-label="{}">',
            f"{width:g}",
            f"{total:g}",
            label or _("Map of the provinces by audit score"),
        )
    ]
    for shape in geometry.shapes:
        score = scores.get(shape.code)
        name = (names or {}).get(shape.code) or shape.name
        out.append(
            format_html(
                '<a href="{}"><path d="{}" fill="{}" stroke="#ffffff" stroke-width="0.6" '
                'data-code="{}"><title>{}: {}</title></path></a>',
                link(shape.code),
                shape.d,
                colour_for(score),
                shape.code,
                name,
                _score_text(score),
            )
        )
    out.append(_legend(top=height + 8))
    out.append("</svg>")
    return mark_safe("".join(str(part) for part in out))  # noqa: S308 - every part escaped


def _legend(*, top: float) -> str:
    labels = [
        (BUCKETS[0][1], "90-100"),
        (BUCKETS[1][1], "75-89"),
        (BUCKETS[2][1], "50-74"),
        (BUCKETS[3][1], "25-49"),
        (BUCKETS[4][1], "0-24"),
        (NO_DATA, _("no data")),
    ]
    parts: list[str] = [
        format_html('<g class="legend" font-size="13" transform="translate(10 {})">', top)
    ]
    x = 0.0
    for colour, text in labels:
        parts.append(
            format_html(
                '<rect x="{}" y="0" width="16" height="16" fill="{}"></rect>'
                '<text x="{}" y="13">{}</text>',
                f"{x:g}",
                colour,
                f"{x + 21:g}",
                text,
            )
        )
        x += 30 + 8 * len(escape(text))
    parts.append("</g>")
    return "".join(str(part) for part in parts)
