"""WSGI entry point (gunicorn serentak.wsgi). Refuses to serve an unsafe production setup."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serentak.settings")

application = get_wsgi_application()

from serentak.core.safety import assert_safe_to_serve  # noqa: E402

assert_safe_to_serve()
