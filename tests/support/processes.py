"""Run a Haven service as a real gunicorn process for integration tests (no pytest dependency).

    with start_gunicorn("services.directory:create_app()", {"HAVEN_DATA_DIR": str(tmp)}) as service:
        requests.get(service.url + "/healthz")

`start_gunicorn` returns once the service answers GET /healthz, or raises ServiceDidNotStart with
the tail of the process's stderr. `stop()` ends it gracefully (SIGTERM, then SIGKILL after a grace
period); `kill()` ends it at once, as a crash would. Both reach the workers too: the service runs
in its own process group, and only that group is signalled.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0  # seconds until /healthz must answer
STOP_TIMEOUT = 10.0  # seconds of grace after SIGTERM


class ServiceDidNotStart(RuntimeError):
    """The process exited or did not answer /healthz in time; the message carries its stderr."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServiceProcess:
    """A started service: its base URL, and ways to end it and read what it wrote to stderr."""

    def __init__(self, process: subprocess.Popen, url: str, stderr_path: Path):
        self.process = process
        self.url = url
        self.stderr_path = stderr_path
        self._stderr_at_exit: str | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self, max_chars: int = 4000) -> str:
        """The end of what the service wrote to stderr (kept after it stopped)."""
        if self._stderr_at_exit is not None:
            return self._stderr_at_exit[-max_chars:]
        try:
            return self.stderr_path.read_text(errors="replace")[-max_chars:]
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM (gunicorn's graceful shutdown), then SIGKILL if it takes longer than `timeout`."""
        if self.running():
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self._reap()

    def kill(self) -> int:
        """SIGKILL the master and its workers at once."""
        self._signal(signal.SIGKILL)
        return self._reap()

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)  # the group this handle started, nothing else
        except ProcessLookupError:
            pass

    def _reap(self) -> int:
        code = self.process.wait(STOP_TIMEOUT)
        # Workers left behind by a killed master are in the same group; make sure none linger.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._stderr_at_exit is None:
            self._stderr_at_exit = self.stderr_tail(max_chars=1_000_000)
            self.stderr_path.unlink(missing_ok=True)
        return code

    def __enter__(self) -> "ServiceProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _gunicorn_command() -> list[str]:
    beside = Path(sys.executable).with_name("gunicorn")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "gunicorn"]


def start_gunicorn(app_spec: str, env: dict[str, str], *, workers: int = 2, port: int | None = None,
                   timeout: float = START_TIMEOUT, extra_args: tuple[str, ...] = (),
                   cwd: Path = REPO) -> ServiceProcess:
    """Start `gunicorn -w workers -b 127.0.0.1:port app_spec` and wait until /healthz answers.

    `env` is added to the current environment (its values win). stderr goes to a temporary file,
    so a chatty service can never block on a full pipe.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    stderr_file = tempfile.NamedTemporaryFile(prefix="haven-gunicorn-", suffix=".stderr", delete=False)
    command = [*_gunicorn_command(), "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--graceful-timeout", "5", *extra_args, app_spec]
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=stderr_file, start_new_session=True)
    stderr_file.close()
    service = ServiceProcess(process, url, Path(stderr_file.name))
    try:
        _wait_until_healthy(service, timeout)
    except BaseException:
        service.kill()
        raise
    return service


def _wait_until_healthy(service: ServiceProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.running():
            raise ServiceDidNotStart(f"gunicorn exited with {service.process.returncode} before answering "
                                     f"/healthz; stderr:\n{service.stderr_tail()}")
        try:
            if requests.get(service.url + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise ServiceDidNotStart(f"{service.url}/healthz did not answer within {timeout:.0f} s; "
                             f"stderr:\n{service.stderr_tail()}")
