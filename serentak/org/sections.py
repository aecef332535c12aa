"""Sections other apps add to a unit's page, without org depending on them.

An app registers ``(order, callable)`` in its ``AppConfig.ready()``; the callable gets the
request and the unit and returns the HTML of its section (or "" to add nothing). It must do
its own scoping with ``for_user``, like any view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

Section = Callable[[Any, Any], str]
_SECTIONS: list[tuple[int, Section]] = []


def unit_section_register(section: Section, *, order: int = 50) -> None:
    if all(existing is not section for _, existing in _SECTIONS):
        _SECTIONS.append((order, section))
        _SECTIONS.sort(key=lambda item: item[0])


def unit_sections_render(request: Any, unit: Any) -> list[SafeString]:
    rendered = (section(request, unit) for _, section in _SECTIONS)
    return [mark_safe(html) for html in rendered if html]  # noqa: S308 -- rendered templates
