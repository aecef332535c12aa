"""Placeholder until the CSV/XLSX importer lands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from serentak.org.rows import Problem


class ImportFailed(Exception):  # noqa: N818
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def units_import_file(**kwargs: Any) -> Any:
    raise ImportFailed([Problem(0, "", "not implemented yet")])


__all__ = ["ImportFailed", "Path", "units_import_file"]
