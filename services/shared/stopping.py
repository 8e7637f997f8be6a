"""What a gunicorn worker does as it stops gracefully: each service's own `on_stop` callbacks run once."""
from __future__ import annotations

import logging

log = logging.getLogger("haven.stopping")


def worker_exit(server, worker) -> None:
    """gunicorn hook, in the worker: run the callbacks its app listed in `app.config["ON_STOP"]`."""
    app = getattr(worker, "wsgi", None)
    for callback in getattr(app, "config", {}).get("ON_STOP", ()):
        try:
            callback()
        except Exception:  # noqa: BLE001 - the worker is going anyway; what could not be done is logged
            log.warning("a stopping worker could not finish", exc_info=True)
