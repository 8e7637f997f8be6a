"""gunicorn settings for every Haven service (containers and `haven up` use the same choices)."""
import os

from services.cli.run import worker_settings
from services.shared.logs import gunicorn_logconfig

bind = os.environ.get("HAVEN_BIND", "0.0.0.0:8080")
# gthread keeps connections alive between the services without one process per connection.
worker_class = "gthread"
# The matcher with its read model: one worker with every thread, one copy of the model (services.cli.run).
workers, threads = worker_settings(os.environ.get("HAVEN_SERVICE", "gunicorn"),
                                   int(os.environ.get("HAVEN_WORKERS", "2")), int(os.environ.get("HAVEN_THREADS", "4")),
                                   os.environ)
keepalive = 30
timeout = 30
graceful_timeout = 10
accesslog = None  # each service writes its own JSON access line with the request id
errorlog = "-"
# gunicorn's own lines as JSON, like the service's: one parser for every line of a container's log.
logconfig_dict = gunicorn_logconfig(os.environ.get("HAVEN_SERVICE", "gunicorn"),
                                    os.environ.get("HAVEN_LOG_LEVEL", "INFO"))
# Long enough for every query string the API documents, percent-encoded in full.
limit_request_line = 8190
forwarded_allow_ips = os.environ.get("HAVEN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """Before the workers start: new files private, a data folder made before that tightened, metrics folder empty."""
    from services.shared.config import data_dir, keep_files_private, make_private
    from services.shared.metrics import prepare_multiprocess_dir

    keep_files_private()
    make_private(data_dir())
    prepare_multiprocess_dir()


def worker_exit(server, worker):
    """A worker stopping gracefully hands on what it still holds (the matcher's outcome counts)."""
    from services.shared.stopping import worker_exit as finish

    finish(server, worker)


def child_exit(server, worker):
    """A worker that exits leaves prometheus-client's multiprocess sum (PROMETHEUS_MULTIPROC_DIR)."""
    from services.shared.metrics import child_exit as mark_dead

    mark_dead(server, worker)
