"""gunicorn settings and hooks for `haven up`'s services, loaded with `-c python:services.cli.gunicorn_hooks`.

gunicorn reads one settings module (a second `-c` replaces the first), and takes a logging dict and hooks only
from there; the command line sets everything else. HAVEN_SERVICE names the service in each log line.
"""
from __future__ import annotations

import os

from ..shared.logs import gunicorn_logconfig
from ..shared.metrics import child_exit, prepare_multiprocess_dir
from ..shared.stopping import worker_exit

__all__ = ["child_exit", "logconfig_dict", "on_starting", "worker_exit"]

# gunicorn's own lines as JSON, like every other line.
logconfig_dict = gunicorn_logconfig(os.environ.get("HAVEN_SERVICE", "gunicorn"),
                                    os.environ.get("HAVEN_LOG_LEVEL", "INFO"))


def on_starting(server):
    """Before the workers start: the metrics folder holds no counts of an earlier run."""
    prepare_multiprocess_dir()
