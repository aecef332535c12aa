"""A unit as a loader or importer describes it, and the checks every such list must pass.

Pure Python (no database): the preset loader, the CSV/XLSX importer and the tests all build
``UnitRow`` lists and run ``validate_rows`` before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from serentak.core.timefmt import is_valid_zone

KINDS = ("centre", "province", "regency", "city")


@dataclass(frozen=True)
class UnitRow:
    code: str
    parent_code: str | None
    kind: str
    region_name: str
    name: str
    timezone: str
    line: int = 0  # where it came from, for error messages (0: not from a file)
    short_name: str = ""  # the institution's short name where this unit uses another


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = _("line %(line)d") % {"line": self.line} if self.line else ""
        parts = [p for p in (where, self.field) if p]
        return f"{', '.join(parts)}: {self.message}" if parts else self.message


@dataclass
class RowsInvalid(Exception):
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def validate_rows(rows: list[UnitRow]) -> list[Problem]:
    """Every problem in ``rows`` (empty when they form one valid tree)."""
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.code:
            problems.append(Problem(row.line, "code", _("the code is empty")))
        elif row.code in first_line:
            problems.append(
                Problem(
                    row.line,
                    "code",
                    _("duplicate code %(code)s (first on line %(first)d)")
                    % {"code": row.code, "first": first_line[row.code]},
                )
            )
        else:
            first_line[row.code] = row.line
        if not row.name.strip():
            problems.append(Problem(row.line, "name", _("the name is empty")))
        if row.kind not in KINDS:
            problems.append(
                Problem(
                    row.line,
                    "kind",
                    _("unknown kind %(kind)r (use one of: %(kinds)s)")
                    % {"kind": row.kind, "kinds": ", ".join(KINDS)},
                )
            )
        if not is_valid_zone(row.timezone):
            problems.append(
                Problem(
                    row.line,
                    "timezone",
                    _("%(zone)r is not an IANA time zone (for example Asia/Jakarta)")
                    % {"zone": row.timezone},
                )
            )
        if row.parent_code is not None and row.parent_code == row.code:
            problems.append(Problem(row.line, "parent_code", _("a unit cannot be its own parent")))

    roots = [row for row in rows if row.parent_code is None]
    if rows and len(roots) != 1:
        if not roots:
            problems.append(
                Problem(
                    0, "parent_code", _("no root unit: exactly one row needs an empty parent_code")
                )
            )
        else:
            lines = ", ".join(str(r.line) for r in roots)
            problems.append(
                Problem(
                    roots[1].line,
                    "parent_code",
                    _("more than one root unit (empty parent_code on lines %(lines)s)")
                    % {"lines": lines},
                )
            )

    by_code = {row.code: row for row in rows if row.code}
    for row in rows:
        if (
            row.parent_code is not None
            and row.parent_code != row.code
            and row.parent_code not in by_code
        ):
            problems.append(
                Problem(
                    row.line,
                    "parent_code",
                    _("unknown parent %(parent)s") % {"parent": row.parent_code},
                )
            )
    problems.extend(_cycles(rows, by_code))
    return problems


def _cycles(rows: list[UnitRow], by_code: dict[str, UnitRow]) -> list[Problem]:
    problems = []
    reported: set[str] = set()
    for row in rows:
        seen: list[str] = []
        current: UnitRow | None = row
        while current is not None and current.parent_code is not None:
            if current.code in seen:
                cycle = seen[seen.index(current.code) :]
                if not reported.intersection(cycle):
                    reported.update(cycle)
                    problems.append(
                        Problem(
                            by_code[cycle[0]].line,
                            "parent_code",
                            _("cycle in the tree: %(codes)s")
                            % {"codes": " → ".join([*cycle, cycle[0]])},
                        )
                    )
                break
            seen.append(current.code)
            current = by_code.get(current.parent_code)
    return problems


def topological(rows: list[UnitRow]) -> list[UnitRow]:
    """Parents before children (rows must be valid)."""
    children: dict[str | None, list[UnitRow]] = {}
    for row in rows:
        children.setdefault(row.parent_code, []).append(row)
    ordered: list[UnitRow] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row.code, [])))
    return ordered
