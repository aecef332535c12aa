"""The `serentak` command: the product's subcommands, and Django's for any other word.

Product subcommands are management commands under names that never shadow Django's own
(`serentak check` is the compliance checker, implemented as `compliance_check`); Django's
are reached as `serentak django <command>` or through manage.py.
"""

from __future__ import annotations

import os
import sys

# product word -> management command that implements it
PRODUCT_COMMANDS = {
    "units": "units",
    "demo": "demo",
    "run": "devserver",
    "pages": "pages",
    "content": "content",
    "check": "compliance_check",
    "bench": "bench",
    "sandbox": "sandbox",
    "graph": "graph",
    "training": "training",
}

USAGE = """usage: serentak <command> [options]

Product commands:
  run        the web app and the worker, for development and the demo (`make run`)
  units      load, import and list the unit tree (`serentak units --help`)
  demo       the demo accounts of development mode
  sandbox    the Graph API sandbox (a local Facebook)
  graph      check the Graph API configuration (`serentak graph status`)
  (more come with each capability: pages, content, check, bench, sandbox, training)

Any other word is one of Django's management commands (`serentak migrate`,
`serentak createsuperuser`); `serentak django <command>` always reaches Django's own,
e.g. `serentak django check --deploy`.
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serentak.settings")
    from django.core.management import execute_from_command_line, get_commands

    if not args or args[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return
    word, rest = args[0], args[1:]
    if word == "django":
        execute_from_command_line(["serentak django", *rest])
        return
    if word in PRODUCT_COMMANDS:
        import django

        django.setup()
        command = PRODUCT_COMMANDS[word]
        if command not in get_commands():
            sys.stderr.write(f"serentak {word}: not available yet in this version.\n")
            raise SystemExit(2)
        execute_from_command_line(["serentak", command, *rest])
        return
    execute_from_command_line(["serentak", word, *rest])


if __name__ == "__main__":
    main()
