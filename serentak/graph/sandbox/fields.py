"""``fields=`` selection (with ``.modifier(arg)`` and ``{sub,fields}``) and cursor paging."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from . import errors
from .config import GRAPH_VERSION

T = TypeVar("T")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


@dataclass
class FieldSpec:
    name: str
    modifiers: dict[str, str]
    children: list[FieldSpec] | None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, expected: str) -> errors.GraphError:
        found = self.text[self.pos] if self.pos < len(self.text) else "end of string"
        return errors.invalid_param(
            f'Syntax error "Expected {expected} instead of "{found}"." at character '
            f"{self.pos}: {self.text}"
        )

    def peek(self) -> str:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def name(self) -> str:
        self.peek()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _NAME_CHARS:
            self.pos += 1
        if start == self.pos:
            raise self.fail("a field name")
        return self.text[start : self.pos]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f'"{char}"')
        self.pos += 1

    def items(self, closing: str) -> list[FieldSpec]:
        specs: list[FieldSpec] = []
        while True:
            specs.append(self.item())
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == closing:
                return specs
            raise self.fail("end of string" if not closing else f'"{closing}"')

    def item(self) -> FieldSpec:
        name = self.name()
        modifiers: dict[str, str] = {}
        while self.peek() == ".":
            self.pos += 1
            modifier = self.name()
            self.expect("(")
            end = self.text.find(")", self.pos)
            if end < 0:
                raise self.fail('")"')
            modifiers[modifier] = self.text[self.pos : end].strip()
            self.pos = end + 1
        children = None
        if self.peek() == "{":
            self.pos += 1
            children = self.items("}")
            self.expect("}")
        return FieldSpec(name=name, modifiers=modifiers, children=children)


def parse_fields(text: str | None) -> list[FieldSpec] | None:
    """The parsed ``fields`` parameter, or None when absent (the node's defaults apply)."""
    if text is None or not text.strip():
        return None
    return _Parser(text).items("")


def field_names(names: Sequence[str]) -> list[FieldSpec]:
    return [FieldSpec(name=name, modifiers={}, children=None) for name in names]


Getter = Callable[[FieldSpec], Any]


def select(
    getters: Mapping[str, Getter],
    specs: list[FieldSpec] | None,
    *,
    default: Sequence[str],
    node_type: str,
) -> dict[str, Any]:
    """Render a node: each requested field through its getter; None values are left out.

    Graph answers an unknown field with code 100 and always adds ``id``.
    """
    chosen = specs if specs is not None else field_names(default)
    out: dict[str, Any] = {}
    for spec in chosen:
        getter = getters.get(spec.name)
        if getter is None:
            raise errors.nonexisting_field(spec.name, node_type)
        value = getter(spec)
        if value is not None:
            out[spec.name] = value
    if "id" in getters and "id" not in out:
        out["id"] = getters["id"](FieldSpec("id", {}, None))
    return out


# --- Cursor paging ----------------------------------------------------------------------


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return "QVFI" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> list[Any]:
    try:
        if not text.startswith("QVFI"):
            raise ValueError(text)
        body = text[4:]
        value = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if not isinstance(value, list):
            raise ValueError(text)
        return value
    except ValueError as exc:
        raise errors.invalid_param("Invalid cursor") from exc


def parse_limit(params: Mapping[str, str], default: int = DEFAULT_LIMIT) -> int:
    raw = params.get("limit")
    if raw is None or raw == "":
        return default
    try:
        limit = int(raw)
    except ValueError as exc:
        raise errors.invalid_param("Param limit must be a positive integer") from exc
    if limit < 1:
        raise errors.invalid_param("Param limit must be a positive integer")
    if limit > MAX_LIMIT:
        raise errors.invalid_param(f"The limit parameter should not exceed {MAX_LIMIT}")
    return limit


def page_url(base_url: str, path: str, params: Mapping[str, str], **extra: str) -> str:
    query = {k: v for k, v in params.items() if k not in ("after", "before")}
    query.update(extra)
    return f"{base_url}/{GRAPH_VERSION}/{path}?{urlencode(query)}"


def paginate(
    items: Sequence[T],
    *,
    key: Callable[[T], list[Any]],
    params: Mapping[str, str],
    base_url: str,
    path: str,
) -> tuple[list[T], dict[str, Any] | None]:
    """One page of ``items`` (already in listing order, ascending ``key``) and its paging.

    Cursors hold the boundary item's key, so a page is stable when items come or go.
    """
    limit = parse_limit(params)
    keys = [key(item) for item in items]
    if params.get("after"):
        mark = decode_cursor(params["after"])
        start = next((i for i, k in enumerate(keys) if k > mark), len(items))
        end = min(start + limit, len(items))
    elif params.get("before"):
        mark = decode_cursor(params["before"])
        end = next((i for i, k in enumerate(keys) if k >= mark), len(items))
        start = max(0, end - limit)
    else:
        start, end = 0, min(limit, len(items))
    chosen = list(items[start:end])
    if not chosen:
        return chosen, None
    before, after = encode_cursor(keys[start]), encode_cursor(keys[end - 1])
    paging: dict[str, Any] = {"cursors": {"before": before, "after": after}}
    if start > 0:
        paging["previous"] = page_url(base_url, path, params, limit=str(limit), before=before)
    if end < len(items):
        paging["next"] = page_url(base_url, path, params, limit=str(limit), after=after)
    return chosen, paging
