"""gunicorn settings for `haven up`'s services (`-c python:services.cli.gunicorn_logging`).

gunicorn takes a logging dict only from a settings module, not as a command-line value; the command line
sets everything else. HAVEN_SERVICE names the service in each line.
"""
import os

from ..shared.logs import gunicorn_logconfig

logconfig_dict = gunicorn_logconfig(os.environ.get("HAVEN_SERVICE", "gunicorn"),
                                    os.environ.get("HAVEN_LOG_LEVEL", "INFO"))
