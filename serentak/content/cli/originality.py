"""`serentak content originality`: how much of a variant is new text compared with its source.

    serentak content originality --source FILE --variant FILE [--json]

Prints the score and its band ("0.412 (localised)"), or with ``--json`` exactly
``{"score": x}``, x from 0.0 (the source as is) to 1.0 (nothing in common). Files are read as
UTF-8, with or without a byte-order mark. The measure is documented in
``serentak.content.originality``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from serentak.content.originality import originality, originality_band


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "originality",
        help="score how much of a variant is new text compared with its source (0 .. 1)",
    )
    parser.add_argument("--source", type=Path, required=True, metavar="FILE")
    parser.add_argument("--variant", type=Path, required=True, metavar="FILE")
    parser.add_argument("--json", action="store_true", help='print {"score": x}')
    parser.set_defaults(handler=handle_originality)


def handle_originality(command: BaseCommand, options: dict[str, Any]) -> None:
    source = read_text(options["source"], "--source")
    variant = read_text(options["variant"], "--variant")
    score = round(originality(source, variant), 4)
    if options["json"]:
        command.stdout.write(json.dumps({"score": score}))
        return
    command.stdout.write(f"{score:.3f} ({originality_band(score)})")


def read_text(path: Path, option: str) -> str:
    """A UTF-8 text file (byte-order mark tolerated), or a CommandError that names it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CommandError(f"{option}: no file {str(path)!r}.") from exc
    except IsADirectoryError as exc:
        raise CommandError(f"{option}: {str(path)!r} is a folder, not a file.") from exc
    except OSError as exc:
        raise CommandError(f"{option}: cannot read {str(path)!r}: {exc.strerror}.") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{option}: {str(path)!r} is not UTF-8 text (byte {exc.start} cannot be read); "
            "save it as UTF-8 and try again."
        ) from exc
