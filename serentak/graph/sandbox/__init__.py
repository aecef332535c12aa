"""A local sandbox of the Facebook Graph API (Pages, v25.0), for development and tests.

Nothing in Serentak can reach Facebook: development, the demo and every test talk to this
server on loopback. It reproduces the documented behaviour, unpleasant parts included
(errors, rate limits, duplicates, latency, lost responses). No Django inside.

Entry points: ``start_sandbox`` (``runner``), ``create_app`` (``app``), and the
``serentak sandbox`` command.
"""

from .config import GRAPH_VERSION, Limits, SandboxConfig
from .runner import SandboxHandle, start_sandbox
from .testing import SandboxClient

__all__ = [
    "GRAPH_VERSION",
    "Limits",
    "SandboxClient",
    "SandboxConfig",
    "SandboxHandle",
    "start_sandbox",
]
