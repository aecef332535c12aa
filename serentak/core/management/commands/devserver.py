"""`serentak run`: the whole product on one machine, for development and the demo.

Migrates the SQLite database under var/, loads the KPU tree and the demo people once, starts
the Graph API sandbox (unless GRAPH_API_URL is set: then that API is used), the Celery
worker (with its beat scheduler) and Django's web server, and stops them all together.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from serentak.content.demo import demo_package_seed
from serentak.graph.sandbox.runner import SandboxHandle, start_sandbox
from serentak.org.models import Institution

SANDBOX_PORT = 8765


class Command(BaseCommand):
    help = "Run the web app and the background worker (development and demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-worker", action="store_true")

    def start_sandbox(self) -> SandboxHandle | None:
        """The Graph sandbox for this run; its URL and credentials go to web and worker."""
        if os.environ.get("GRAPH_API_URL"):
            self.stdout.write(f"Graph API: {settings.GRAPH_API_URL} (from GRAPH_API_URL)")
            return None
        state_file = settings.VAR_DIR / "graph-sandbox.json"
        try:
            handle = start_sandbox(
                pages=553, port=SANDBOX_PORT, state_file=state_file, history=True
            )
        except OSError:  # the usual port is taken: any free one will do
            handle = start_sandbox(pages=553, port=0, state_file=state_file, history=True)
        environment = _graph_environment(handle)
        os.environ.update(environment)
        for name, value in environment.items():
            setattr(settings, name, value)
        self.stdout.write(f"Graph API sandbox on {handle.url} (553 Pages; state in {state_file}).")
        return handle

    def handle(self, *args: Any, port: int, host: str, no_worker: bool, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "`serentak run` is for development; use gunicorn and a worker in production."
            )
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not Institution.objects.filter(slug="kpu").exists():
            self.stdout.write("Loading the KPU unit tree (553 units)...")
            call_command("units", "load", "--preset", "kpu")
        call_command("demo", "seed")
        demo_package_seed(institution=Institution.objects.get(slug="kpu"))
        sandbox = self.start_sandbox()

        worker = None
        if not no_worker:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "serentak",
                    "worker",
                    "--beat",
                    "--loglevel",
                    "WARNING",
                    "--concurrency",
                    "2",
                    "--pool",
                    "threads",
                ],
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "serentak.settings"},
            )
            self.stdout.write("Background worker started (Celery, with beat).")
        self.stdout.write(f"Serentak is on http://{host}:{port}/ — stop with Ctrl+C.")
        # A plain `kill` (or make being stopped) must take the worker down too.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        signal.signal(signal.SIGHUP, _exit_on_signal)
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            if sandbox is not None:
                sandbox.stop()
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()


def _graph_environment(handle: SandboxHandle) -> dict[str, str]:
    return {
        "GRAPH_API_URL": handle.url,
        "GRAPH_API_VERSION": handle.version,
        "GRAPH_APP_ID": handle.app_id,
        "GRAPH_APP_SECRET": handle.app_secret,
        "GRAPH_SYSTEM_USER_TOKEN": handle.system_user_token,
        "GRAPH_BUSINESS_ID": str(handle.state_data()["business_id"]),
    }


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)
