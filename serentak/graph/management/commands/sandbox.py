"""`serentak sandbox`: the Graph API sandbox on loopback, until Ctrl+C (or SIGTERM)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from serentak.graph.sandbox import GRAPH_VERSION, start_sandbox
from serentak.graph.sandbox.config import FAULT_PROFILES


class Command(BaseCommand):
    help = "Run the Graph API sandbox (a local emulation of the Facebook Pages API)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pages", type=int, default=553, help="number of Pages (553: KPU)")
        parser.add_argument("--port", type=int, default=8765, help="0: any free port")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--latency-ms", type=float, default=0.0, help="cost of a request")
        parser.add_argument("--op-ms", type=float, default=5.0, help="cost of an operation")
        parser.add_argument("--faults", choices=FAULT_PROFILES, default="none")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--state-file", type=Path, default=None)
        parser.add_argument("--require-appsecret-proof", action="store_true")
        parser.add_argument(
            "--history", action="store_true", help="seed a few weeks of past posts (the demo)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            handle = start_sandbox(
                pages=options["pages"],
                port=options["port"],
                host=options["host"],
                latency_ms=options["latency_ms"],
                op_ms=options["op_ms"],
                faults=options["faults"],
                seed=options["seed"],
                state_file=options["state_file"],
                require_appsecret_proof=options["require_appsecret_proof"],
                history=options["history"],
            )
        except (OSError, ValueError, RuntimeError) as exc:
            raise CommandError(f"cannot start the sandbox: {exc}") from exc
        self.stdout.write(
            f"Graph API sandbox {GRAPH_VERSION} on {handle.url} — {options['pages']} Pages, "
            f"faults {options['faults']}, seed {options['seed']}. Stop with Ctrl+C."
        )
        if options["state_file"]:
            self.stdout.write(f"State file: {options['state_file']}")
        stopping = threading.Event()

        def on_term(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        previous = signal.signal(signal.SIGTERM, on_term)
        try:
            while handle.alive and not stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            handle.stop()
