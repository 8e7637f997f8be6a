"""gunicorn hooks for `haven up`'s services, loaded with `-c python:services.cli.gunicorn_hooks`."""
from __future__ import annotations

from ..shared.metrics import child_exit, prepare_multiprocess_dir

__all__ = ["child_exit", "on_starting"]


def on_starting(server):
    """Before the workers start: the metrics folder holds no counts of an earlier run."""
    prepare_multiprocess_dir()
