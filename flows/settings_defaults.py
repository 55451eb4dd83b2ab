"""Environment defaults for running offline, applied before Prefect or GX is imported.

Only defaults: anything the user set wins.
"""

from __future__ import annotations

import os

DEFAULTS = {
    # Offline the server otherwise logs errors about telemetry it cannot send.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    # Prefect's temporary local API takes 15-20 s to start cold on a small machine; the default
    # timeout (20 s) is too tight.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def apply() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
