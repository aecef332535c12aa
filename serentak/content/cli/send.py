"""`serentak content send --package-file FILE.json`: write a package and send it at once.

The file is one JSON object::

    {
      "title": "Sosialisasi pemilih pemula",
      "body": "{{ satker }} mengajak pemilih pemula hadir {{ waktu(\"acara\") }}.",
      "targets": "all",
      "mode": "adapt",
      "priority": "normal",
      "deadline": "2026-12-01T17:00:00+07:00",
      "moments": {"acara": "2026-12-05T09:00:00+07:00"},
      "link": "https://kpu.go.id/",
      "guidance": "Tambahkan lokasi TPS setempat.",
      "originality_policy": "warn",
      "originality_threshold": 0.3,
      "author_unit": "00"
    }

``targets`` is ``"all"``, ``{"provinces": [codes]}``, ``{"units": [codes]}`` or
``{"group": id}`` (see ``content.targets``); ``mode`` is ``adapt`` or ``broadcast``;
``priority`` is ``urgent``, ``high``, ``normal`` or ``low``; ``deadline`` and the moments are
ISO-8601 with their offset. ``author_unit`` defaults to the institution's root unit.

``title``, ``body`` and ``targets`` are required; a key not listed here is an error (a typo
would otherwise be ignored). Creating and sending is one transaction: on any error nothing
is written. ``--as USERNAME`` acts as that person (their rights apply); without it the
command acts as the system.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from serentak.accounts.models import User
from serentak.content.services import package_create, package_send
from serentak.org.models import Institution, Unit

REQUIRED = ("title", "body", "targets")
OPTIONAL = (
    "mode",
    "priority",
    "deadline",
    "moments",
    "link",
    "guidance",
    "originality_policy",
    "originality_threshold",
    "author_unit",
)
TEXT_FIELDS = ("title", "body", "mode", "priority", "link", "guidance", "originality_policy")


def register(sub: Any) -> None:
    parser = sub.add_parser("send", help="Create a package from a JSON file and send it.")
    parser.add_argument("--package-file", type=Path, required=True, metavar="FILE.json")
    parser.add_argument("--institution", default="", help="slug (default: the only one)")
    parser.add_argument(
        "--as", dest="as_user", default="", metavar="USERNAME", help="act as this person"
    )
    parser.add_argument("--json", action="store_true", help='print {"package": id, ...}')
    parser.set_defaults(handler=handle_send)


def handle_send(command: BaseCommand, options: dict[str, Any]) -> None:
    file: Path = options["package_file"]
    as_json: bool = options["json"]
    try:
        spec = _read(file)
        institution = _institution(options["institution"])
        actor = _actor(options["as_user"])
        fields = _fields(spec, institution=institution)
        with transaction.atomic():
            package = package_create(actor=actor, **fields)
            count = package_send(actor=actor, package=package)
    except ValidationError as exc:
        _fail(command, file, exc.messages, as_json=as_json)
    except PermissionDenied as exc:
        _fail(command, file, [str(exc) or "permission denied"], as_json=as_json)
    if as_json:
        command.stdout.write(json.dumps({"package": package.pk, "adaptations": count}))
    else:
        command.stdout.write(f"Package {package.pk} “{package.title}” sent to {count} units.")


def _fail(command: BaseCommand, file: Path, messages: list[str], *, as_json: bool) -> NoReturn:
    if as_json:
        command.stdout.write(json.dumps({"errors": messages}, ensure_ascii=False))
    for message in messages:
        command.stderr.write(f"{file}: {message}")
    raise CommandError(f"{file}: the package was not sent; nothing was written.")


def _read(file: Path) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(f"cannot read the file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ValidationError("the file is not UTF-8 text") from exc
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(spec, dict):
        raise ValidationError("the file must hold one JSON object")
    return spec


def _fields(spec: dict[str, Any], *, institution: Institution) -> dict[str, Any]:
    """The keyword arguments of ``package_create``, every value checked for its type."""
    problems = [f"missing field “{name}”" for name in REQUIRED if name not in spec]
    problems += [
        f"unknown field “{name}” (known: {', '.join((*REQUIRED, *OPTIONAL))})"
        for name in spec
        if name not in REQUIRED and name not in OPTIONAL
    ]
    problems += [
        f"“{name}” must be text"
        for name in TEXT_FIELDS
        if name in spec and not isinstance(spec[name], str)
    ]
    if "moments" in spec and not isinstance(spec["moments"], dict):
        problems.append("“moments” must be an object of names and ISO-8601 instants")
    threshold = spec.get("originality_threshold", 0.3)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        problems.append("“originality_threshold” must be a number between 0 and 1")
    deadline = None
    if spec.get("deadline") is not None:
        try:
            deadline = _instant(spec["deadline"])
        except ValueError as exc:
            problems.append(f"“deadline”: {exc}")
    if problems:
        raise ValidationError(problems)

    fields = {name: spec[name] for name in (*REQUIRED, *TEXT_FIELDS) if name in spec}
    fields.update(
        author_unit=_author_unit(institution, spec.get("author_unit")),
        deadline=deadline,
        moments=spec.get("moments") or {},
        originality_threshold=float(threshold),
    )
    return fields


def _instant(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("an ISO-8601 date and time with its offset, as text")
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 date and time") from None
    if instant.tzinfo is None:
        raise ValueError(f"{value!r} has no offset (write e.g. +07:00 for WIB)")
    return instant


def _author_unit(institution: Institution, code: Any) -> Unit:
    if code is None:
        root = Unit.objects.filter(institution=institution, depth=1).first()
        if root is None:
            raise ValidationError(f"the institution {institution.slug} has no units")
        return root
    if not isinstance(code, str):
        raise ValidationError("“author_unit” must be a unit code, as text")
    unit = Unit.objects.filter(institution=institution, code=code, is_active=True).first()
    if unit is None:
        raise ValidationError(f"“author_unit”: no active unit {code!r}")
    return unit


def _actor(username: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError(f"--as: no active person {username!r}")
    return user


def _institution(slug: str) -> Institution:
    if slug:
        institution = Institution.objects.filter(slug=slug).first()
        if institution is None:
            raise ValidationError(f"--institution: no institution {slug!r}")
        return institution
    institutions = list(Institution.objects.all()[:2])
    if not institutions:
        raise ValidationError("no units yet: run `serentak units load --preset kpu` first")
    if len(institutions) > 1:
        raise ValidationError("several institutions: choose one with --institution SLUG")
    return institutions[0]
